/**
 * ADD with numpy broadcasting. int8 follows TFLite Micro's AddFunc: both inputs shifted left by
 * 20 bits, rescaled to twice the larger input scale, summed, rescaled to the output; float32 adds
 * and clamps to the fused activation.
 */
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  type QuantizedMultiplier,
} from '../fixedpoint';
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { type ActivationRange, activationRangeFloat, activationRangeInt8 } from '../kernel-util';
import { prepareBinary } from './binary';

export const ADD_LEFT_SHIFT = 20;

export interface AddInt8Params {
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  leftShift: number;
  input1: QuantizedMultiplier;
  input2: QuantizedMultiplier;
  output: QuantizedMultiplier;
  actMin: number;
  actMax: number;
}

/** QuantizeMultiplierSmallerThanOneExp: a multiplier in (0, 1). */
function smallerThanOne(real: number): QuantizedMultiplier {
  ensure(real > 0 && real < 1, `ADD rescale factor ${real} is outside (0, 1)`);
  return quantizeMultiplier(real);
}

/** CalculateOpDataAdd for int8. */
export function addInt8Params(
  scale1: number,
  zeroPoint1: number,
  scale2: number,
  zeroPoint2: number,
  outScale: number,
  outZeroPoint: number,
  range: ActivationRange,
): AddInt8Params {
  const twiceMaxInputScale = 2 * Math.max(scale1, scale2);
  return {
    input1Offset: -zeroPoint1,
    input2Offset: -zeroPoint2,
    outputOffset: outZeroPoint,
    leftShift: ADD_LEFT_SHIFT,
    input1: smallerThanOne(scale1 / twiceMaxInputScale),
    input2: smallerThanOne(scale2 / twiceMaxInputScale),
    output: smallerThanOne(twiceMaxInputScale / (2 ** ADD_LEFT_SHIFT * outScale)),
    ...range,
  };
}

/** One int8 sum (AddFunc). */
export function addInt8Value(p: AddInt8Params, x: number, y: number): number {
  const shifted1 = (x + p.input1Offset) * (1 << p.leftShift);
  const shifted2 = (y + p.input2Offset) * (1 << p.leftShift);
  const scaled1 = multiplyByQuantizedMultiplier(shifted1, p.input1.multiplier, p.input1.shift);
  const scaled2 = multiplyByQuantizedMultiplier(shifted2, p.input2.multiplier, p.input2.shift);
  const raw =
    multiplyByQuantizedMultiplier((scaled1 + scaled2) | 0, p.output.multiplier, p.output.shift) +
    p.outputOffset;
  return raw < p.actMin ? p.actMin : raw > p.actMax ? p.actMax : raw;
}

/** Element i of the output takes input1[index1[i]] and input2[index2[i]] (null: same index). */
export function addInt8(
  p: AddInt8Params,
  input1: Int8Array,
  input2: Int8Array,
  output: Int8Array,
  index1: Int32Array | null,
  index2: Int32Array | null,
): void {
  for (let i = 0; i < output.length; i++)
    output[i] = addInt8Value(p, input1[index1 ? index1[i] : i], input2[index2 ? index2[i] : i]);
}

export function addFloat(
  range: ActivationRange,
  input1: Float32Array,
  input2: Float32Array,
  output: Float32Array,
  index1: Int32Array | null,
  index2: Int32Array | null,
): void {
  for (let i = 0; i < output.length; i++) {
    const v = Math.fround(input1[index1 ? index1[i] : i] + input2[index2 ? index2[i] : i]);
    output[i] = Math.min(Math.max(v, range.actMin), range.actMax);
  }
}

export const addKernel: Kernel = {
  op: 'ADD',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const { a, b, output, activation, index1: i1, index2: i2 } = prepareBinary(ctx, 'AddOptions');
    if (a.type === 'FLOAT32') {
      const range = activationRangeFloat(activation);
      const [x, y, z] = [a.float32(), b.float32(), output.float32()];
      return () => addFloat(range, x, y, z, i1, i2);
    }
    const params = addInt8Params(
      a.scale,
      a.zeroPoint,
      b.scale,
      b.zeroPoint,
      output.scale,
      output.zeroPoint,
      activationRangeInt8(activation, output.scale, output.zeroPoint),
    );
    const [x, y, z] = [a.int8(), b.int8(), output.int8()];
    return () => addInt8(params, x, y, z, i1, i2);
  },
};
