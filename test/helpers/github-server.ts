import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IssueComment {
  id: number;
  body: string;
}

/** A local HTTP server on 127.0.0.1 that answers the GitHub REST endpoints TinyOps uses: file
 * contents at a ref (raw), issue comments (list, create, update), releases and their assets. `readOnly` answers writes
 * with 403 as GitHub does for a fork PR's token. Every request is recorded. */
export class FakeGitHub {
  readonly comments = new Map<number, IssueComment[]>();
  readonly files = new Map<string, Uint8Array>(); // key: `${ref}:${path}`
  readonly requests: Array<{ method: string; url: string; auth: string | undefined }> = [];
  /** Releases with their assets (the endpoints ota-publish uses). */
  readonly releases: FakeRelease[] = [];
  readOnly = false;
  private nextId = 1000;
  private baseUrl = '';
  private server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Releases: list, get by tag, create, list/download/delete assets, upload (uploads.github.com's path, served
   * here too). Like GitHub, an upload whose name already exists is refused with 422. */
  private handleRelease(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    raw: Buffer,
    json: (status: number, data: unknown) => void,
    forbidden: () => void,
  ): boolean {
    const method = req.method ?? '';
    const accept = req.headers.accept;
    const view = (r: FakeRelease) => ({
      id: r.id,
      tag_name: r.tag_name,
      name: r.name,
      body: r.body,
      html_url: `${this.baseUrl}/releases/tag/${r.tag_name}`,
      upload_url: `${this.baseUrl}/uploads/repos/o/r/releases/${r.id}/assets{?name,label}`,
    });
    const asset = (a: FakeRelease['assets'][number]) => ({
      id: a.id,
      name: a.name,
      size: a.data.length,
      browser_download_url: `${this.baseUrl}/download/${a.id}/${a.name}`,
    });
    if (/^\/repos\/[^/]+\/[^/]+\/releases$/.test(url.pathname) && method === 'GET') {
      // newest first, with their assets, as GitHub lists them
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      json(
        200,
        [...this.releases]
          .reverse()
          .slice(0, perPage)
          .map((r) => ({ ...view(r), assets: r.assets.map(asset) })),
      );
      return true;
    }
    const download = /^\/repos\/[^/]+\/[^/]+\/releases\/assets\/(\d+)$/.exec(url.pathname);
    if (download && method === 'GET') {
      const a = this.releases.flatMap((r) => r.assets).find((x) => x.id === Number(download[1]));
      if (!a) json(404, { message: 'Not Found' });
      else if (accept !== 'application/octet-stream') json(200, asset(a));
      else {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(a.data);
      }
      return true;
    }
    let m = /^\/repos\/[^/]+\/[^/]+\/releases\/tags\/(.+)$/.exec(url.pathname);
    if (m && method === 'GET') {
      const r = this.releases.find((x) => x.tag_name === decodeURIComponent(m![1]));
      if (r) json(200, view(r));
      else json(404, { message: 'Not Found' });
      return true;
    }
    if (/^\/repos\/[^/]+\/[^/]+\/releases$/.test(url.pathname) && method === 'POST') {
      if (this.readOnly) return (forbidden(), true);
      const body = JSON.parse(raw.toString('utf8'));
      if (this.releases.some((x) => x.tag_name === body.tag_name))
        return (json(422, { message: 'Validation Failed: tag_name already_exists' }), true);
      const r: FakeRelease = {
        id: this.nextId++,
        tag_name: body.tag_name,
        name: body.name ?? body.tag_name,
        body: body.body ?? '',
        target_commitish: body.target_commitish,
        assets: [],
      };
      this.releases.push(r);
      json(201, view(r));
      return true;
    }
    m = /^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)\/assets$/.exec(url.pathname);
    if (m && method === 'GET') {
      const r = this.releases.find((x) => x.id === Number(m![1]));
      if (!r) return (json(404, { message: 'Not Found' }), true);
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      json(200, r.assets.slice((page - 1) * perPage, page * perPage).map(asset));
      return true;
    }
    m = /^\/repos\/[^/]+\/[^/]+\/releases\/assets\/(\d+)$/.exec(url.pathname);
    if (m && method === 'DELETE') {
      if (this.readOnly) return (forbidden(), true);
      for (const r of this.releases) {
        const i = r.assets.findIndex((a) => a.id === Number(m![1]));
        if (i >= 0) {
          r.assets.splice(i, 1);
          json(204, null);
          return true;
        }
      }
      json(404, { message: 'Not Found' });
      return true;
    }
    m = /^\/uploads\/repos\/[^/]+\/[^/]+\/releases\/(\d+)\/assets$/.exec(url.pathname);
    if (m && method === 'POST') {
      if (this.readOnly) return (forbidden(), true);
      const r = this.releases.find((x) => x.id === Number(m![1]));
      const name = url.searchParams.get('name');
      if (!r || !name) return (json(404, { message: 'Not Found' }), true);
      if (r.assets.some((a) => a.name === name))
        return (json(422, { message: 'Validation Failed: already_exists' }), true);
      const a = { id: this.nextId++, name, data: raw };
      r.assets.push(a);
      json(201, asset(a));
      return true;
    }
    return false;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.requests.push({
      method: req.method ?? '',
      url: `${url.pathname}${url.search}`,
      auth: req.headers.authorization,
    });
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const json = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      const forbidden = () => json(403, { message: 'Resource not accessible by integration' });
      let m = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(url.pathname);
      if (m && req.method === 'GET') {
        const file = this.files.get(`${url.searchParams.get('ref')}:${decodeURIComponent(m[1])}`);
        if (!file) return json(404, { message: 'Not Found' });
        res.writeHead(200, { 'content-type': 'application/vnd.github.raw' });
        return res.end(Buffer.from(file));
      }
      m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname);
      if (m) {
        const list = this.comments.get(Number(m[1])) ?? [];
        if (req.method === 'GET')
          return json(
            200,
            list.map((c) => ({ id: c.id, body: c.body, user: { login: 'github-actions[bot]' } })),
          );
        if (req.method === 'POST') {
          if (this.readOnly) return forbidden();
          const comment = { id: this.nextId++, body: JSON.parse(body).body };
          this.comments.set(Number(m[1]), [...list, comment]);
          return json(201, comment);
        }
      }
      m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (m && req.method === 'PATCH') {
        if (this.readOnly) return forbidden();
        for (const list of this.comments.values()) {
          const c = list.find((x) => x.id === Number(m![1]));
          if (c) {
            c.body = JSON.parse(body).body;
            return json(200, c);
          }
        }
        return json(404, { message: 'Not Found' });
      }
      if (this.handleRelease(req, res, url, raw, json, forbidden)) return;
      json(404, { message: `no route for ${req.method} ${url.pathname}` });
    });
  }
}

export interface FakeRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  target_commitish?: string;
  assets: Array<{ id: number; name: string; data: Buffer }>;
}

/** A pull_request event payload as GitHub sends it (the fields actions read). */
export function pullRequestPayload(options: {
  number: number;
  baseSha: string;
  headRepo?: string;
}) {
  const repo = {
    name: 'firmware',
    full_name: 'tinyops-test/firmware',
    owner: { login: 'tinyops-test' },
  };
  return {
    action: 'synchronize',
    number: options.number,
    pull_request: {
      number: options.number,
      state: 'open',
      base: { ref: 'main', sha: options.baseSha, repo },
      head: {
        ref: 'feature',
        sha: 'b'.repeat(40),
        repo: { ...repo, full_name: options.headRepo ?? repo.full_name },
      },
    },
    repository: repo,
  };
}
