/**
 * FULLY_CONNECTED: int8 (reference_integer_ops::FullyConnected, per-tensor or per-channel
 * multipliers) and float32 (reference_ops::FullyConnected). Weights are [outDepth, accumDepth];
 * every leading dimension of the input is a batch.
 */
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixedpoint';
import { ensure, type Kernel, type KernelContext } from '../kernel';
import {
  activationRangeFloat,
  activationRangeInt8,
  ensureQuantized,
  ensureType,
  outputMultipliers,
} from '../kernel-util';
import { fullyConnectedOptions } from '../options';

export interface FullyConnectedGeometry {
  batches: number;
  accumDepth: number;
  outDepth: number;
}

export interface FullyConnectedInt8Params extends FullyConnectedGeometry {
  inputOffset: number;
  filterOffset: number;
  outputOffset: number;
  /** One entry (per tensor) or one per output channel. */
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export interface FullyConnectedFloatParams extends FullyConnectedGeometry {
  actMin: number;
  actMax: number;
}

export function fullyConnectedInt8(
  p: FullyConnectedInt8Params,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const { batches, accumDepth, outDepth } = p;
  const perChannel = p.multipliers.length > 1;
  const shifted = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) shifted[i] = input[i] + p.inputOffset;
  for (let b = 0; b < batches; b++) {
    const iBase = b * accumDepth;
    for (let oc = 0; oc < outDepth; oc++) {
      const fBase = oc * accumDepth;
      let acc = 0;
      if (p.filterOffset === 0) {
        for (let d = 0; d < accumDepth; d++) acc += filter[fBase + d] * shifted[iBase + d];
      } else {
        for (let d = 0; d < accumDepth; d++)
          acc += (filter[fBase + d] + p.filterOffset) * shifted[iBase + d];
      }
      if (bias !== null) acc += bias[oc];
      const c = perChannel ? oc : 0;
      acc = multiplyByQuantizedMultiplier(acc | 0, p.multipliers[c], p.shifts[c]) + p.outputOffset;
      output[b * outDepth + oc] = acc < p.actMin ? p.actMin : acc > p.actMax ? p.actMax : acc;
    }
  }
}

export function fullyConnectedFloat(
  p: FullyConnectedFloatParams,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const f32 = Math.fround;
  const { batches, accumDepth, outDepth } = p;
  for (let b = 0; b < batches; b++) {
    const iBase = b * accumDepth;
    for (let oc = 0; oc < outDepth; oc++) {
      const fBase = oc * accumDepth;
      let total = 0;
      for (let d = 0; d < accumDepth; d++)
        total = f32(total + f32(input[iBase + d] * filter[fBase + d]));
      const v = f32(total + (bias !== null ? bias[oc] : 0));
      output[b * outDepth + oc] = Math.min(Math.max(v, p.actMin), p.actMax);
    }
  }
}

export const fullyConnectedKernel: Kernel = {
  op: 'FULLY_CONNECTED',
  maxVersion: 5,
  types: ['INT8', 'FLOAT32'],
  prepare(ctx: KernelContext) {
    const opts = fullyConnectedOptions(ctx.options);
    ensure(
      opts.weightsFormat === 'DEFAULT',
      `weights format ${opts.weightsFormat} is not supported`,
    );
    const input = ctx.input(0);
    const filter = ctx.input(1);
    const bias = ctx.optionalInput(2);
    const output = ctx.output(0);
    ensureType(input, ['INT8', 'FLOAT32'], 'input');
    ensure(output.type === input.type, `output is ${output.type} but input is ${input.type}`);
    ensure(
      filter.type === input.type,
      `weights are ${filter.type} with ${input.type} activations (hybrid or int4 weights are not supported)`,
    );
    ensure(filter.shape.length === 2, `weights must be 2-D, got [${filter.shape.join(', ')}]`);
    const [outDepth, accumDepth] = filter.shape;
    ensure(outDepth > 0 && accumDepth > 0, 'weights have an empty dimension');
    ensure(
      input.size % accumDepth === 0,
      `input of ${input.size} values is not a multiple of the weights' depth ${accumDepth}`,
    );
    const batches = input.size / accumDepth;
    ensure(
      output.size === batches * outDepth && output.shape[output.shape.length - 1] === outDepth,
      `output shape [${output.shape.join(', ')}] does not hold ${batches} x ${outDepth} values`,
    );
    if (bias !== null)
      ensure(bias.size === outDepth, `bias has ${bias.size} values for ${outDepth} outputs`);
    const geometry: FullyConnectedGeometry = { batches, accumDepth, outDepth };
    if (input.type === 'FLOAT32') {
      if (bias !== null) ensureType(bias, ['FLOAT32'], 'bias');
      const params: FullyConnectedFloatParams = {
        ...geometry,
        ...activationRangeFloat(opts.activation),
      };
      const [x, w, bs, y] = [
        input.float32(),
        filter.float32(),
        bias?.float32() ?? null,
        output.float32(),
      ];
      return () => fullyConnectedFloat(params, x, w, bs, y);
    }
    ensureQuantized(input, 'input');
    ensureQuantized(filter, 'weights');
    ensureQuantized(output, 'output');
    if (bias !== null) ensureType(bias, ['INT32'], 'bias');
    let multipliers: { multipliers: Int32Array; shifts: Int32Array };
    if (filter.scales.length > 1) {
      ensure(filter.quantizedDimension === 0, 'per-channel weight scales must be along axis 0');
      multipliers = outputMultipliers(input.scale, filter.scales, output.scale, outDepth);
    } else {
      // GetQuantizedConvolutionMultipler: (input scale x weight scale) / output scale in double.
      const q = quantizeMultiplier((input.scale * filter.scale) / output.scale);
      multipliers = { multipliers: Int32Array.of(q.multiplier), shifts: Int32Array.of(q.shift) };
    }
    const range = activationRangeInt8(opts.activation, output.scale, output.zeroPoint);
    const params: FullyConnectedInt8Params = {
      ...geometry,
      inputOffset: -input.zeroPoint,
      filterOffset: -filter.zeroPoint,
      outputOffset: output.zeroPoint,
      ...multipliers,
      ...range,
    };
    const [x, w, bs, y] = [input.int8(), filter.int8(), bias?.int32() ?? null, output.int8()];
    return () => fullyConnectedInt8(params, x, w, bs, y);
  },
};
