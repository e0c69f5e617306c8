/**
 * AVERAGE_POOL_2D: int8 (reference_integer_ops::AveragePool: integer mean rounded half away from
 * zero over the taps inside the image) and float32 (reference_ops::AveragePool). Like TFLite
 * Micro, int8 pooling assumes the input and output share their quantization.
 */
import { ensure, type Kernel, type KernelContext } from '../kernel';
import {
  activationRangeFloat,
  activationRangeInt8,
  ensureQuantized,
  ensureType,
  poolGeometry,
  type PoolGeometry,
} from '../kernel-util';
import { pool2dOptions } from '../options';

export interface PoolParams extends PoolGeometry {
  actMin: number;
  actMax: number;
}

export function averagePoolInt8(p: PoolParams, input: Int8Array, output: Int8Array): void {
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
        const count = Math.max(0, fyEnd - fyStart) * Math.max(0, fxEnd - fxStart);
        if (count === 0) continue; // impossible with SAME/VALID padding
        const half = Math.trunc(count / 2);
        const outBase = ((b * outH + oy) * outW + ox) * depth;
        for (let c = 0; c < depth; c++) {
          let acc = 0;
          for (let fy = fyStart; fy < fyEnd; fy++) {
            const rowBase = (b * inH + inYOrigin + fy) * inW + inXOrigin;
            for (let fx = fxStart; fx < fxEnd; fx++) acc += input[(rowBase + fx) * depth + c];
          }
          acc = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
          output[outBase + c] = acc < p.actMin ? p.actMin : acc > p.actMax ? p.actMax : acc;
        }
      }
    }
  }
}

export function averagePoolFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  const f32 = Math.fround;
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
        const count = Math.max(0, fyEnd - fyStart) * Math.max(0, fxEnd - fxStart);
        const outBase = ((b * outH + oy) * outW + ox) * depth;
        for (let c = 0; c < depth; c++) {
          let total = 0;
          for (let fy = fyStart; fy < fyEnd; fy++) {
            const rowBase = (b * inH + inYOrigin + fy) * inW + inXOrigin;
            for (let fx = fxStart; fx < fxEnd; fx++)
              total = f32(total + input[(rowBase + fx) * depth + c]);
          }
          const average = f32(total / count);
          output[outBase + c] = Math.min(Math.max(average, p.actMin), p.actMax);
        }
      }
    }
  }
}

export const averagePool2dKernel: Kernel = {
  op: 'AVERAGE_POOL_2D',
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
      return () => averagePoolFloat(params, x, y);
    }
    ensureQuantized(output, 'output');
    const range = activationRangeInt8(opts.activation, output.scale, output.zeroPoint);
    const params: PoolParams = { ...geometry, ...range };
    const [x, y] = [input.int8(), output.int8()];
    return () => averagePoolInt8(params, x, y);
  },
};
