import { TinyOpsError } from '../../errors';

// GitHub Releases through the REST API with fetch: domain code never imports @actions/*. The base
// URL is configurable (GITHUB_API_URL on GitHub Enterprise, a local server in tests).

export interface GitHubReleaseTarget {
  apiUrl: string;
  token: string;
  /** owner/name */
  repository: string;
}

export interface ReleaseAsset {
  id: number;
  name: string;
  size: number;
  browser_download_url: string;
}

interface Release {
  id: number;
  assets?: ReleaseAsset[];
  tag_name: string;
  html_url: string;
  upload_url: string;
}

async function call(
  target: GitHubReleaseTarget,
  method: string,
  url: string,
  body?: string | Uint8Array,
  contentType = 'application/json',
  accept = 'application/vnd.github+json',
): Promise<Response> {
  const response = await fetch(url, {
    method,
    headers: {
      accept,
      authorization: `Bearer ${target.token}`,
      'x-github-api-version': '2022-11-28',
      ...(body !== undefined ? { 'content-type': contentType } : {}),
    },
    body,
  }).catch((err: Error) => {
    throw new TinyOpsError('GITHUB_API', `Could not reach ${new URL(url).origin}: ${err.message}`, {
      hint: 'Check the API URL and the network.',
    });
  });
  return response;
}

async function expectOk(response: Response, what: string): Promise<unknown> {
  if (response.ok) return response.status === 204 ? null : response.json();
  const text = await response.text().catch(() => '');
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    /* keep the raw text */
  }
  throw new TinyOpsError(
    'GITHUB_API',
    `${what} failed: HTTP ${response.status} ${message}`.trim(),
    {
      hint:
        response.status === 403 || response.status === 401
          ? 'The workflow needs `permissions: contents: write` and a token.'
          : 'Check the repository and tag.',
    },
  );
}

function repoPath(target: GitHubReleaseTarget): string {
  if (!/^[^/\s]+\/[^/\s]+$/.test(target.repository))
    throw new TinyOpsError('GITHUB_REPOSITORY', `"${target.repository}" is not owner/name`, {
      hint: 'Pass --repository owner/name (GITHUB_REPOSITORY in a workflow).',
    });
  return `${target.apiUrl.replace(/\/$/, '')}/repos/${target.repository}`;
}

/** Gets the release for a tag, creating it when there is none. */
export async function ensureRelease(
  target: GitHubReleaseTarget,
  tag: string,
  options: { name?: string; body?: string; commit?: string; prerelease?: boolean } = {},
): Promise<Release> {
  const base = repoPath(target);
  const found = await call(target, 'GET', `${base}/releases/tags/${encodeURIComponent(tag)}`);
  if (found.status !== 404) return (await expectOk(found, `Looking up release ${tag}`)) as Release;
  const created = await call(
    target,
    'POST',
    `${base}/releases`,
    JSON.stringify({
      tag_name: tag,
      name: options.name ?? tag,
      body: options.body ?? '',
      prerelease: options.prerelease ?? false,
      ...(options.commit ? { target_commitish: options.commit } : {}),
    }),
  );
  return (await expectOk(created, `Creating release ${tag}`)) as Release;
}

/** Uploads assets to a release; an existing asset of the same name is deleted first, so a re-run
 * replaces rather than duplicates. */
export async function uploadReleaseAssets(
  target: GitHubReleaseTarget,
  release: Release,
  assets: Array<{ name: string; data: Uint8Array; contentType?: string }>,
): Promise<ReleaseAsset[]> {
  const base = repoPath(target);
  const existing: ReleaseAsset[] = [];
  for (let page = 1; ; page++) {
    const list = (await expectOk(
      await call(target, 'GET', `${base}/releases/${release.id}/assets?per_page=100&page=${page}`),
      'Listing release assets',
    )) as ReleaseAsset[];
    existing.push(...list);
    if (list.length < 100) break;
  }
  const uploadBase = release.upload_url.replace(/\{.*\}$/, '');
  const out: ReleaseAsset[] = [];
  for (const asset of assets) {
    for (const old of existing.filter((a) => a.name === asset.name))
      await expectOk(
        await call(target, 'DELETE', `${base}/releases/assets/${old.id}`),
        `Deleting the old asset ${asset.name}`,
      );
    const response = await call(
      target,
      'POST',
      `${uploadBase}?name=${encodeURIComponent(asset.name)}`,
      Buffer.from(asset.data),
      asset.contentType ?? 'application/octet-stream',
    );
    out.push((await expectOk(response, `Uploading ${asset.name}`)) as ReleaseAsset);
  }
  return out;
}

/** The asset called `assetName` in each of the newest `limit` releases (other than `skipTag`), as
 * text: where the last published manifest of a board is found for anti-rollback. */
export async function recentReleaseAssets(
  target: GitHubReleaseTarget,
  assetName: string,
  options: { skipTag?: string; limit?: number } = {},
): Promise<Array<{ tag: string; text: string }>> {
  const base = repoPath(target);
  const releases = (await expectOk(
    await call(target, 'GET', `${base}/releases?per_page=${options.limit ?? 10}`),
    'Listing releases',
  )) as Release[];
  const out: Array<{ tag: string; text: string }> = [];
  for (const release of releases) {
    if (release.tag_name === options.skipTag) continue;
    const asset = release.assets?.find((a) => a.name === assetName);
    if (!asset) continue;
    const response = await call(
      target,
      'GET',
      `${base}/releases/assets/${asset.id}`,
      undefined,
      undefined,
      'application/octet-stream',
    );
    if (!response.ok) await expectOk(response, `Downloading ${assetName} of ${release.tag_name}`);
    out.push({ tag: release.tag_name, text: await response.text() });
  }
  return out;
}
