/**
 * The host end of the MLPerf Tiny harness protocol: '%'-terminated commands, replies read line by
 * line up to `m-ready`. Boot noise before the first `m-ready` is tolerated; after it, a line that
 * is not text or is over the length bound fails the run (a wrong baud rate or a runaway firmware),
 * a HardFault report fails it at once, and every reply has a deadline (a hang).
 */
import type { TinyOpsError } from '../errors';
import { hilError } from './errors';
import { describeFault } from './fault';
import { LineSplitter, isText, showLine, type LineEvent } from './lines';
import { parseFault } from './replies';
import type { Transport, TransportEnd } from './transport';
import type { FunctionSymbol } from '../elf/symbols';

/** The harness keeps 80 characters of a command; longer ones are silently cut. */
export const MAX_COMMAND_CHARS = 80;
export const DEFAULT_MAX_LINE_BYTES = 4096;
/** Text lines that are neither `m-` nor `e-` (a port's own logging) allowed in one reply. */
const MAX_LOG_LINES_PER_REPLY = 64;

export interface CommandSpec {
  command: string;
  timeoutMs: number;
}

export interface LinkOptions {
  maxLineBytes?: number;
  /** The firmware's function symbols, to name where a HardFault happened. */
  symbols?: readonly FunctionSymbol[];
  /** Lines outside the protocol (boot noise, a port's logging), for verbose output. */
  onLog?: (line: string) => void;
}

export class HarnessLink {
  private readonly splitter: LineSplitter;
  private readonly events: LineEvent[] = [];
  private wake: (() => void) | null = null;
  private end: TransportEnd | null = null;
  private strict = false;
  private bootNoise = 0;

  constructor(
    private readonly transport: Transport,
    private readonly options: LinkOptions = {},
  ) {
    this.splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    transport.onData((chunk) => {
      for (const ev of this.splitter.push(chunk)) {
        if (ev.kind === 'line' || this.strict) this.events.push(ev);
        else this.bootNoise++;
      }
      this.notify();
    });
    void transport.ended.then((e) => {
      this.end = e;
      this.notify();
    });
  }

  get description(): string {
    return this.transport.description;
  }

  /** Raises the line bound (e.g. once the handshake says how long `m-output-hex` lines get). */
  setMaxLineBytes(n: number): void {
    this.splitter.setMaxLineBytes(Math.max(n, DEFAULT_MAX_LINE_BYTES));
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    if (w) w();
  }

  /** The next line (or over-long line), or null at the deadline or when the link has ended. */
  private async nextEvent(deadline: number): Promise<LineEvent | null> {
    for (;;) {
      if (this.events.length) return this.events.shift()!;
      if (this.end) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The next whole line; over-long ones are skipped (noise while booting or attaching). */
  private async nextLine(deadline: number): Promise<string | null> {
    for (;;) {
      const ev = await this.nextEvent(deadline);
      if (!ev || ev.kind === 'line') return ev ? ev.text : null;
    }
  }

  /** Waits for the boot banner's `m-ready`, skipping whatever comes before it. */
  async waitForBoot(timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const seen: string[] = [];
    for (;;) {
      const line = await this.nextLine(deadline);
      if (line === null) throw this.bootFailure(timeoutMs, seen);
      const fault = parseFault(line);
      if (fault) throw this.faultError(fault, 'while booting');
      if (line.trim() === 'm-ready') {
        this.strict = true;
        return seen;
      }
      if (isText(line)) this.options.onLog?.(line);
      else this.bootNoise++;
      if (seen.length < 20) seen.push(line);
    }
  }

  /** After a reset: the boot banner, or, when none comes within a few seconds (a USB serial port
   * that enumerates after the banner, a pty the emulator has not noticed yet), a probe. */
  async waitForBootOrProbe(timeoutMs: number): Promise<void> {
    const started = Date.now();
    try {
      await this.waitForBoot(Math.min(timeoutMs, 3000));
    } catch (e) {
      if ((e as TinyOpsError).code !== 'HIL_BOOT' || this.end) throw e;
      await this.probe(Math.max(1000, timeoutMs - (Date.now() - started)));
    }
  }

  /** Attaches to a device that may have booted long ago, or is still booting: sends an unknown
   * command carrying a fresh token until the device answers it (`e-[Unknown command: TOKEN]`
   * then `m-ready`, from any MLPerf Tiny harness), then syncs once more so replies to earlier
   * probes cannot be taken for later commands' replies. */
  async probe(timeoutMs: number, everyMs = 500): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen: string[] = [];
    while (Date.now() < deadline) {
      if (await this.sync(Math.min(everyMs, deadline - Date.now()), seen)) {
        if (await this.sync(Math.max(1000, deadline - Date.now()), seen)) {
          this.strict = true;
          return;
        }
      }
      if (this.end) break;
    }
    throw this.bootFailure(timeoutMs, seen);
  }

  private syncCount = 0;

  /** Sends `%sync-TOKEN%` (the leading '%' ends any half-received command) and skips lines up
   * to that command's `m-ready`; false when it does not come in time. */
  private async sync(timeoutMs: number, seen: string[]): Promise<boolean> {
    const token = `sync-${process.pid}-${++this.syncCount}`;
    await this.transport.write(`%${token}%`);
    const deadline = Date.now() + timeoutMs;
    let answered = false;
    for (;;) {
      const line = await this.nextLine(deadline);
      if (line === null) return false;
      const fault = parseFault(line);
      if (fault) throw this.faultError(fault, 'while attaching');
      if (line.includes(token)) answered = true;
      else if (answered && line.trim() === 'm-ready') return true;
      else if (seen.length < 20) seen.push(line);
    }
  }

  /** Sends one command and returns its reply's lines (without `m-ready`). */
  async command(command: string, timeoutMs: number, context = ''): Promise<string[]> {
    return (await this.commands([{ command, timeoutMs }], context))[0];
  }

  /** Sends commands and reads their replies in order. Over a flow-controlled link they all go
   * out at once (the replies still come one by one); otherwise each waits for the last reply.
   * Each reply's deadline runs from the end of the one before. */
  async commands(specs: readonly CommandSpec[], context = ''): Promise<string[][]> {
    for (const s of specs) {
      if (s.command.length > MAX_COMMAND_CHARS || s.command.includes('%'))
        throw new Error(`harness command too long or with '%': ${s.command}`); // a bug here, not input
    }
    if (this.transport.pipelined)
      await this.transport.write(specs.map((s) => `${s.command}%`).join(''));
    const replies: string[][] = [];
    for (const s of specs) {
      if (!this.transport.pipelined) await this.transport.write(`${s.command}%`);
      replies.push(await this.reply(s, context));
    }
    return replies;
  }

  private async reply(spec: CommandSpec, context: string): Promise<string[]> {
    const deadline = Date.now() + spec.timeoutMs;
    const out: string[] = [];
    let logLines = 0;
    const where = `\`${spec.command}%\`${context ? ` (${context})` : ''}`;
    for (;;) {
      const ev = await this.nextEvent(deadline);
      if (ev === null) {
        if (this.end) throw this.endedError(where, out);
        throw hilError(
          'HIL_TIMEOUT',
          `No reply to ${where} within ${(spec.timeoutMs / 1000).toFixed(1)} s on ${this.transport.description}: the firmware hangs or is far slower than expected${out.length ? `; it last said: ${showLine(out[out.length - 1])}` : ''}`,
          {
            hint: 'Check the firmware under a debugger (an endless loop, a wait on a peripheral that never comes); if the model is just slow, raise the per-sample timeout (--timeout / timeout-seconds).',
          },
        );
      }
      if (ev.kind === 'overlong')
        throw this.garbage(
          where,
          `a line of over ${ev.bytes} bytes without a newline (it began ${JSON.stringify(showLine(ev.head))})`,
        );
      const line = ev.text;
      const fault = parseFault(line);
      if (fault) throw this.faultError(fault, `during ${where}`);
      if (!isText(line))
        throw this.garbage(where, `bytes that are not text: ${JSON.stringify(showLine(line))}`);
      const t = line.trim();
      if (t === 'm-ready') return out;
      if (t.startsWith('m-') || t.startsWith('e-')) out.push(t);
      else {
        this.options.onLog?.(line);
        if (++logLines > MAX_LOG_LINES_PER_REPLY)
          throw this.garbage(
            where,
            `over ${MAX_LOG_LINES_PER_REPLY} lines outside the protocol, e.g. ${JSON.stringify(showLine(line))}`,
          );
      }
    }
  }

  private garbage(where: string, what: string): TinyOpsError {
    return hilError(
      'HIL_GARBAGE',
      `The device answered ${where} with ${what}, not the harness protocol (${this.transport.description})`,
      {
        hint: 'Check the baud rate (the harness runs at 115200 8N1), that the port is the device under test, and that the firmware runs the MLPerf Tiny harness; noise like this also comes from firmware writing through a wild pointer.',
      },
    );
  }

  private faultError(
    fault: NonNullable<ReturnType<typeof parseFault>>,
    when: string,
  ): TinyOpsError {
    return hilError(
      'HIL_FAULT',
      `The firmware crashed ${when}: ${describeFault(fault, this.options.symbols)}`,
      {
        hint: 'Resolve the addresses with `arm-none-eabi-addr2line -e firmware.elf -f PC LR`; a stack overflow (STKERR/MSTKERR) wants a bigger STACK_SIZE, a bus fault at an odd address points at the arena or a wild pointer.',
      },
    );
  }

  private endedError(where: string, said: string[]): TinyOpsError {
    const e = this.end!;
    const how = e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
    const diag = this.transport.diagnostics();
    return hilError(
      'HIL_EXITED',
      `${this.transport.description} ${how} during ${where}${said.length ? `; last line: ${showLine(said[said.length - 1])}` : ''}${diag ? `; it printed: ${diag}` : ''}`,
      {
        hint: 'The firmware stopped without a HardFault report: look for a call to exit(), an assert, or a semihosting call in the firmware.',
      },
    );
  }

  private bootFailure(timeoutMs: number, seen: string[]): TinyOpsError {
    const diag = this.transport.diagnostics();
    const heard = seen.length
      ? `; it sent: ${seen
          .slice(-3)
          .map((l) => JSON.stringify(showLine(l)))
          .join(', ')}`
      : this.bootNoise
        ? `; it sent ${this.bootNoise} unreadable line(s)`
        : '; it sent nothing';
    const selftest = seen.some((l) => l.includes('m-selftest-done'));
    const ended = this.end
      ? ` (it ${this.end.signal ? `was killed by ${this.end.signal}` : `exited with code ${this.end.code}`})`
      : '';
    return hilError(
      'HIL_BOOT',
      `No \`m-ready\` from ${this.transport.description} within ${(timeoutMs / 1000).toFixed(1)} s${ended}${heard}${diag ? `; stderr: ${diag}` : ''}`,
      {
        hint: selftest
          ? 'This firmware is a self-test build (it ran once and exited): build it without a self-test input (SELFTEST_INPUT / --selftest-input) to get the UART harness.'
          : 'The firmware must run the MLPerf Tiny harness on its UART (the template does when built without SELFTEST_INPUT); check the port, the baud rate, and that the board was flashed and reset.',
      },
    );
  }
}
