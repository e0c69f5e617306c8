import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Workflow commands the action printed (::error ..., ::warning ...). */
  commands: string[];
}

const ROOT = path.resolve(__dirname, '../..');

/** Runs an action's bundled dist/index.js the way the runner does: inputs as INPUT_<NAME>
 * (upper-cased, dashes kept), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the event payload
 * file, and GITHUB_API_URL (a local server in tests). */
export async function runAction(
  action: string,
  inputs: Record<string, string>,
  options: {
    cwd?: string;
    env?: Record<string, string>;
    event?: { name: string; payload: unknown };
  } = {},
): Promise<ActionRun> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `tinyops-action-${action}-`));
  const outputFile = path.join(scratch, 'output');
  const summaryFile = path.join(scratch, 'summary');
  const eventFile = path.join(scratch, 'event.json');
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(summaryFile, '');
  fs.writeFileSync(eventFile, JSON.stringify(options.event?.payload ?? {}));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? scratch,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: options.event?.name ?? 'push',
    GITHUB_REPOSITORY: 'tinyops-test/firmware',
    GITHUB_WORKSPACE: options.cwd ?? scratch,
    GITHUB_SHA: 'f'.repeat(40),
    GITHUB_RUN_ID: '42',
    RUNNER_TEMP: scratch,
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(process.execPath, [path.join(ROOT, 'actions', action, 'dist', 'index.js')], {
    cwd: options.cwd ?? scratch,
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  const result: ActionRun = {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(fs.readFileSync(outputFile, 'utf8')),
    summary: fs.readFileSync(summaryFile, 'utf8'),
    commands: stdout.split('\n').filter((l) => l.startsWith('::')),
  };
  fs.rmSync(scratch, { recursive: true, force: true });
  return result;
}

/** GITHUB_OUTPUT's format: `name<<DELIM\nvalue\nDELIM` (or `name=value`). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      out[heredoc[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      out[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return out;
}

/** Bundles a TypeScript snippet (imports relative to the repository root, e.g.
 * `./shared/github/repo`) with the actions' esbuild settings and runs it with node, with the
 * runner's environment as runAction sets it. For testing shared/github directly: @actions/* are
 * ESM-only and are exercised, as in the actions, through the CJS bundle. */
export async function runBundled(
  source: string,
  options: { inputs?: Record<string, string>; env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-bundled-'));
  try {
    const outfile = path.join(scratch, 'index.js');
    fs.writeFileSync(path.join(scratch, 'snippet.ts'), source);
    // scripts/build.mjs is ESM, which jest cannot import: bundle in a node child process.
    const bundler = [
      `import * as esbuild from 'esbuild';`,
      `import { bundleOptions } from './scripts/build.mjs';`,
      `const [source, outfile] = process.argv.slice(1);`,
      `const o = bundleOptions('snippet.ts', outfile);`,
      `await esbuild.build({ ...o, entryPoints: undefined, stdin: { contents: (await import('node:fs')).readFileSync(source, 'utf8'), resolveDir: o.absWorkingDir, loader: 'ts', sourcefile: 'snippet.ts' } });`,
    ].join('\n');
    const built = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', bundler, path.join(scratch, 'snippet.ts'), outfile],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (built.status !== 0) throw new Error(`bundling the snippet failed:\n${built.stderr}`);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? scratch,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'tinyops-test/firmware',
      RUNNER_TEMP: scratch,
      ...options.env,
    };
    for (const [name, value] of Object.entries(options.inputs ?? {}))
      env[`INPUT_${name.toUpperCase()}`] = value;
    const child = spawn(process.execPath, [outfile], { cwd: options.cwd ?? scratch, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    return { code, stdout, stderr };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
