/** Device outputs against the host interpreter's: byte for byte (values of the raw output), or,
 * for a plain MLPerf Tiny port, its printed values to their 3 decimals. */
import type { Tensor } from '../tflite/ir';
import { typedView } from '../interp';
import { argmax } from '../data';
import type { HilMismatch, HilReport } from './report';

const MAX_MISMATCHES_LISTED = 50;
/** m-results prints 3 decimals: values within half a unit of the last place (plus float noise) agree. */
const PRINTED_TOLERANCE = 0.0005 + 1e-6;

/** Host output as the values m-results prints: dequantized floats. */
export function dequantized(raw: Uint8Array, t: Tensor): number[] {
  const v = typedView(raw, t.type);
  const q = t.quantization;
  if (t.type === 'FLOAT32' || !q || q.scale.length === 0) return Array.from(v);
  return Array.from(v, (x) => Math.fround((x - (q.zeroPoint[0] ?? 0)) * q.scale[0]));
}

/** Sample by sample: which outputs equal the host's, the first mismatches by sample and output
 * index, and how often both pick the same class. */
export function compare(
  host: ArrayLike<number>[],
  device: ArrayLike<number>[],
  mode: 'bytes' | 'printed',
  name: (i: number) => string,
): Omit<HilReport['agreement'], 'required'> {
  let exact = 0;
  let top1 = 0;
  let mismatchedElements = 0;
  const mismatches: HilMismatch[] = [];
  for (let s = 0; s < host.length; s++) {
    const h = host[s];
    const d = device[s];
    let same = h.length === d.length;
    for (let i = 0; i < Math.max(h.length, d.length); i++) {
      const ok =
        mode === 'bytes' ? Object.is(h[i], d[i]) : Math.abs(h[i] - d[i]) <= PRINTED_TOLERANCE;
      if (ok) continue;
      same = false;
      mismatchedElements++;
      if (mismatches.length < MAX_MISMATCHES_LISTED)
        mismatches.push({
          sample: s,
          name: name(s),
          index: i,
          device: d[i] ?? null,
          host: h[i] ?? null,
        });
    }
    if (same) exact++;
    if (argmax(h) === argmax(d)) top1++;
  }
  const n = host.length;
  return {
    mode,
    samples: n,
    exact,
    exactFraction: n ? exact / n : 1,
    top1: n ? top1 / n : 1,
    mismatchedElements,
    mismatches,
  };
}
