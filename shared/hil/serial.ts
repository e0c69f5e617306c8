/**
 * The `serial` backend: a tty on a self-hosted runner (a USB CDC port, a UART adapter, or a pty).
 * The line is set to raw 8N1 at the given baud with `stty`, read through Node's tty stream and
 * written through a second descriptor; an optional user command flashes the board first and an
 * optional one resets it after the port is open, so the boot banner is not missed.
 */
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { TinyOpsError } from '../errors';
import { runCommand } from '../build/run-command';
import type { Transport, TransportEnd } from './transport';

export interface SerialOptions {
  port: string;
  baud?: number;
  /** How long to wait for the port to appear (a USB device re-enumerates after flashing). */
  appearTimeoutMs?: number;
}

const STTY_RAW = [
  'raw',
  '-echo',
  '-echoe',
  '-echok',
  '-echoctl',
  '-echoke',
  '-ixon',
  '-ixoff',
  '-crtscts',
  'clocal',
  'cs8',
  '-cstopb',
  '-parenb',
];

async function waitForPath(p: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(p)) {
    if (Date.now() > deadline)
      throw new TinyOpsError('HIL_NO_PORT', `Serial port ${p} does not exist`, {
        where: '--port',
        hint: 'Check the device is plugged in and the path (ls /dev/ttyACM* /dev/ttyUSB* /dev/serial/by-id/); a stable /dev/serial/by-id/ path survives re-enumeration.',
      });
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function openSerial(options: SerialOptions): Promise<Transport> {
  const baud = options.baud ?? 115200;
  await waitForPath(options.port, options.appearTimeoutMs ?? 10_000);
  // GNU stty names the device with -F, BSD's (macOS runners) with -f.
  const device = process.platform === 'darwin' || process.platform.endsWith('bsd') ? '-f' : '-F';
  const stty = await runCommand('stty', [device, options.port, String(baud), ...STTY_RAW]);
  if (stty.code !== 0)
    throw new TinyOpsError(
      'HIL_NO_PORT',
      `Cannot set up ${options.port} at ${baud} baud: ${stty.output.trim()}`,
      {
        where: '--port',
        hint: 'The runner user needs read/write access to the port (add it to the dialout group), and the baud rate must be one the port supports.',
      },
    );
  let readFd: number, writeFd: number;
  try {
    readFd = fs.openSync(options.port, fs.constants.O_RDONLY | fs.constants.O_NOCTTY);
    writeFd = fs.openSync(options.port, fs.constants.O_WRONLY | fs.constants.O_NOCTTY);
  } catch (e) {
    throw new TinyOpsError('HIL_NO_PORT', `Cannot open ${options.port}: ${(e as Error).message}`, {
      where: '--port',
      hint: 'Check permissions (dialout group) and that no other program (a serial monitor) holds the port.',
    });
  }
  if (!tty.isatty(readFd)) {
    fs.closeSync(readFd);
    fs.closeSync(writeFd);
    throw new TinyOpsError('HIL_NO_PORT', `${options.port} is not a terminal device`, {
      where: '--port',
      hint: "Give the device node of the board's serial port, e.g. /dev/ttyACM0.",
    });
  }
  const input = new tty.ReadStream(readFd);
  const output = new tty.WriteStream(writeFd);
  output.on('error', () => {});
  const ended = new Promise<TransportEnd>((resolve) => {
    input.on('error', () => resolve({ code: null, signal: 'EIO (the port went away)' }));
    input.on('close', () => resolve({ code: null, signal: 'close' }));
  });
  let closed = false;
  return {
    description: `${options.port} at ${baud} baud`,
    // A real UART has no flow control here: one command at a time, as the MLPerf Tiny runner does.
    pipelined: false,
    write: (text) =>
      new Promise<void>((resolve) => {
        if (output.destroyed) return resolve();
        output.write(text, 'latin1', () => resolve());
      }),
    onData: (listener) =>
      input.on('data', (d: Buffer | string) =>
        listener(Buffer.isBuffer(d) ? d : Buffer.from(d, 'latin1')),
      ),
    ended,
    async close() {
      if (closed) return;
      closed = true;
      input.destroy();
      output.destroy();
      await Promise.race([ended, new Promise((r) => setTimeout(r, 500))]);
    },
    diagnostics: () => '',
  };
}

/** Runs a user's flash or reset command (a shell line) with {elf}, {bin}, {hex} and {port}
 * replaced by shell-quoted paths; fails with its output when it exits non-zero. */
export async function runDeviceCommand(
  what: 'flash' | 'reset',
  template: string,
  vars: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<void> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const line = template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? quote(vars[k]) : m));
  const r = await runCommand(line, [], { shell: true, onLine });
  if (r.code !== 0)
    throw new TinyOpsError(
      what === 'flash' ? 'HIL_FLASH' : 'HIL_RESET',
      `The ${what} command failed (exit ${r.code}): ${line}\n${r.output.trim().split('\n').slice(-8).join('\n')}`,
      {
        where: what === 'flash' ? '--flash-command' : '--reset-command',
        hint: `Run the command by hand on the runner; placeholders: {elf}, {bin}, {hex}, {port}.`,
      },
    );
}
