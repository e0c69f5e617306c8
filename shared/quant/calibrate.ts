import type { Model } from '../tflite/ir';
import type { FloatExecutor } from './float-exec';
import { asymmetricParams, roundTripError } from './params';
import { isConstant } from './tensor-data';
import { mulberry32 } from '../util/prng';

/**
 * Calibration: run the float model over the representative samples and record, for every
 * activation tensor, its exact min/max and a bounded subsample of its values (for the percentile
 * and MSE methods, which need the distribution, not only the extremes).
 */

export type CalibrationMethod = 'minmax' | 'percentile' | 'mse';

export interface TensorRange {
  min: number;
  max: number;
}

export interface CalibrationResult {
  method: CalibrationMethod;
  samples: number;
  /** Per tensor index; only activation tensors (not constants) have a range. */
  ranges: Map<number, TensorRange>;
}

export interface CalibrationOptions {
  method: CalibrationMethod;
  /** Percentile for the percentile method (99.99 by default). */
  percentile?: number;
  /** Values kept per tensor for the percentile and MSE methods. */
  reservoir?: number;
  onProgress?: (done: number, total: number) => void;
}

interface Observed {
  min: number;
  max: number;
  kept: number[];
  invalid: boolean;
}

/** Deterministic draws, so calibration gives the same model every run. */
const prng = mulberry32;

export function calibrate(
  model: Model,
  executor: FloatExecutor,
  samples: Float32Array[][],
  options: CalibrationOptions,
): CalibrationResult {
  const sg = model.subgraphs[0];
  const reservoir = options.reservoir ?? 65536;
  const needValues = options.method !== 'minmax';
  const perSample = Math.max(1, Math.ceil(reservoir / Math.max(1, samples.length)));
  const rand = prng(0x7199);
  const observed = new Map<number, Observed>();
  const activations = sg.tensors
    .map((_, i) => i)
    .filter((i) => !isConstant(model, sg.tensors[i]) && sg.tensors[i].type === 'FLOAT32');
  samples.forEach((inputs, s) => {
    const values = executor.run(inputs);
    for (const t of activations) {
      const v = values[t];
      if (!v) continue;
      let o = observed.get(t);
      if (!o) observed.set(t, (o = { min: Infinity, max: -Infinity, kept: [], invalid: false }));
      for (let i = 0; i < v.length; i++) {
        if (v[i] < o.min) o.min = v[i];
        if (v[i] > o.max) o.max = v[i];
        // NaN compares false above: record it so quantization can refuse the range.
        if (v[i] !== v[i]) o.invalid = true;
      }
      if (needValues) {
        const stride = Math.max(1, v.length / perSample);
        for (let p = rand() * stride; p < v.length; p += stride) o.kept.push(v[Math.floor(p)]);
      }
    }
    options.onProgress?.(s + 1, samples.length);
  });
  const ranges = new Map<number, TensorRange>();
  for (const [t, o] of observed) {
    if (o.invalid) ranges.set(t, { min: NaN, max: NaN });
    else if (options.method === 'minmax' || o.kept.length === 0)
      ranges.set(t, { min: o.min, max: o.max });
    else if (options.method === 'percentile')
      ranges.set(t, percentileRange(o, options.percentile ?? 99.99));
    else ranges.set(t, mseRange(o));
  }
  return { method: options.method, samples: samples.length, ranges };
}

/** Clips both tails at the given percentile of the observed values. The exact extremes are kept
 * when the subsample is too small to resolve that percentile. */
function percentileRange(o: Observed, pct: number): TensorRange {
  const sorted = Float64Array.from(o.kept).sort();
  const tail = ((100 - pct) / 100) * sorted.length;
  if (tail < 1) return { min: o.min, max: o.max };
  const lo = sorted[Math.floor(tail)];
  const hi = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length - 1 - tail))];
  return { min: o.min >= 0 ? o.min : lo, max: hi };
}

/** The clipping range that minimises the quantize-dequantize squared error over the observed
 * values. Coordinate search over shrink factors of [min, max]: both ends together, then the top
 * with the bottom fixed, then the bottom (one side only when the other is 0, as after ReLU). */
function mseRange(o: Observed): TensorRange {
  const values = Float32Array.from(o.kept);
  const steps = 48;
  const fractions = Array.from({ length: steps }, (_, i) => 1 - (i / steps) * 0.9);
  let best = { min: o.min, max: o.max };
  let bestErr = roundTripError(values, asymmetricParams(best.min, best.max));
  const tryRange = (range: TensorRange) => {
    const err = roundTripError(values, asymmetricParams(range.min, range.max));
    if (err < bestErr) {
      bestErr = err;
      best = range;
    }
  };
  for (const f of fractions) tryRange({ min: o.min * f, max: o.max * f });
  const afterBoth = best;
  if (o.max > 0) for (const f of fractions) tryRange({ min: afterBoth.min, max: o.max * f });
  const afterTop = best;
  if (o.min < 0) for (const f of fractions) tryRange({ min: o.min * f, max: afterTop.max });
  return best;
}
