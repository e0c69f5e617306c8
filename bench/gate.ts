import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { referenceModels } from './reference';
import type { BenchRow } from './table';

/** Median wall time of a command over `runs` runs, in ms. */
function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { env, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** The bundled constraint-gate action on the largest reference model, run as the runner runs it
 * (a push event: no API calls), beside a node process that does nothing. */
export async function benchGate(): Promise<BenchRow[]> {
  const files = referenceModels();
  if (files.length === 0) return [{ name: 'reference models', value: 'absent: skipped' }];
  const largest = files
    .map((f) => ({ f, size: fs.statSync(f).size }))
    .reduce((a, b) => (b.size > a.size ? b : a));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-bench-gate-'));
  const env = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: path.join(dir, 'out'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REPOSITORY: 'bench/bench',
    INPUT_MODEL: largest.f,
    INPUT_BOARD: 'stm32h743',
    'INPUT_FAIL-ON': 'never',
    'INPUT_REPORT-PATH': path.join(dir, 'report.json'),
    INPUT_COMMENT: 'false',
  };
  fs.writeFileSync(env.GITHUB_OUTPUT, '');
  fs.writeFileSync(env.GITHUB_STEP_SUMMARY, '');
  try {
    const gate = wall(
      process.execPath,
      [path.resolve('actions/constraint-gate/dist/index.js')],
      env,
    );
    const noop = wall(process.execPath, ['-e', '0'], env);
    return [
      {
        name: `constraint-gate dist on ${path.basename(largest.f)} (${largest.size.toLocaleString('en-US')} B)`,
        value: `${gate.toFixed(0)} ms`,
      },
      { name: 'node -e 0 (process start)', value: `${noop.toFixed(0)} ms` },
      { name: 'gate work beyond process start', value: `${(gate - noop).toFixed(0)} ms` },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
