/**
 * MAX_POOL_2D: int8 (reference_integer_ops::MaxPool) and float32 (reference_ops::MaxPool): the
 * largest value over the taps inside the image, then the fused activation's clamp.
 */
import { ensure, type Kernel, type KernelContext } from '../kernel';
import {
  FLOAT32_MAX,
  activationRangeFloat,
  activationRangeInt8,
  ensureQuantized,
  ensureType,
  poolGeometry,
} from '../kernel-util';
import { pool2dOptions } from '../options';
import type { PoolParams } from './average-pool-2d';

function maxPool(
  p: PoolParams,
  input: ArrayLike<number>,
  output: { [i: number]: number },
  lowest: number,
): void {
  const { inH, inW, depth, outH, outW, filterH, filterW } = p;
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inYOrigin = oy * p.strideH - p.padH;
      const fyStart = Math.max(0, -inYOrigin);
      const fyEnd = Math.min(filterH, inH - inYOrigin);
      for (let ox = 0; ox < outW; ox++) {
        const inXOrigin = ox * p.strideW - p.padW;
        const fxStart = Math.max(0, -inXOrigin);
        const fxEnd = Math.min(filterW, inW - inXOrigin);
        const outBase = ((b * outH + oy) * outW + ox) * depth;
        for (let c = 0; c < depth; c++) {
          let max = lowest;
          for (let fy = fyStart; fy < fyEnd; fy++) {
            const rowBase = (b * inH + inYOrigin + fy) * inW + inXOrigin;
            for (let fx = fxStart; fx < fxEnd; fx++) {
              const v = input[(rowBase + fx) * depth + c];
              if (v > max) max = v;
            }
          }
          output[outBase + c] = Math.min(Math.max(max, p.actMin), p.actMax);
        }
      }
    }
  }
}

export function maxPoolInt8(p: PoolParams, input: Int8Array, output: Int8Array): void {
  maxPool(p, input, output, -128);
}

export function maxPoolFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  maxPool(p, input, output, -FLOAT32_MAX);
}

export const maxPool2dKernel: Kernel = {
  op: 'MAX_POOL_2D',
  maxVersion: 2,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const opts = pool2dOptions(ctx.options);
    const input = ctx.input(0);
    const output = ctx.output(0);
    ensureType(input, ['INT8', 'FLOAT32'], 'input');
    ensure(output.type === input.type, `output is ${output.type} but input is ${input.type}`);
    const geometry = poolGeometry(input, output, opts);
    if (input.type === 'FLOAT32') {
      const params: PoolParams = { ...geometry, ...activationRangeFloat(opts.activation) };
      const [x, y] = [input.float32(), output.float32()];
      return () => maxPoolFloat(params, x, y);
    }
    ensureQuantized(output, 'output');
    const range = activationRangeInt8(opts.activation, output.scale, output.zeroPoint);
    const params: PoolParams = { ...geometry, ...range };
    const [x, y] = [input.int8(), output.int8()];
    return () => maxPoolInt8(params, x, y);
  },
};
