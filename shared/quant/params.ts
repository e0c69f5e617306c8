/**
 * Quantization parameter arithmetic, following TFLite's int8 quantization spec and the
 * converter's choices: activations asymmetric over [-128, 127] with the range widened to hold 0
 * and an integral zero point picked the way the converter nudges it; weights symmetric over
 * [-127, 127] with zero point 0.
 */

export const INT8_MIN = -128;
export const INT8_MAX = 127;
export const INT32_MAX = 2147483647;

export interface AffineParams {
  scale: number;
  zeroPoint: number;
}

const f32 = Math.fround;

/** std::round, which the converter uses: halves away from zero (Math.round sends -2.5 to -2). */
export function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Asymmetric int8 params for a float range: the range always holds 0 (so 0 is exact, as padding
 * needs); scale = (max - min) / 255; the zero point from whichever end gives the smaller rounding
 * error, rounded and clamped into [-128, 127]. A degenerate range gets scale 1. */
export function asymmetricParams(minIn: number, maxIn: number): AffineParams {
  const min = Math.min(minIn, 0);
  const max = Math.max(maxIn, 0);
  if (max === min) return { scale: 1, zeroPoint: 0 };
  const scale = f32((max - min) / (INT8_MAX - INT8_MIN));
  const fromMin = INT8_MIN - min / scale;
  const fromMax = INT8_MAX - max / scale;
  const errMin = Math.abs(INT8_MIN) + Math.abs(min / scale);
  const errMax = Math.abs(INT8_MAX) + Math.abs(max / scale);
  const zp = errMin < errMax ? fromMin : fromMax;
  const zeroPoint = zp <= INT8_MIN ? INT8_MIN : zp >= INT8_MAX ? INT8_MAX : roundAway(zp);
  return { scale, zeroPoint };
}

/** Symmetric weight scale for a channel: max |w| / 127 (a channel of zeros gets a tiny positive
 * scale so the bias scale stays valid). */
export function symmetricScale(maxAbs: number): number {
  return maxAbs > 0 ? f32(maxAbs / INT8_MAX) : 1e-9;
}

export function quantizeValue(x: number, p: AffineParams, lo = INT8_MIN, hi = INT8_MAX): number {
  const q = roundAway(x / p.scale) + p.zeroPoint;
  return q < lo ? lo : q > hi ? hi : q;
}

/** Per-channel symmetric quantization of a weight tensor along `axis` (scales.length === 1 means
 * per tensor). Returns the int8 values, each channel's scale and its observed min and max. */
export function quantizeWeights(
  values: Float32Array,
  shape: readonly number[],
  axis: number | null,
  minScales?: number[],
): { q: Int8Array; scales: number[]; mins: number[]; maxs: number[] } {
  const channels = axis === null ? 1 : shape[axis];
  const inner = axis === null ? values.length : shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === null ? 0 : Math.floor(i / inner) % channels);
  const mins = new Array<number>(channels).fill(Infinity);
  const maxs = new Array<number>(channels).fill(-Infinity);
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i);
    if (values[i] < mins[c]) mins[c] = values[i];
    if (values[i] > maxs[c]) maxs[c] = values[i];
  }
  const scales = mins.map((mn, c) => {
    const s = symmetricScale(Math.max(Math.abs(mn), Math.abs(maxs[c])));
    return minScales && minScales[c] > s ? Math.fround(minScales[c]) : s;
  });
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = roundAway(values[i] / scales[channelOf(i)]);
    q[i] = v < -INT8_MAX ? -INT8_MAX : v > INT8_MAX ? INT8_MAX : v;
  }
  return {
    q,
    scales,
    mins: mins.map((m) => (Number.isFinite(m) ? m : 0)),
    maxs: maxs.map((m) => (Number.isFinite(m) ? m : 0)),
  };
}

/** Quantize-dequantize error of a float array under params (the MSE clipping search uses it). */
export function roundTripError(values: ArrayLike<number>, p: AffineParams): number {
  let err = 0;
  for (let i = 0; i < values.length; i++) {
    const d = (quantizeValue(values[i], p) - p.zeroPoint) * p.scale - values[i];
    err += d * d;
  }
  return err;
}
