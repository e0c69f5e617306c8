import { QEMU_MPS2_AN386_ARGS } from '../../shared/build/qemu';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { FIRMWARE_DIR, haveTool } from './helpers';

/** Helpers to configure/build the firmware template with CMake and run it under QEMU. */

export const QEMU_ARGS = [...QEMU_MPS2_AN386_ARGS];

export function haveArmToolchain(): boolean {
  return haveTool('arm-none-eabi-gcc') && haveTool('cmake');
}

export function haveQemu(): boolean {
  return haveTool('qemu-system-arm');
}

export interface BuildResult {
  ok: boolean;
  output: string;
  elf: string;
}

/** Configures (or reconfigures: one build dir per board is reused) and builds. `vars` are
 * CMake cache variables; an empty string clears one. */
export function buildFirmware(buildDir: string, vars: Record<string, string>): BuildResult {
  const defs = Object.entries(vars).map(([k, v]) => `-D${k}=${v}`);
  const generator = haveTool('ninja') ? ['-G', 'Ninja'] : [];
  const conf = spawnSync('cmake', ['-S', FIRMWARE_DIR, '-B', buildDir, ...generator, ...defs], {
    encoding: 'utf8',
  });
  if (conf.status !== 0) return { ok: false, output: conf.stdout + conf.stderr, elf: '' };
  const build = spawnSync('cmake', ['--build', buildDir], { encoding: 'utf8' });
  return {
    ok: build.status === 0,
    output: build.stdout + build.stderr,
    elf: path.join(buildDir, 'firmware.elf'),
  };
}

export interface QemuRun {
  code: number | null;
  stdout: string;
  timedOut: boolean;
}

/** Runs an ELF under QEMU; always killed after `timeoutMs`. `interact` may drive stdin. */
export function runQemu(
  elf: string,
  timeoutMs: number,
  interact?: (io: {
    send: (s: string) => void;
    waitFor: (re: RegExp) => Promise<string>;
  }) => Promise<void>,
): Promise<QemuRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-arm', [...QEMU_ARGS, '-kernel', elf], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let timedOut = false;
    const waiters: Array<{ re: RegExp; from: number; resolve: (s: string) => void }> = [];
    let consumed = 0;
    const check = () => {
      for (let i = 0; i < waiters.length; i++) {
        const w = waiters[i];
        const rest = stdout.slice(w.from);
        const m = w.re.exec(rest);
        if (m) {
          consumed = w.from + m.index + m[0].length;
          waiters.splice(i--, 1);
          w.resolve(rest.slice(0, m.index + m[0].length));
        }
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('latin1');
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      stdout += d.toString('latin1');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const w of waiters) w.resolve('');
      resolve({ code, stdout, timedOut });
    });
    if (interact) {
      const io = {
        send: (s: string) => {
          child.stdin.write(s);
        },
        waitFor: (re: RegExp) =>
          new Promise<string>((res) => {
            waiters.push({ re, from: consumed, resolve: res });
            check();
          }),
      };
      interact(io)
        .catch((err) => {
          stdout += `\ninteract failed: ${String(err)}`;
        })
        .finally(() => child.kill('SIGKILL'));
    }
  });
}

/** The self-test's `m-output-hex-[..]` and `m-instructions-N` lines. */
export function parseSelftest(stdout: string): {
  hex?: string;
  instructions?: number;
  arena?: number;
} {
  return {
    hex: /m-output-hex-\[([0-9a-f]*)\]/.exec(stdout)?.[1],
    instructions: Number(/m-instructions-(\d+)/.exec(stdout)?.[1] ?? NaN),
    arena: Number(/m-arena-used-(\d+)/.exec(stdout)?.[1] ?? NaN),
  };
}
