// The GitHub REST calls TinyOps makes: the base commit's model, sticky PR comments, release
// assets. Through @actions/github's Octokit, whose base URL comes from GITHUB_API_URL (so tests
// point it at a local server).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as github from '@actions/github';
import { TinyOpsError } from '../errors';
import { writeFileAtomic } from '../fsutil/atomic';

export interface PullRequestContext {
  owner: string;
  repo: string;
  number: number;
  baseSha: string;
  headRepo: string;
  /** A PR from a fork: its token cannot write comments. */
  fromFork: boolean;
}

/** The pull request this run is for, or null on other events. */
export function pullRequest(): PullRequestContext | null {
  const ctx = github.context;
  const pr = ctx.payload.pull_request;
  if (!pr) return null;
  const headRepo: string = pr.head?.repo?.full_name ?? '';
  return {
    owner: ctx.repo.owner,
    repo: ctx.repo.repo,
    number: pr.number,
    baseSha: pr.base.sha,
    headRepo,
    fromFork: headRepo !== '' && headRepo !== `${ctx.repo.owner}/${ctx.repo.repo}`,
  };
}

function client(token: string) {
  if (!token)
    throw new TinyOpsError('GITHUB_TOKEN', 'No GitHub token', {
      hint: 'Pass `token: ${{ github.token }}` (the default) and grant the permissions the action README lists.',
    });
  return github.getOctokit(token);
}

/** A file's bytes at a commit, or null when it does not exist there (e.g. a model the PR adds). */
export async function fileAtCommit(
  token: string,
  owner: string,
  repo: string,
  filePath: string,
  ref: string,
): Promise<Uint8Array | null> {
  const octokit = client(token);
  try {
    // Each path segment encoded on its own: the slashes stay slashes.
    const segments = filePath.replace(/^\.\//, '').split('/').map(encodeURIComponent).join('/');
    const response = await octokit.request(`GET /repos/{owner}/{repo}/contents/${segments}`, {
      owner,
      repo,
      ref,
      headers: { accept: 'application/vnd.github.raw' },
      request: { parseSuccessResponseBody: false },
    });
    return new Uint8Array(
      await new Response(response.data as unknown as ReadableStream).arrayBuffer(),
    );
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw new TinyOpsError(
      'GITHUB_API',
      `Could not read ${filePath} at ${ref.slice(0, 12)}: ${(err as Error).message}`,
      {
        hint: 'The workflow needs `permissions: contents: read`.',
      },
    );
  }
}

export { stickyMarker } from '../report/marker';

export type CommentOutcome = 'created' | 'updated' | 'saved';

/** Creates or updates the one comment carrying `marker` on a PR. When the token cannot write
 * (a PR from a fork), saves the comment under saveDir for the follow-up workflow instead. */
export async function upsertStickyComment(
  token: string,
  pr: { owner: string; repo: string; number: number },
  marker: string,
  body: string,
  saveDir: string,
): Promise<CommentOutcome> {
  const octokit = client(token);
  const text = body.includes(marker) ? body : `${marker}\n${body}`;
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      per_page: 100,
    });
    const existing = comments.find((c) => c.body?.includes(marker));
    if (existing) {
      await octokit.rest.issues.updateComment({
        owner: pr.owner,
        repo: pr.repo,
        comment_id: existing.id,
        body: text,
      });
      return 'updated';
    }
    await octokit.rest.issues.createComment({
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      body: text,
    });
    return 'created';
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status !== 403 && status !== 404) throw err;
    saveComment(saveDir, { ...pr, marker, body: text });
    return 'saved';
  }
}

export interface SavedComment {
  owner: string;
  repo: string;
  number: number;
  marker: string;
  body: string;
}

function saveComment(dir: string, comment: SavedComment): void {
  const name = `comment-${comment.number}-${comment.marker.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}.json`;
  writeFileAtomic(path.join(dir, name), JSON.stringify(comment, null, 2));
}

/** Posts comments saved by a fork PR's run (the workflow_run follow-up). */
export async function postSavedComments(
  token: string,
  dir: string,
): Promise<Array<{ file: string; outcome: CommentOutcome }>> {
  if (!fs.existsSync(dir)) return [];
  const out: Array<{ file: string; outcome: CommentOutcome }> = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const c = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as SavedComment;
    if (
      typeof c.number !== 'number' ||
      typeof c.marker !== 'string' ||
      !c.marker.startsWith('<!-- tinyops:')
    )
      throw new TinyOpsError(
        'COMMENT_INVALID',
        `${file} is not a comment saved by a TinyOps action`,
        { where: path.join(dir, file), hint: 'Only pass the artifact the gate uploaded.' },
      );
    // The artifact comes from a fork's run: only its PR number and text are taken; the repository
    // is always this one.
    const target = {
      owner: github.context.repo.owner,
      repo: github.context.repo.repo,
      number: c.number,
    };
    out.push({ file, outcome: await upsertStickyComment(token, target, c.marker, c.body, dir) });
  }
  return out;
}
