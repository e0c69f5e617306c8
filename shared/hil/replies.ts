/**
 * Parsers for the device's reply lines: the MLPerf Tiny harness's own (`m-results-[..]`,
 * `m-lap-us-N`, `m-name-dut-[..]`, `m-model-[..]`) and the TinyOps additions (`m-tinyops-[..]`,
 * `m-output-hex-[..]`, `m-counters-[..]`, and the HardFault report `e-[hardfault ..]`).
 */

/** What `tinyops%` reports (key=value pairs; unknown keys are kept, not refused). */
export interface DeviceHello {
  protocol: number;
  board?: string;
  model?: string;
  input?: { type: string; bytes: number };
  output?: { type: string; bytes: number };
  /** Download buffer capacity in bytes. */
  db?: number;
  counter?: string;
  /** `semihosting`: the device can fill its download buffer from a host file (`db-host`). */
  hostio?: string;
  arena?: number;
  extra: Record<string, string>;
}

export interface Counters {
  unit: string;
  infers: number;
  total: number;
  min: number;
  max: number;
}

export interface FaultReport {
  pc: number;
  lr: number;
  cfsr: number;
  hfsr: number;
  bfar: number;
}

const BRACKETED = (prefix: string) => new RegExp(`^${prefix}\\[([^\\]]*)\\]$`);
const RESULTS = BRACKETED('m-results-');
const HELLO = BRACKETED('m-tinyops-');
const OUTPUT_HEX = BRACKETED('m-output-hex-');
const COUNTERS = BRACKETED('m-counters-');
const NAME = BRACKETED('m-name-dut-');
const MODEL = BRACKETED('m-model-');
const PROFILE = BRACKETED('m-profile-');
const LAP = /^m-lap-us-(\d+)$/;
const FAULT = /^e-\[hardfault ([^\]]*)\]$/;

function keyValues(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of body.split(' ')) {
    const eq = item.indexOf('=');
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function find<T>(lines: readonly string[], re: RegExp, map: (m: RegExpExecArray) => T): T | null {
  for (const l of lines) {
    const m = re.exec(l);
    if (m) return map(m);
  }
  return null;
}

/** `m-results-[0.1,0.9,]`: the values (empty items dropped, as the runner does), or null. */
export function parseResults(lines: readonly string[]): number[] | null {
  return find(lines, RESULTS, (m) =>
    m[1]
      .split(',')
      .filter((s) => s.trim() !== '')
      .map(Number),
  );
}

/** The `m-lap-us-N` timestamps in order. */
export function parseLaps(lines: readonly string[]): number[] {
  return lines.flatMap((l) => {
    const m = LAP.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

export function parseHello(lines: readonly string[]): DeviceHello | null {
  return find(lines, HELLO, (m) => {
    const kv = keyValues(m[1]);
    const typed = (s?: string) => {
      const t = s ? /^(\w+):(\d+)$/.exec(s) : null;
      return t ? { type: t[1], bytes: Number(t[2]) } : undefined;
    };
    const num = (s?: string) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
    const { protocol, board, model, input, output, db, counter, hostio, arena, ...extra } = kv;
    return {
      protocol: num(protocol) ?? 0,
      board,
      model,
      input: typed(input),
      output: typed(output),
      db: num(db),
      counter,
      hostio,
      arena: num(arena),
      extra,
    };
  });
}

/** `m-output-hex-[..]` as bytes; null when absent or not whole hex bytes. */
export function parseOutputHex(lines: readonly string[]): Uint8Array | null {
  const hex = find(lines, OUTPUT_HEX, (m) => m[1]);
  if (hex === null || hex.length % 2 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function parseCounters(lines: readonly string[]): Counters | null {
  return find(lines, COUNTERS, (m) => {
    const kv = keyValues(m[1]);
    const n = (k: string) => Number(kv[k] ?? NaN);
    const c = {
      unit: kv.unit ?? '',
      infers: n('infers'),
      total: n('total'),
      min: n('min'),
      max: n('max'),
    };
    return c.unit && [c.infers, c.total, c.min, c.max].every(Number.isFinite) ? c : null;
  });
}

export function parseName(lines: readonly string[]): string | null {
  return find(lines, NAME, (m) => m[1]);
}

export function parseProfile(lines: readonly string[]): {
  profile: string | null;
  model: string | null;
} {
  return { profile: find(lines, PROFILE, (m) => m[1]), model: find(lines, MODEL, (m) => m[1]) };
}

/** The template's HardFault report: `e-[hardfault pc=0x.. lr=0x.. cfsr=0x.. hfsr=0x.. bfar=0x..]`. */
export function parseFault(line: string): FaultReport | null {
  const m = FAULT.exec(line);
  if (!m) return null;
  const kv = keyValues(m[1]);
  const hex = (k: string) => (kv[k] ? parseInt(kv[k].replace(/^0x/i, ''), 16) : NaN);
  const f = {
    pc: hex('pc'),
    lr: hex('lr'),
    cfsr: hex('cfsr'),
    hfsr: hex('hfsr'),
    bfar: hex('bfar'),
  };
  return Number.isFinite(f.pc) ? f : null;
}

/** The `e-[...]` lines of a reply (errors the harness reported). */
export function errorLines(lines: readonly string[]): string[] {
  return lines.filter((l) => l.startsWith('e-'));
}
