/**
 * QUANTIZE: float32 -> int8 (reference_ops::AffineQuantize: round(x / scale) in float32, halves
 * away from zero, + zero point, clamped) and int8 -> int8 requantization (reference_ops::Requantize
 * with input scale / output scale as a fixed-point multiplier).
 */
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAway,
  type QuantizedMultiplier,
} from '../fixedpoint';
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { ensureQuantized } from '../kernel-util';

export function quantizeFloatToInt8(
  scale: number,
  zeroPoint: number,
  input: Float32Array,
  output: Int8Array,
): void {
  const s = Math.fround(scale);
  for (let i = 0; i < input.length; i++) {
    // static_cast<int32_t> of an out-of-range float is undefined in C; saturate first.
    const q = roundHalfAway(Math.fround(input[i] / s));
    const v = (Number.isNaN(q) ? 0 : Math.max(-2147483648, Math.min(2147483647, q))) + zeroPoint;
    output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}

export function requantizeInt8(
  multiplier: QuantizedMultiplier,
  inputZeroPoint: number,
  outputZeroPoint: number,
  input: Int8Array,
  output: Int8Array,
): void {
  for (let i = 0; i < input.length; i++) {
    const v =
      multiplyByQuantizedMultiplier(
        input[i] - inputZeroPoint,
        multiplier.multiplier,
        multiplier.shift,
      ) + outputZeroPoint;
    output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}

export const quantizeKernel: Kernel = {
  op: 'QUANTIZE',
  maxVersion: 2,
  types: ['FLOAT32', 'INT8'],
  prepare(ctx: KernelContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    ensure(output.type === 'INT8', `QUANTIZE to ${output.type} is not supported (only to INT8)`);
    ensure(input.size === output.size, 'input and output sizes differ');
    ensureQuantized(output, 'output');
    ensure(output.scales.length === 1, 'per-channel QUANTIZE output is not supported');
    if (input.type === 'FLOAT32') {
      const [x, y] = [input.float32(), output.int8()];
      const { scale, zeroPoint } = output;
      return () => quantizeFloatToInt8(scale, zeroPoint, x, y);
    }
    ensure(
      input.type === 'INT8',
      `QUANTIZE from ${input.type} is not supported (only from FLOAT32 or INT8)`,
    );
    ensureQuantized(input, 'input');
    const multiplier = quantizeMultiplier(input.scale / output.scale);
    const [x, y] = [input.int8(), output.int8()];
    const [zi, zo] = [input.zeroPoint, output.zeroPoint];
    return () => requantizeInt8(multiplier, zi, zo, x, y);
  },
};
