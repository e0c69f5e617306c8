/**
 * Opens the device for a run: the backend's link (QEMU started, or the board flashed, the port
 * opened and the board reset), the harness reached, and the device identified.
 */
import { TinyOpsError } from '../errors';
import { hilError } from './errors';
import { HarnessLink, type LinkOptions } from './link';
import { startQemu } from './qemu';
import { openSerial, runDeviceCommand } from './serial';
import { errorLines, parseHello, parseName, parseProfile, type DeviceHello } from './replies';
import type { HilBackendName } from './report';
import type { Transport } from './transport';

export interface SerialBackendOptions {
  port: string;
  baud?: number;
  /** Shell command that flashes the board: {elf}, {bin}, {hex}, {port} are filled in. */
  flashCommand?: string;
  /** Shell command that resets the board (run after the port is open, so the banner is seen). */
  resetCommand?: string;
}

export interface OpenOptions {
  backend: HilBackendName;
  firmware: string;
  board: string;
  serial?: SerialBackendOptions;
  bootTimeoutMs: number;
  commandTimeoutMs: number;
  qemuBinary?: string;
  link?: LinkOptions;
  onLine?: (line: string) => void;
}

export interface DeviceIdentity {
  name: string | null;
  profile: string | null;
  modelId: string | null;
  hello: DeviceHello | null;
}

export interface DeviceSession {
  link: HarnessLink;
  transport: Transport;
  identity: DeviceIdentity;
}

async function openTransport(o: OpenOptions): Promise<{ transport: Transport; link: HarnessLink }> {
  if (o.backend === 'qemu') {
    const transport = await startQemu(o.firmware, o.board, o.qemuBinary);
    const link = new HarnessLink(transport, o.link);
    try {
      await link.waitForBoot(o.bootTimeoutMs);
    } catch (e) {
      await transport.close();
      throw e;
    }
    return { transport, link };
  }
  const s = o.serial;
  if (!s?.port)
    throw new TinyOpsError('HIL_NO_PORT', "The serial backend needs the device's port", {
      where: '--port',
      hint: "Give --port /dev/ttyACM0 (action input `port`), the board's serial device on the self-hosted runner.",
    });
  const vars = {
    elf: o.firmware,
    bin: o.firmware.replace(/\.elf$/, '.bin'),
    hex: o.firmware.replace(/\.elf$/, '.hex'),
    port: s.port,
  };
  if (s.flashCommand) await runDeviceCommand('flash', s.flashCommand, vars, o.onLine);
  const transport = await openSerial({
    port: s.port,
    baud: s.baud,
    appearTimeoutMs: o.bootTimeoutMs,
  });
  const link = new HarnessLink(transport, o.link);
  try {
    if (s.resetCommand) {
      await runDeviceCommand('reset', s.resetCommand, vars, o.onLine);
      await link.waitForBootOrProbe(o.bootTimeoutMs);
    } else {
      await link.probe(o.bootTimeoutMs);
    }
  } catch (e) {
    await transport.close();
    throw e;
  }
  return { transport, link };
}

/** What the device says it is: `name%`, `profile%`, and the TinyOps handshake `tinyops%`
 * (a plain MLPerf Tiny port answers the last with `e-[Unknown command...]`). */
async function identify(link: HarnessLink, timeoutMs: number): Promise<DeviceIdentity> {
  const [name, profile, hello] = await link.commands(
    [
      { command: 'name', timeoutMs },
      { command: 'profile', timeoutMs },
      { command: 'tinyops', timeoutMs },
    ],
    'identifying the device',
  );
  const h = parseHello(hello);
  if (!h && errorLines(hello).length === 0)
    throw hilError(
      'HIL_PROTOCOL',
      `The device answered \`tinyops%\` with neither the handshake nor an error: ${hello.join(' | ') || '(nothing)'}`,
      {
        hint: 'A plain MLPerf Tiny port answers unknown commands with `e-[Unknown command: ...]`; check that the port runs the harness.',
      },
    );
  const p = parseProfile(profile);
  return {
    name: parseName(name),
    profile: p.profile,
    modelId: p.model ?? h?.model ?? null,
    hello: h,
  };
}

export async function openDevice(o: OpenOptions): Promise<DeviceSession> {
  const { transport, link } = await openTransport(o);
  try {
    return { transport, link, identity: await identify(link, o.commandTimeoutMs) };
  } catch (e) {
    await transport.close();
    throw e;
  }
}
