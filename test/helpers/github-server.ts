import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IssueComment {
  id: number;
  body: string;
}

/** A local HTTP server on 127.0.0.1 that answers the GitHub REST endpoints TinyOps uses: file
 * contents at a ref (raw), and issue comments (list, create, update). `readOnly` answers writes
 * with 403 as GitHub does for a fork PR's token. Every request is recorded. */
export class FakeGitHub {
  readonly comments = new Map<number, IssueComment[]>();
  readonly files = new Map<string, Uint8Array>(); // key: `${ref}:${path}`
  readonly requests: Array<{ method: string; url: string; auth: string | undefined }> = [];
  readOnly = false;
  private nextId = 1000;
  private server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.requests.push({
      method: req.method ?? '',
      url: `${url.pathname}${url.search}`,
      auth: req.headers.authorization,
    });
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
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
      json(404, { message: `no route for ${req.method} ${url.pathname}` });
    });
  }
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
