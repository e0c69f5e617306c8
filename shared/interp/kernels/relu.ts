/**
 * RELU. int8 (ReluQuantized): rescaled from the input to the output quantization, clamped at the
 * output's quantized zero. float32: max(x, 0).
 */
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAway,
  type QuantizedMultiplier,
} from '../fixedpoint';
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { ensureQuantized } from '../kernel-util';

export interface ReluInt8Params {
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: QuantizedMultiplier;
  actMin: number;
  actMax: number;
}

/** CalculateReluOpData<int8_t> for RELU (lower bound 0, no upper bound). */
export function reluInt8Params(
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
): ReluInt8Params {
  return {
    inputZeroPoint,
    outputZeroPoint,
    multiplier: quantizeMultiplier(inputScale / outputScale),
    actMin: Math.max(-128, outputZeroPoint + roundHalfAway(Math.fround(0 / outputScale))),
    actMax: 127,
  };
}

export function reluInt8(p: ReluInt8Params, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < input.length; i++) {
    const v =
      p.outputZeroPoint +
      multiplyByQuantizedMultiplier(
        input[i] - p.inputZeroPoint,
        p.multiplier.multiplier,
        p.multiplier.shift,
      );
    output[i] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
  }
}

export function reluFloat(input: Float32Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) output[i] = input[i] < 0 ? 0 : input[i];
}

export const reluKernel: Kernel = {
  op: 'RELU',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    ensure(
      input.type === 'INT8' || input.type === 'FLOAT32',
      `RELU on ${input.type} is not supported`,
    );
    ensure(output.type === input.type, `output is ${output.type} but input is ${input.type}`);
    ensure(input.size === output.size, 'input and output sizes differ');
    if (input.type === 'FLOAT32') {
      const [x, y] = [input.float32(), output.float32()];
      return () => reluFloat(x, y);
    }
    ensureQuantized(input, 'input');
    ensureQuantized(output, 'output');
    const params = reluInt8Params(input.scale, input.zeroPoint, output.scale, output.zeroPoint);
    const [x, y] = [input.int8(), output.int8()];
    return () => reluInt8(params, x, y);
  },
};
