/**
 * LOGISTIC. int8 (reference_integer_ops::Logistic): inputs beyond the radius saturate, the rest
 * are scaled to Q4.27 and go through gemmlowp's fixed-point logistic; output scale 1/256, zero
 * point -128. float32: 1 / (1 + exp(-x)) with TFLite's cut-offs.
 */
import {
  calculateInputRadius,
  frexp,
  logisticFixed,
  multiplyByQuantizedMultiplier,
  roundHalfAway,
  roundingDivideByPOT,
} from '../fixedpoint';
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { ensureQuantized, sameShape } from '../kernel-util';

const INPUT_INTEGER_BITS = 4;
const OUTPUT_INTEGER_BITS = 8;

export interface LogisticInt8Params {
  inputZeroPoint: number;
  inputRangeRadius: number;
  inputMultiplier: number;
  inputLeftShift: number;
}

/** CalculateArithmeticOpDataLogistic for int8: frexp of input scale x 2^27, no renormalisation. */
export function logisticInt8Params(inputScale: number, inputZeroPoint: number): LogisticInt8Params {
  const real = inputScale * 2 ** (31 - INPUT_INTEGER_BITS);
  const { mantissa, exponent } = frexp(real);
  const multiplier = roundHalfAway(mantissa * 2 ** 31);
  ensure(multiplier < 2 ** 31, `input scale ${inputScale} gives a multiplier that overflows`);
  return {
    inputZeroPoint,
    inputRangeRadius: calculateInputRadius(INPUT_INTEGER_BITS, exponent, 31),
    inputMultiplier: multiplier,
    inputLeftShift: exponent,
  };
}

export function logisticInt8(p: LogisticInt8Params, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < input.length; i++) {
    const x = input[i] - p.inputZeroPoint;
    if (x <= -p.inputRangeRadius) output[i] = -128;
    else if (x >= p.inputRangeRadius) output[i] = 127;
    else {
      const inQ4 = multiplyByQuantizedMultiplier(x, p.inputMultiplier, p.inputLeftShift);
      const outQ0 = logisticFixed(inQ4, INPUT_INTEGER_BITS);
      const v = roundingDivideByPOT(outQ0, 31 - OUTPUT_INTEGER_BITS) - 128;
      output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
    }
  }
}

export function logisticFloat(input: Float32Array, output: Float32Array): void {
  const f32 = Math.fround;
  const cutoffUpper = 16.619047164916992;
  const cutoffLower = -9;
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    if (v > cutoffUpper) output[i] = 1;
    else if (v < cutoffLower) output[i] = f32(Math.exp(v));
    else output[i] = f32(1 / f32(1 + f32(Math.exp(-v))));
  }
}

export const logisticKernel: Kernel = {
  op: 'LOGISTIC',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    ensure(
      input.type === 'INT8' || input.type === 'FLOAT32',
      `LOGISTIC on ${input.type} is not supported`,
    );
    ensure(output.type === input.type, `output is ${output.type} but input is ${input.type}`);
    ensure(sameShape(input.shape, output.shape), 'input and output shapes differ');
    if (input.type === 'FLOAT32') {
      const [x, y] = [input.float32(), output.float32()];
      return () => logisticFloat(x, y);
    }
    ensureQuantized(input, 'input');
    ensure(
      output.zeroPoint === -128,
      `int8 LOGISTIC output must have zero point -128, got ${output.zeroPoint}`,
    );
    const params = logisticInt8Params(input.scale, input.zeroPoint);
    const [x, y] = [input.int8(), output.int8()];
    return () => logisticInt8(params, x, y);
  },
};
