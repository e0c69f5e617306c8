/**
 * RELU6. int8 as TFLite Micro does it (Relu6Quantized): a clamp between the input's quantized 0
 * and 6, with no rescaling to the output's quantization. float32: min(max(x, 0), 6).
 */
import { roundHalfAway } from '../fixedpoint';
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { ensureQuantized } from '../kernel-util';

/** FloatToQuantizedType<int8_t>: round(value / scale) in float32 + zero point, saturated. */
export function floatToInt8(value: number, scale: number, zeroPoint: number): number {
  const q = roundHalfAway(Math.fround(value / scale)) + zeroPoint;
  return Math.min(127, Math.max(-128, q));
}

export function relu6Int8(lower: number, upper: number, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    output[i] = v > upper ? upper : v < lower ? lower : v;
  }
}

export function relu6Float(input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    output[i] = v > 6 ? 6 : v < 0 ? 0 : v;
  }
}

export const relu6Kernel: Kernel = {
  op: 'RELU6',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    ensure(
      input.type === 'INT8' || input.type === 'FLOAT32',
      `RELU6 on ${input.type} is not supported`,
    );
    ensure(output.type === input.type, `output is ${output.type} but input is ${input.type}`);
    ensure(input.size === output.size, 'input and output sizes differ');
    if (input.type === 'FLOAT32') {
      const [x, y] = [input.float32(), output.float32()];
      return () => relu6Float(x, y);
    }
    ensureQuantized(input, 'input');
    const lower = input.zeroPoint;
    const upper = floatToInt8(6, input.scale, input.zeroPoint);
    const [x, y] = [input.int8(), output.int8()];
    return () => relu6Int8(lower, upper, x, y);
  },
};
