/**
 * The `qemu` backend: qemu-system-arm for the board's machine with the UART on stdio and -icount
 * (so the firmware's timer counts executed instructions: the same figure on every run). Every
 * QEMU this starts is killed and reaped by close(), and killed at process exit if a caller forgot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { TinyOpsError } from '../errors';
import { findBoard } from '../analyze/boards';
import { QEMU_MPS2_AN386_ARGS } from '../build/qemu';
import type { Transport, TransportEnd } from './transport';

/** Emulated boards: board id -> qemu-system-arm arguments before `-kernel ELF`. */
const QEMU_MACHINES: Record<string, readonly string[]> = {
  'qemu-mps2-an386': QEMU_MPS2_AN386_ARGS,
};

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
}

/** Node runs no 'exit' handlers when a signal ends it: on SIGINT/SIGTERM (Ctrl-C, a cancelled
 * job) kill the emulators first, then die of the same signal as before. */
function killAllAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/** How many QEMU processes this process has running (tests check it drops to zero). */
export function liveQemuCount(): number {
  return live.size;
}

export function qemuArgsFor(board: string): readonly string[] {
  const id = findBoard(board).id;
  const args = QEMU_MACHINES[id];
  if (!args)
    throw new TinyOpsError('HIL_NO_EMULATOR', `Board "${board}" has no QEMU machine`, {
      where: '--board',
      hint: `The qemu backend runs ${Object.keys(QEMU_MACHINES).join(', ')}; test ${board} on the device itself with the serial backend (--backend serial --port /dev/ttyACM0).`,
    });
  return args;
}

export async function startQemu(
  elf: string,
  board: string,
  qemuBinary = 'qemu-system-arm',
): Promise<Transport> {
  const args = [...qemuArgsFor(board), '-kernel', elf];
  const child = spawn(qemuBinary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  killAllAtExit();
  live.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  // Writes after QEMU has gone fail with EPIPE; the `ended` promise reports that instead.
  child.stdin!.on('error', () => {});
  const ended = new Promise<TransportEnd>((resolve) => {
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (e) => resolve(e));
  });
  if (spawned) {
    live.delete(child);
    throw new TinyOpsError('HIL_NO_EMULATOR', `Cannot start ${qemuBinary}: ${spawned.message}`, {
      hint: 'Install QEMU: `sudo apt-get install qemu-system-arm` (on GitHub-hosted Ubuntu runners too).',
    });
  }
  let closed = false;
  return {
    description: `QEMU ${args[1]} (pid ${child.pid})`,
    pipelined: true,
    write: (text) =>
      new Promise<void>((resolve) => {
        if (child.stdin!.destroyed) return resolve();
        child.stdin!.write(text, 'latin1', () => resolve());
      }),
    onData: (listener) => child.stdout!.on('data', listener),
    ended,
    async close() {
      if (!closed) {
        closed = true;
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await ended;
    },
    diagnostics: () => stderr.trim().split('\n').slice(-3).join(' | '),
  };
}
