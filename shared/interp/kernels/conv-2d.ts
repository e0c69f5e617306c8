/**
 * CONV_2D: int8 per-channel (reference_integer_ops::ConvPerChannel) and float32
 * (reference_ops::Conv), with strides, dilation, SAME/VALID padding, groups and fused activation.
 */
import { multiplyByQuantizedMultiplier } from '../fixedpoint';
import { ensure, type Kernel, type KernelContext } from '../kernel';
import {
  activationRangeFloat,
  activationRangeInt8,
  computePadding,
  dims4,
  ensureQuantized,
  ensureType,
  outputMultipliers,
} from '../kernel-util';
import { conv2dOptions } from '../options';

/** Shapes (NHWC input and output, OHWI filter), strides, dilation and leading padding. */
export interface ConvGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  filterH: number;
  filterW: number;
  /** Input channels per group (the filter's last dimension). */
  filterInC: number;
  outH: number;
  outW: number;
  outC: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
}

export interface ConvInt8Params extends ConvGeometry {
  /** -input zero point. */
  inputOffset: number;
  /** Output zero point. */
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export interface ConvFloatParams extends ConvGeometry {
  actMin: number;
  actMax: number;
}

/** int8 convolution: acc = sum filter * (input + inputOffset) over the taps inside the image,
 * + bias, requantized per output channel, + output zero point, clamped. */
export function convInt8(
  p: ConvInt8Params,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  if (p.filterInC !== p.inC) {
    convInt8Grouped(p, input, filter, bias, output);
    return;
  }
  const { inH, inW, inC, filterH, filterW, outH, outW, outC } = p;
  // One patch per output pixel (im2col): taps outside the image hold 0 in the
  // zero-point-corrected domain, so they add nothing, exactly as skipping them does.
  const depth = filterH * filterW * inC;
  const patch = new Int32Array(depth);
  let outBase = 0;
  const requantize = (oc: number, sum: number) => {
    const acc = sum + (bias !== null ? bias[oc] : 0);
    const v =
      multiplyByQuantizedMultiplier(acc | 0, p.multipliers[oc], p.shifts[oc]) + p.outputOffset;
    output[outBase + oc] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
  };
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inYOrigin = oy * p.strideH - p.padH;
      for (let ox = 0; ox < outW; ox++) {
        const inXOrigin = ox * p.strideW - p.padW;
        let k = 0;
        for (let fy = 0; fy < filterH; fy++) {
          const inY = inYOrigin + p.dilationH * fy;
          for (let fx = 0; fx < filterW; fx++) {
            const inX = inXOrigin + p.dilationW * fx;
            if (inY < 0 || inY >= inH || inX < 0 || inX >= inW) {
              patch.fill(0, k, k + inC);
              k += inC;
              continue;
            }
            const base = ((b * inH + inY) * inW + inX) * inC;
            for (let ic = 0; ic < inC; ic++) patch[k++] = input[base + ic] + p.inputOffset;
          }
        }
        outBase = ((b * outH + oy) * outW + ox) * outC;
        // Four output channels per pass over the patch (one patch load feeds four products).
        let oc = 0;
        for (; oc + 3 < outC; oc += 4) {
          const f0 = oc * depth;
          const f1 = f0 + depth;
          const f2 = f1 + depth;
          const f3 = f2 + depth;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          for (let d = 0; d < depth; d++) {
            const x = patch[d];
            a0 += filter[f0 + d] * x;
            a1 += filter[f1 + d] * x;
            a2 += filter[f2 + d] * x;
            a3 += filter[f3 + d] * x;
          }
          requantize(oc, a0);
          requantize(oc + 1, a1);
          requantize(oc + 2, a2);
          requantize(oc + 3, a3);
        }
        for (; oc < outC; oc++) {
          const fBase = oc * depth;
          let acc = 0;
          for (let d = 0; d < depth; d++) acc += filter[fBase + d] * patch[d];
          requantize(oc, acc);
        }
      }
    }
  }
}

/** Grouped convolution (filter depth below the input depth): the direct loop. */
function convInt8Grouped(
  p: ConvInt8Params,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const { inH, inW, inC, filterH, filterW, filterInC, outH, outW, outC } = p;
  const filtersPerGroup = outC / (inC / filterInC);
  const filterStride = filterH * filterW * filterInC;
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inYOrigin = oy * p.strideH - p.padH;
      for (let ox = 0; ox < outW; ox++) {
        const inXOrigin = ox * p.strideW - p.padW;
        const outBase = ((b * outH + oy) * outW + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          const groupBase = Math.floor(oc / filtersPerGroup) * filterInC;
          const fBase = oc * filterStride;
          let acc = 0;
          for (let fy = 0; fy < filterH; fy++) {
            const inY = inYOrigin + p.dilationH * fy;
            if (inY < 0 || inY >= inH) continue;
            const rowBase = (b * inH + inY) * inW;
            for (let fx = 0; fx < filterW; fx++) {
              const inX = inXOrigin + p.dilationW * fx;
              if (inX < 0 || inX >= inW) continue;
              const iBase = (rowBase + inX) * inC + groupBase;
              const f = fBase + (fy * filterW + fx) * filterInC;
              for (let ic = 0; ic < filterInC; ic++)
                acc += filter[f + ic] * (input[iBase + ic] + p.inputOffset);
            }
          }
          if (bias !== null) acc += bias[oc];
          acc =
            multiplyByQuantizedMultiplier(acc | 0, p.multipliers[oc], p.shifts[oc]) +
            p.outputOffset;
          output[outBase + oc] = acc < p.actMin ? p.actMin : acc > p.actMax ? p.actMax : acc;
        }
      }
    }
  }
}

/** float32 convolution in TFLite's accumulation order (filter row, column, input channel), every
 * product and sum rounded to float32 as the C code does. */
export function convFloat(
  p: ConvFloatParams,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const f32 = Math.fround;
  const { inH, inW, inC, filterH, filterW, filterInC, outH, outW, outC } = p;
  const filtersPerGroup = outC / (inC / filterInC);
  const filterStride = filterH * filterW * filterInC;
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inYOrigin = oy * p.strideH - p.padH;
      for (let ox = 0; ox < outW; ox++) {
        const inXOrigin = ox * p.strideW - p.padW;
        const outBase = ((b * outH + oy) * outW + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          const groupBase = Math.floor(oc / filtersPerGroup) * filterInC;
          const fBase = oc * filterStride;
          let total = 0;
          for (let fy = 0; fy < filterH; fy++) {
            const inY = inYOrigin + p.dilationH * fy;
            if (inY < 0 || inY >= inH) continue;
            const rowBase = (b * inH + inY) * inW;
            for (let fx = 0; fx < filterW; fx++) {
              const inX = inXOrigin + p.dilationW * fx;
              if (inX < 0 || inX >= inW) continue;
              const iBase = (rowBase + inX) * inC + groupBase;
              const f = fBase + (fy * filterW + fx) * filterInC;
              for (let ic = 0; ic < filterInC; ic++)
                total = f32(total + f32(input[iBase + ic] * filter[f + ic]));
            }
          }
          const v = f32(total + (bias !== null ? bias[oc] : 0));
          output[outBase + oc] = Math.min(Math.max(v, p.actMin), p.actMax);
        }
      }
    }
  }
}

export const conv2dKernel: Kernel = {
  op: 'CONV_2D',
  maxVersion: 3,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const opts = conv2dOptions(ctx.options);
    const input = ctx.input(0);
    const filter = ctx.input(1);
    const bias = ctx.optionalInput(2);
    const output = ctx.output(0);
    ensureType(input, ['INT8', 'FLOAT32'], 'input');
    ensure(output.type === input.type, `output is ${output.type} but input is ${input.type}`);
    ensure(
      filter.type === input.type,
      `filter is ${filter.type} with ${input.type} activations (hybrid or int4 weights are not supported)`,
    );
    const [batches, inH, inW, inC] = dims4(input, 'input');
    const [outC, filterH, filterW, filterInC] = dims4(filter, 'filter');
    const [outB, outH, outW, outC2] = dims4(output, 'output');
    ensure(
      filterInC > 0 && inC % filterInC === 0,
      `input depth ${inC} is not a multiple of the filter depth ${filterInC}`,
    );
    ensure(
      outC % (inC / filterInC) === 0,
      `output depth ${outC} is not a multiple of the group count`,
    );
    const padH = computePadding(opts.padding, inH, filterH, opts.strideH, opts.dilationH);
    const padW = computePadding(opts.padding, inW, filterW, opts.strideW, opts.dilationW);
    ensure(
      outB === batches && outC2 === outC && outH === padH.outSize && outW === padW.outSize,
      `output shape [${output.shape.join(', ')}] does not match [${batches}, ${padH.outSize}, ${padW.outSize}, ${outC}]`,
    );
    if (bias !== null)
      ensure(bias.size === outC, `bias has ${bias.size} values for ${outC} output channels`);
    const geometry: ConvGeometry = {
      batches,
      inH,
      inW,
      inC,
      filterH,
      filterW,
      filterInC,
      outH,
      outW,
      outC,
      strideH: opts.strideH,
      strideW: opts.strideW,
      dilationH: opts.dilationH,
      dilationW: opts.dilationW,
      padH: padH.before,
      padW: padW.before,
    };
    if (input.type === 'FLOAT32') {
      if (bias !== null) ensureType(bias, ['FLOAT32'], 'bias');
      const params: ConvFloatParams = { ...geometry, ...activationRangeFloat(opts.activation) };
      const [x, w, bs, y] = [
        input.float32(),
        filter.float32(),
        bias?.float32() ?? null,
        output.float32(),
      ];
      return () => convFloat(params, x, w, bs, y);
    }
    ensureQuantized(input, 'input');
    ensureQuantized(filter, 'filter');
    ensureQuantized(output, 'output');
    ensure(
      filter.scales.length === 1 || filter.quantizedDimension === 0,
      'per-channel filter scales must be along axis 0',
    );
    if (bias !== null) ensureType(bias, ['INT32'], 'bias');
    const range = activationRangeInt8(opts.activation, output.scale, output.zeroPoint);
    const params: ConvInt8Params = {
      ...geometry,
      inputOffset: -input.zeroPoint,
      outputOffset: output.zeroPoint,
      ...outputMultipliers(input.scale, filter.scales, output.scale, outC),
      ...range,
    };
    const [x, w, bs, y] = [input.int8(), filter.int8(), bias?.int32() ?? null, output.int8()];
    return () => convInt8(params, x, w, bs, y);
  },
};
