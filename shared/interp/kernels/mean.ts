/**
 * MEAN over constant axes. int8 follows TFLite's QuantizedMeanOrSum: an int32 sum of the raw
 * values, the zero point times the count taken off, and one fixed-point multiplier for
 * input scale / output scale / count. float32 sums in float32 in input order, then divides.
 */
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixedpoint';
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { ensureQuantized, ensureType } from '../kernel-util';
import { reducerOptions } from '../options';

/** For each input element (row-major), the flat index of the output element it reduces into. */
export function reductionMap(
  shape: readonly number[],
  axes: readonly number[],
): { map: Int32Array; outputs: number; count: number } {
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(false);
  for (const a of axes) reduced[a] = true;
  const outStrides = new Array<number>(rank).fill(0);
  let outputs = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (reduced[d]) continue;
    outStrides[d] = outputs;
    outputs *= shape[d];
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const map = new Int32Array(size);
  const index = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < size; i++) {
    map[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      off += outStrides[d];
      if (index[d] < shape[d]) break;
      off -= outStrides[d] * shape[d];
      index[d] = 0;
    }
  }
  return { map, outputs, count: outputs === 0 ? 0 : size / outputs };
}

export interface MeanInt8Params {
  map: Int32Array;
  count: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
}

/** The multiplier of input scale / output scale with 1 / count folded in, as QuantizedMeanOrSum
 * does it (integer division of the multiplier shifted by floor(log2(count)), clamped shifts). */
export function meanInt8Params(
  inputScale: number,
  outputScale: number,
  inputZeroPoint: number,
  outputZeroPoint: number,
  map: Int32Array,
  count: number,
): MeanInt8Params {
  const q = quantizeMultiplier(inputScale / outputScale);
  let shift = 31 - Math.clz32(count); // floor(log2(count)), count < 2^31
  shift = Math.min(shift, 32, 31 + q.shift);
  const multiplier =
    shift >= 0 ? Number((BigInt(q.multiplier) << BigInt(shift)) / BigInt(count)) : q.multiplier;
  return {
    map,
    count,
    inputZeroPoint,
    outputZeroPoint,
    multiplier,
    shift: q.shift - Math.max(shift, 0),
  };
}

export function meanInt8(p: MeanInt8Params, input: Int8Array, output: Int8Array): void {
  const sums = new Int32Array(output.length);
  for (let i = 0; i < input.length; i++) sums[p.map[i]] += input[i];
  const zeroSum = Math.imul(p.inputZeroPoint, p.count);
  for (let o = 0; o < output.length; o++) {
    const v =
      multiplyByQuantizedMultiplier((sums[o] - zeroSum) | 0, p.multiplier, p.shift) +
      p.outputZeroPoint;
    output[o] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}

export function meanFloat(
  map: Int32Array,
  count: number,
  input: Float32Array,
  output: Float32Array,
): void {
  const f32 = Math.fround;
  output.fill(0);
  for (let i = 0; i < input.length; i++) output[map[i]] = f32(output[map[i]] + input[i]);
  if (count > 0) for (let o = 0; o < output.length; o++) output[o] = f32(output[o] / count);
}

export const meanKernel: Kernel = {
  op: 'MEAN',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    reducerOptions(ctx.options);
    const input = ctx.input(0);
    const axisTensor = ctx.input(1);
    const output = ctx.output(0);
    ensureType(input, ['INT8', 'FLOAT32'], 'input');
    ensure(output.type === input.type, `output is ${output.type} but input is ${input.type}`);
    ensure(axisTensor.constant, 'the axes must be a constant tensor');
    const rank = input.shape.length;
    const axes: number[] = [];
    for (const a of axisTensor.indices()) {
      const r = a < 0 ? a + rank : a;
      ensure(r >= 0 && r < rank, `axis ${a} is out of range for a ${rank}-D input`);
      if (!axes.includes(r)) axes.push(r);
    }
    const { map, outputs, count } = reductionMap(input.shape, axes);
    ensure(
      outputs === output.size,
      `output shape [${output.shape.join(', ')}] does not hold the ${outputs} means`,
    );
    if (input.type === 'FLOAT32') {
      const [x, y] = [input.float32(), output.float32()];
      return () => meanFloat(map, count, x, y);
    }
    ensureQuantized(input, 'input');
    ensureQuantized(output, 'output');
    ensure(count > 0, 'MEAN over an empty axis');
    const params = meanInt8Params(
      input.scale,
      output.scale,
      input.zeroPoint,
      output.zeroPoint,
      map,
      count,
    );
    const [x, y] = [input.int8(), output.int8()];
    return () => meanInt8(params, x, y);
  },
};
