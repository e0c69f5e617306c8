import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The firmware template in this repo. */
export const FIRMWARE_DIR = path.resolve(__dirname, '../../firmware-template');

/** True when `tool` runs (`tool --version` exits 0). */
export function haveTool(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/** The runtime's C sources (the op files included), for a host build. */
export function runtimeSources(): string[] {
  const rt = path.join(FIRMWARE_DIR, 'runtime');
  const ops = path.join(rt, 'ops');
  return [
    ...fs
      .readdirSync(rt)
      .filter((f) => f.endsWith('.c'))
      .map((f) => path.join(rt, f)),
    ...fs
      .readdirSync(ops)
      .filter((f) => f.endsWith('.c'))
      .map((f) => path.join(ops, f)),
  ].sort();
}

/** The sanitizer flags every host build of the runtime uses: any UB or bad access aborts. */
export const SANITIZE_FLAGS = [
  '-std=c99',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-fsanitize=address,undefined',
  '-fno-sanitize-recover=all',
  '-g',
  '-O1',
];

/** Builds firmware-template/host/host_runner.c with the runtime into a fresh temp dir.
 * `defines` such as TOR_DSP_EMULATE select other kernel paths. */
export function buildHostRunner(
  prefix: string,
  defines: string[] = [],
): { dir: string; exe: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const exe = path.join(dir, 'host_runner');
  execFileSync(
    'gcc',
    [
      ...SANITIZE_FLAGS,
      ...defines.map((d) => `-D${d}`),
      '-o',
      exe,
      path.join(FIRMWARE_DIR, 'host', 'host_runner.c'),
      ...runtimeSources(),
      '-lm',
    ],
    { stdio: 'pipe' },
  );
  return { dir, exe };
}
