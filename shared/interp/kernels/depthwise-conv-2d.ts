/**
 * DEPTHWISE_CONV_2D: int8 per-channel (reference_integer_ops::DepthwiseConvPerChannel) and float32
 * (reference_ops::DepthwiseConv). Output channel oc = ic * depthMultiplier + m; the filter is
 * [1, H, W, outC], per-channel scales along axis 3.
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
import { depthwiseConv2dOptions } from '../options';

export interface DepthwiseGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  filterH: number;
  filterW: number;
  depthMultiplier: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padH: number;
  padW: number;
}

export interface DepthwiseInt8Params extends DepthwiseGeometry {
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export interface DepthwiseFloatParams extends DepthwiseGeometry {
  actMin: number;
  actMax: number;
}

/** int8 depthwise convolution. Loops run tap by tap with the channels innermost (contiguous in
 * both input and filter); each output's sum is the same set of integer products. */
export function depthwiseConvInt8(
  p: DepthwiseInt8Params,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const { inH, inW, inC, filterH, filterW, depthMultiplier, outH, outW } = p;
  const outC = inC * depthMultiplier;
  const acc = new Int32Array(outC);
  // The input with its offset applied, once per element, repeated per depth multiplier.
  const shifted = new Int32Array(inC * depthMultiplier);
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inYOrigin = oy * p.strideH - p.padH;
      for (let ox = 0; ox < outW; ox++) {
        const inXOrigin = ox * p.strideW - p.padW;
        if (bias !== null) acc.set(bias);
        else acc.fill(0);
        for (let fy = 0; fy < filterH; fy++) {
          const inY = inYOrigin + p.dilationH * fy;
          if (inY < 0 || inY >= inH) continue;
          for (let fx = 0; fx < filterW; fx++) {
            const inX = inXOrigin + p.dilationW * fx;
            if (inX < 0 || inX >= inW) continue;
            const iBase = ((b * inH + inY) * inW + inX) * inC;
            const fBase = (fy * filterW + fx) * outC;
            if (depthMultiplier === 1) {
              for (let c = 0; c < outC; c++)
                acc[c] += filter[fBase + c] * (input[iBase + c] + p.inputOffset);
            } else {
              for (let ic = 0; ic < inC; ic++) {
                const x = input[iBase + ic] + p.inputOffset;
                for (let m = 0; m < depthMultiplier; m++) shifted[ic * depthMultiplier + m] = x;
              }
              for (let c = 0; c < outC; c++) acc[c] += filter[fBase + c] * shifted[c];
            }
          }
        }
        const outBase = ((b * outH + oy) * outW + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          const v =
            multiplyByQuantizedMultiplier(acc[oc], p.multipliers[oc], p.shifts[oc]) +
            p.outputOffset;
          output[outBase + oc] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
        }
      }
    }
  }
}

/** float32 depthwise convolution: per output, taps in filter row then column order as TFLite
 * adds them, each product and sum rounded to float32 (the Float32Array store rounds the sum). */
export function depthwiseConvFloat(
  p: DepthwiseFloatParams,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const f32 = Math.fround;
  const { inH, inW, inC, filterH, filterW, depthMultiplier, outH, outW } = p;
  const outC = inC * depthMultiplier;
  const acc = new Float32Array(outC);
  for (let b = 0; b < p.batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const inYOrigin = oy * p.strideH - p.padH;
      for (let ox = 0; ox < outW; ox++) {
        const inXOrigin = ox * p.strideW - p.padW;
        acc.fill(0);
        for (let fy = 0; fy < filterH; fy++) {
          const inY = inYOrigin + p.dilationH * fy;
          if (inY < 0 || inY >= inH) continue;
          for (let fx = 0; fx < filterW; fx++) {
            const inX = inXOrigin + p.dilationW * fx;
            if (inX < 0 || inX >= inW) continue;
            const iBase = ((b * inH + inY) * inW + inX) * inC;
            const fBase = (fy * filterW + fx) * outC;
            for (let c = 0; c < outC; c++) {
              const x = input[iBase + Math.floor(c / depthMultiplier)];
              acc[c] += f32(x * filter[fBase + c]);
            }
          }
        }
        const outBase = ((b * outH + oy) * outW + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          const v = f32(acc[oc] + (bias !== null ? bias[oc] : 0));
          output[outBase + oc] = Math.min(Math.max(v, p.actMin), p.actMax);
        }
      }
    }
  }
}

export const depthwiseConv2dKernel: Kernel = {
  op: 'DEPTHWISE_CONV_2D',
  maxVersion: 3,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const opts = depthwiseConv2dOptions(ctx.options);
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
    const [one, filterH, filterW, outC] = dims4(filter, 'filter');
    const [outB, outH, outW, outC2] = dims4(output, 'output');
    ensure(one === 1, `filter shape [${filter.shape.join(', ')}] must start with 1`);
    // The channel count decides the multiplier; some converters leave depth_multiplier unset.
    ensure(
      inC > 0 && outC % inC === 0,
      `filter depth ${outC} is not a multiple of the input depth ${inC}`,
    );
    const depthMultiplier = outC / inC;
    const padH = computePadding(opts.padding, inH, filterH, opts.strideH, opts.dilationH);
    const padW = computePadding(opts.padding, inW, filterW, opts.strideW, opts.dilationW);
    ensure(
      outB === batches && outC2 === outC && outH === padH.outSize && outW === padW.outSize,
      `output shape [${output.shape.join(', ')}] does not match [${batches}, ${padH.outSize}, ${padW.outSize}, ${outC}]`,
    );
    if (bias !== null)
      ensure(bias.size === outC, `bias has ${bias.size} values for ${outC} output channels`);
    const geometry: DepthwiseGeometry = {
      batches,
      inH,
      inW,
      inC,
      filterH,
      filterW,
      depthMultiplier,
      outH,
      outW,
      strideH: opts.strideH,
      strideW: opts.strideW,
      dilationH: opts.dilationH,
      dilationW: opts.dilationW,
      padH: padH.before,
      padW: padW.before,
    };
    if (input.type === 'FLOAT32') {
      if (bias !== null) ensureType(bias, ['FLOAT32'], 'bias');
      const params: DepthwiseFloatParams = {
        ...geometry,
        ...activationRangeFloat(opts.activation),
      };
      const [x, w, bs, y] = [
        input.float32(),
        filter.float32(),
        bias?.float32() ?? null,
        output.float32(),
      ];
      return () => depthwiseConvFloat(params, x, w, bs, y);
    }
    ensureQuantized(input, 'input');
    ensureQuantized(filter, 'filter');
    ensureQuantized(output, 'output');
    ensure(
      filter.scales.length === 1 || filter.quantizedDimension === 3,
      'per-channel filter scales must be along axis 3',
    );
    if (bias !== null) ensureType(bias, ['INT32'], 'bias');
    const range = activationRangeInt8(opts.activation, output.scale, output.zeroPoint);
    const params: DepthwiseInt8Params = {
      ...geometry,
      inputOffset: -input.zeroPoint,
      outputOffset: output.zeroPoint,
      ...outputMultipliers(input.scale, filter.scales, output.scale, outC),
      ...range,
    };
    const [x, w, bs, y] = [input.int8(), filter.int8(), bias?.int32() ?? null, output.int8()];
    return () => depthwiseConvInt8(params, x, w, bs, y);
  },
};
