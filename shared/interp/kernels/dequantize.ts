/** DEQUANTIZE: int8 -> float32, scale x (q - zero point) rounded to float32. */
import { ensure, type Kernel, type KernelContext } from '../kernel';
import { ensureQuantized } from '../kernel-util';

export function dequantizeInt8(
  scale: number,
  zeroPoint: number,
  input: Int8Array,
  output: Float32Array,
): void {
  const s = Math.fround(scale);
  for (let i = 0; i < input.length; i++) output[i] = s * (input[i] - zeroPoint);
}

export const dequantizeKernel: Kernel = {
  op: 'DEQUANTIZE',
  maxVersion: 2,
  types: ['INT8'],
  prepare(ctx: KernelContext) {
    const input = ctx.input(0);
    const output = ctx.output(0);
    ensure(
      input.type === 'INT8',
      `DEQUANTIZE from ${input.type} is not supported (only from INT8)`,
    );
    ensure(
      output.type === 'FLOAT32',
      `DEQUANTIZE to ${output.type} is not supported (only to FLOAT32)`,
    );
    ensure(input.size === output.size, 'input and output sizes differ');
    ensureQuantized(input, 'input');
    ensure(input.scales.length === 1, 'per-channel DEQUANTIZE is not supported');
    const [x, y] = [input.int8(), output.float32()];
    const { scale, zeroPoint } = input;
    return () => dequantizeInt8(scale, zeroPoint, x, y);
  },
};
