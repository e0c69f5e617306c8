import { TinyOpsError } from '../errors';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};
/** Units people write that do not say whether they mean 1000 or 1024. */
const AMBIGUOUS = /^(k|K|KB|kb|Kb|M|MB|mb|G|GB|gb|kB)$/;

/** Parses a byte size: a whole number of bytes or a number with B, KiB, MiB or GiB. Ambiguous
 * units (K, KB, M, MB...) are refused, because boards' datasheets and people disagree on them. */
export function parseSize(value: string | number, where: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return value;
    throw new TinyOpsError('CONFIG_SIZE', `${where}: ${value} is not a whole number of bytes`, {
      where,
      hint: 'Write a whole number of bytes (262144) or use a unit: 256KiB, 1MiB.',
    });
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(value);
  if (m && AMBIGUOUS.test(m[2])) {
    const n = Number(m[1]);
    throw new TinyOpsError(
      'CONFIG_SIZE',
      `${where}: "${value}" is ambiguous: ${m[2]} can mean 1000 or 1024 bytes`,
      {
        where,
        hint: `Write ${n}${m[2].startsWith('k') || m[2].startsWith('K') ? 'KiB' : m[2].startsWith('M') || m[2].startsWith('m') ? 'MiB' : 'GiB'} for powers of 1024, or the number of bytes.`,
      },
    );
  }
  if (!m || !(m[2] in SIZE_UNITS)) {
    throw new TinyOpsError('CONFIG_SIZE', `${where}: "${value}" is not a size`, {
      where,
      hint: 'Write a whole number of bytes (262144) or a number with B, KiB, MiB or GiB (256KiB, 1.5MiB).',
    });
  }
  const bytes = Number(m[1]) * SIZE_UNITS[m[2]];
  if (!Number.isInteger(bytes))
    throw new TinyOpsError('CONFIG_SIZE', `${where}: "${value}" is not a whole number of bytes`, {
      where,
      hint: 'Use a value that comes to whole bytes.',
    });
  return bytes;
}

/** Parses a duration into milliseconds: a number (ms), or a number with us, ms or s. */
export function parseDurationMs(value: string | number, where: string): number {
  if (typeof value === 'number' && value >= 0) return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?\s*$/.exec(String(value));
  if (!m)
    throw new TinyOpsError('CONFIG_DURATION', `${where}: "${value}" is not a duration`, {
      where,
      hint: 'Write milliseconds as a number (50) or with a unit: 500us, 50ms, 0.2s.',
    });
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return unit === 's' ? n * 1000 : unit === 'ms' ? n : n / 1000;
}

/** Parses a fraction: 0.9, "90%". */
export function parseFraction(value: string | number, where: string): number {
  const text = String(value).trim();
  const pct = text.endsWith('%');
  const n = Number(pct ? text.slice(0, -1) : text);
  const f = pct ? n / 100 : n;
  if (!Number.isFinite(f) || f < 0 || f > 1 || text === '')
    throw new TinyOpsError(
      'CONFIG_FRACTION',
      `${where}: "${value}" is not a fraction between 0 and 1`,
      {
        where,
        hint: 'Write a fraction (0.9) or a percentage (90%).',
      },
    );
  return f;
}

/** Formats a fraction as a percentage with one decimal: 0.937 -> "93.7%". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Formats bytes the way reports show them: exact bytes plus KiB. */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 1024) return `${bytes} B`;
  if (Math.abs(bytes) < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
