/**
 * Parameter derivations several kernels share, each as TFLite Micro's kernel_util / padding code
 * computes it: fused activation ranges, SAME/VALID padding, per-channel output multipliers.
 */
import { quantizeMultiplier, roundHalfAway } from './fixedpoint';
import { ensure, type TensorRef } from './kernel';
import type { Activation, Padding } from './options';

export const INT8_MIN = -128;
export const INT8_MAX = 127;
/** std::numeric_limits<float>::max(): TFLite clamps float activations to it, not to Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Clamp bounds of a fused activation, in the output's domain. */
export interface ActivationRange {
  actMin: number;
  actMax: number;
}

/** CalculateActivationRangeQuantized for int8 outputs: the fused activation's bounds in the
 * output's quantized domain (quantize(f) = zp + round(f / scale) in float32). */
export function activationRangeInt8(
  activation: Activation,
  outputScale: number,
  outputZeroPoint: number,
): ActivationRange {
  const quantize = (f: number) => outputZeroPoint + roundHalfAway(Math.fround(f / outputScale));
  switch (activation) {
    case 'NONE':
      return { actMin: INT8_MIN, actMax: INT8_MAX };
    case 'RELU':
      return { actMin: Math.max(INT8_MIN, quantize(0)), actMax: INT8_MAX };
    case 'RELU6':
      return { actMin: Math.max(INT8_MIN, quantize(0)), actMax: Math.min(INT8_MAX, quantize(6)) };
    case 'RELU_N1_TO_1':
      return { actMin: Math.max(INT8_MIN, quantize(-1)), actMax: Math.min(INT8_MAX, quantize(1)) };
    default:
      ensure(false, `fused activation ${activation} is not supported`);
  }
}

/** CalculateActivationRange for float32 outputs. */
export function activationRangeFloat(activation: Activation): ActivationRange {
  switch (activation) {
    case 'NONE':
      return { actMin: -FLOAT32_MAX, actMax: FLOAT32_MAX };
    case 'RELU':
      return { actMin: 0, actMax: FLOAT32_MAX };
    case 'RELU6':
      return { actMin: 0, actMax: 6 };
    case 'RELU_N1_TO_1':
      return { actMin: -1, actMax: 1 };
    default:
      ensure(false, `fused activation ${activation} is not supported`);
  }
}

/** ComputeOutSize and ComputePaddingWithOffset: the output extent and the padding before the
 * first element (any odd extra padding goes after the last). */
export function computePadding(
  padding: Padding,
  inSize: number,
  filterSize: number,
  stride: number,
  dilation: number,
): { outSize: number; before: number } {
  const effectiveFilter = (filterSize - 1) * dilation + 1;
  const outSize =
    padding === 'SAME'
      ? Math.trunc((inSize + stride - 1) / stride)
      : Math.trunc((inSize + stride - effectiveFilter) / stride);
  const total = Math.max(0, (outSize - 1) * stride + effectiveFilter - inSize);
  return { outSize, before: Math.trunc(total / 2) };
}

/** Per-output-channel multipliers for CONV_2D, DEPTHWISE_CONV_2D and per-channel FULLY_CONNECTED
 * (PopulateConvolutionQuantizationParams): input scale x filter scale / output scale, in double,
 * a per-tensor filter scale broadcast to every channel. */
export function outputMultipliers(
  inputScale: number,
  filterScales: readonly number[],
  outputScale: number,
  channels: number,
): { multipliers: Int32Array; shifts: Int32Array } {
  ensure(
    filterScales.length === 1 || filterScales.length === channels,
    `the filter has ${filterScales.length} scales for ${channels} output channels`,
  );
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const filterScale = filterScales.length === 1 ? filterScales[0] : filterScales[c];
    const q = quantizeMultiplier((inputScale * filterScale) / outputScale);
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  return { multipliers, shifts };
}

/** A tensor's 4-D dimensions (NHWC); refuses other ranks. */
export function dims4(t: TensorRef, role: string): [number, number, number, number] {
  ensure(t.shape.length === 4, `${role} must be 4-D, got shape [${t.shape.join(', ')}]`);
  return [t.shape[0], t.shape[1], t.shape[2], t.shape[3]];
}

/** Refuses a quantized kernel on a tensor without quantization parameters. */
export function ensureQuantized(t: TensorRef, role: string): void {
  ensure(
    t.scales.length > 0 && t.scale > 0,
    `${role} "${t.name}" (${t.type}) has no quantization scale`,
  );
}

export function ensureType(t: TensorRef, types: readonly string[], role: string): void {
  ensure(
    types.includes(t.type),
    `${role} "${t.name}" is ${t.type}; expected ${types.join(' or ')}`,
  );
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Shapes, strides and leading padding of AVERAGE_POOL_2D and MAX_POOL_2D (NHWC in and out). */
export interface PoolGeometry {
  batches: number;
  inH: number;
  inW: number;
  depth: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

export function poolGeometry(
  input: TensorRef,
  output: TensorRef,
  opts: { padding: Padding; strideW: number; strideH: number; filterW: number; filterH: number },
): PoolGeometry {
  const [batches, inH, inW, depth] = dims4(input, 'input');
  const [outB, outH, outW, outD] = dims4(output, 'output');
  const padH = computePadding(opts.padding, inH, opts.filterH, opts.strideH, 1);
  const padW = computePadding(opts.padding, inW, opts.filterW, opts.strideW, 1);
  ensure(
    outB === batches && outD === depth && outH === padH.outSize && outW === padW.outSize,
    `output shape [${output.shape.join(', ')}] does not match [${batches}, ${padH.outSize}, ${padW.outSize}, ${depth}]`,
  );
  return {
    batches,
    inH,
    inW,
    depth,
    outH,
    outW,
    filterH: opts.filterH,
    filterW: opts.filterW,
    strideH: opts.strideH,
    strideW: opts.strideW,
    padH: padH.before,
    padW: padW.before,
  };
}

/** For a broadcasting binary op: per output element, the flat index into each input (numpy
 * rules, shapes aligned at the last dimension). */
export function broadcastIndices(
  a: readonly number[],
  b: readonly number[],
  out: readonly number[],
): { a: Int32Array; b: Int32Array } {
  const rank = out.length;
  ensure(a.length <= rank && b.length <= rank, 'an input has more dimensions than the output');
  const aligned = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const da = aligned(a);
  const db = aligned(b);
  for (let d = 0; d < rank; d++) {
    ensure(
      (da[d] === out[d] || da[d] === 1) && (db[d] === out[d] || db[d] === 1),
      `shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast to [${out.join(', ')}]`,
    );
  }
  const strides = (s: number[]) => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let d = rank - 1; d >= 0; d--) {
      st[d] = s[d] === 1 ? 0 : acc;
      acc *= s[d];
    }
    return st;
  };
  const sa = strides(da);
  const sb = strides(db);
  const size = out.reduce((x, y) => x * y, 1);
  const ia = new Int32Array(size);
  const ib = new Int32Array(size);
  const index = new Array<number>(rank).fill(0);
  let offA = 0;
  let offB = 0;
  for (let i = 0; i < size; i++) {
    ia[i] = offA;
    ib[i] = offB;
    // Advance the multi-index like an odometer, keeping the offsets in step.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      offA += sa[d];
      offB += sb[d];
      if (index[d] < out[d]) break;
      offA -= sa[d] * out[d];
      offB -= sb[d] * out[d];
      index[d] = 0;
    }
  }
  return { a: ia, b: ib };
}
