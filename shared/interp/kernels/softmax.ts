/**
 * SOFTMAX over the last dimension. int8 follows TFLite Micro's reference path for int8 in and
 * int8 out: input differences scaled to Q5.26, gemmlowp's fixed-point exp, a Q12.19 sum, its
 * fixed-point reciprocal; output scale 1/256, zero point -128. float32: exp(beta * (x - max)) / sum.
 */
import {
  calculateInputRadius,
  expOnNegativeValues,
  getReciprocal,
  multiplyByQuantizedMultiplierGreaterThanOne,
  quantizeMultiplier,
  rescale,
  roundingDivideByPOT,
  srdhm,
} from '../fixedpoint';
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { ensureQuantized, ensureType, sameShape } from '../kernel-util';
import { softmaxOptions } from '../options';

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

export interface SoftmaxInt8Params {
  rows: number;
  depth: number;
  inputMultiplier: number;
  inputLeftShift: number;
  /** Differences below this contribute nothing (exp underflows). */
  diffMin: number;
}

/** PreprocessSoftmaxScaling and CalculateInputRadius for int8 input. */
export function softmaxInt8Params(
  beta: number,
  inputScale: number,
  rows: number,
  depth: number,
): SoftmaxInt8Params {
  const maxRealMultiplier = 2 ** 31 - 1;
  const real = Math.min(
    beta * inputScale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS),
    maxRealMultiplier,
  );
  ensure(
    real > 1,
    `beta x input scale (${beta} x ${inputScale}) is too small for the int8 softmax`,
  );
  const q = quantizeMultiplier(real);
  ensure(q.shift >= 0, 'softmax input multiplier has a negative shift');
  return {
    rows,
    depth,
    inputMultiplier: q.multiplier,
    inputLeftShift: q.shift,
    diffMin: -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, q.shift),
  };
}

export function softmaxInt8(p: SoftmaxInt8Params, input: Int8Array, output: Int8Array): void {
  const { depth } = p;
  for (let r = 0; r < p.rows; r++) {
    const base = r * depth;
    let max = -128;
    for (let c = 0; c < depth; c++) if (input[base + c] > max) max = input[base + c];
    let sumOfExps = 0; // Q12.19
    for (let c = 0; c < depth; c++) {
      const diff = input[base + c] - max;
      if (diff >= p.diffMin) {
        const scaled = multiplyByQuantizedMultiplierGreaterThanOne(
          diff,
          p.inputMultiplier,
          p.inputLeftShift,
        );
        const exp = expOnNegativeValues(scaled, SCALED_DIFF_INTEGER_BITS);
        sumOfExps = (sumOfExps + rescale(exp, 0, ACCUMULATION_INTEGER_BITS)) | 0;
      }
    }
    const { value: shiftedScale, numBitsOverUnit } = getReciprocal(
      sumOfExps,
      ACCUMULATION_INTEGER_BITS,
    );
    const exponent = numBitsOverUnit + 31 - 8;
    for (let c = 0; c < depth; c++) {
      const diff = input[base + c] - max;
      if (diff >= p.diffMin) {
        const scaled = multiplyByQuantizedMultiplierGreaterThanOne(
          diff,
          p.inputMultiplier,
          p.inputLeftShift,
        );
        const exp = expOnNegativeValues(scaled, SCALED_DIFF_INTEGER_BITS);
        const unsat = roundingDivideByPOT(srdhm(shiftedScale, exp), exponent);
        const shifted = unsat - 128;
        output[base + c] = shifted > 127 ? 127 : shifted < -128 ? -128 : shifted;
      } else {
        output[base + c] = -128;
      }
    }
  }
}

export function softmaxFloat(
  rows: number,
  depth: number,
  beta: number,
  input: Float32Array,
  output: Float32Array,
): void {
  const f32 = Math.fround;
  const betaF = f32(beta);
  for (let r = 0; r < rows; r++) {
    const base = r * depth;
    let max = -3.4028234663852886e38;
    for (let c = 0; c < depth; c++) max = Math.max(max, input[base + c]);
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const e = f32(Math.exp(f32(f32(input[base + c] - max) * betaF)));
      output[base + c] = e;
      sum = f32(sum + e);
    }
    for (let c = 0; c < depth; c++) output[base + c] = f32(output[base + c] / sum);
  }
}

export const softmaxKernel: Kernel = {
  op: 'SOFTMAX',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const { beta } = softmaxOptions(ctx.options);
    const input = ctx.input(0);
    const output = ctx.output(0);
    ensureType(input, ['INT8', 'FLOAT32'], 'input');
    ensure(
      output.type === input.type,
      `output is ${output.type} but input is ${input.type} (int16 output is not supported)`,
    );
    ensure(input.shape.length >= 1, 'input must have at least one dimension');
    ensure(sameShape(input.shape, output.shape), 'input and output shapes differ');
    const depth = input.shape[input.shape.length - 1];
    const rows = depth === 0 ? 0 : input.size / depth;
    if (input.type === 'FLOAT32') {
      const [x, y] = [input.float32(), output.float32()];
      return () => softmaxFloat(rows, depth, beta, x, y);
    }
    ensureQuantized(input, 'input');
    ensure(
      output.zeroPoint === -128 && output.scale === 1 / 256,
      `int8 softmax output must have scale 1/256 and zero point -128, got ${output.scale} and ${output.zeroPoint}`,
    );
    const params = softmaxInt8Params(beta, input.scale, rows, depth);
    const [x, y] = [input.int8(), output.int8()];
    return () => softmaxInt8(params, x, y);
  },
};
