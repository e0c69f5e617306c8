/**
 * MUL with numpy broadcasting. int8 (reference_integer_ops::MulElementwise): the product of the
 * zero-point-corrected inputs rescaled by input1 scale x input2 scale / output scale; float32
 * multiplies and clamps to the fused activation.
 */
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  type QuantizedMultiplier,
} from '../fixedpoint';
import type { Kernel, KernelContext } from '../kernel';
import { type ActivationRange, activationRangeFloat, activationRangeInt8 } from '../kernel-util';
import { prepareBinary } from './binary';

export interface MulInt8Params {
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  output: QuantizedMultiplier;
  actMin: number;
  actMax: number;
}

export function mulInt8Params(
  scale1: number,
  zeroPoint1: number,
  scale2: number,
  zeroPoint2: number,
  outScale: number,
  outZeroPoint: number,
  range: ActivationRange,
): MulInt8Params {
  return {
    input1Offset: -zeroPoint1,
    input2Offset: -zeroPoint2,
    outputOffset: outZeroPoint,
    output: quantizeMultiplier((scale1 * scale2) / outScale),
    ...range,
  };
}

export function mulInt8Value(p: MulInt8Params, x: number, y: number): number {
  const product = (x + p.input1Offset) * (y + p.input2Offset);
  const raw =
    p.outputOffset + multiplyByQuantizedMultiplier(product, p.output.multiplier, p.output.shift);
  return raw < p.actMin ? p.actMin : raw > p.actMax ? p.actMax : raw;
}

export function mulInt8(
  p: MulInt8Params,
  input1: Int8Array,
  input2: Int8Array,
  output: Int8Array,
  index1: Int32Array | null,
  index2: Int32Array | null,
): void {
  for (let i = 0; i < output.length; i++)
    output[i] = mulInt8Value(p, input1[index1 ? index1[i] : i], input2[index2 ? index2[i] : i]);
}

export function mulFloat(
  range: ActivationRange,
  input1: Float32Array,
  input2: Float32Array,
  output: Float32Array,
  index1: Int32Array | null,
  index2: Int32Array | null,
): void {
  for (let i = 0; i < output.length; i++) {
    const v = Math.fround(input1[index1 ? index1[i] : i] * input2[index2 ? index2[i] : i]);
    output[i] = Math.min(Math.max(v, range.actMin), range.actMax);
  }
}

export const mulKernel: Kernel = {
  op: 'MUL',
  maxVersion: 3,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const { a, b, output, activation, index1: i1, index2: i2 } = prepareBinary(ctx, 'MulOptions');
    if (a.type === 'FLOAT32') {
      const range = activationRangeFloat(activation);
      const [x, y, z] = [a.float32(), b.float32(), output.float32()];
      return () => mulFloat(range, x, y, z, i1, i2);
    }
    const params = mulInt8Params(
      a.scale,
      a.zeroPoint,
      b.scale,
      b.zeroPoint,
      output.scale,
      output.zeroPoint,
      activationRangeInt8(activation, output.scale, output.zeroPoint),
    );
    const [x, y, z] = [a.int8(), b.int8(), output.int8()];
    return () => mulInt8(params, x, y, z, i1, i2);
  },
};
