import { TinyOpsError } from '../errors';
import type { FbUnion, Model, Operator } from '../tflite/ir';
import { opName } from '../tflite/model';
import { constantAsFloat, elementCount, isConstant } from './tensor-data';

/**
 * A float32 executor for the float graphs quantization starts from. Calibration needs the value
 * of every activation tensor, not only the outputs, so it keeps them all. It covers the ops a
 * float model may hold before quantization; anything else is named in the error.
 */

export type TensorValues = Array<Float32Array | null>;

/** Ops this executor (and so the quantizer) handles. */
export const FLOAT_OPS = new Set([
  'CONV_2D',
  'DEPTHWISE_CONV_2D',
  'FULLY_CONNECTED',
  'ADD',
  'SUB',
  'MUL',
  'AVERAGE_POOL_2D',
  'MAX_POOL_2D',
  'MEAN',
  'RESHAPE',
  'SQUEEZE',
  'SOFTMAX',
  'LOGISTIC',
  'TANH',
  'RELU',
  'RELU6',
  'PAD',
  'CONCATENATION',
]);

export class FloatExecutor {
  private readonly constants: TensorValues;
  private readonly names: string[];

  constructor(private readonly model: Model) {
    const sg = model.subgraphs[0];
    this.names = sg.operators.map((op) => opName(model, op));
    this.names.forEach((name, i) => {
      if (!FLOAT_OPS.has(name))
        throw new TinyOpsError(
          'QUANT_UNSUPPORTED_OP',
          `Cannot quantize: operator ${i} is ${name}, which the quantizer does not support`,
          {
            where: `subgraph 0, operator ${i} (${name})`,
            hint: `Supported ops: ${[...FLOAT_OPS].join(', ')}.`,
          },
        );
    });
    this.constants = sg.tensors.map((t) =>
      isConstant(model, t) ? constantAsFloat(model, t) : null,
    );
  }

  /** Runs one inference; returns every tensor's value (constants included), by tensor index. */
  run(inputs: Float32Array[]): TensorValues {
    const sg = this.model.subgraphs[0];
    const values: TensorValues = this.constants.slice();
    sg.inputs.forEach((t, i) => {
      const expected = elementCount(sg.tensors[t].shape);
      if (inputs[i].length !== expected)
        throw new TinyOpsError(
          'QUANT_INPUT_SIZE',
          `Input ${i} has ${inputs[i].length} values, the model wants ${expected} ([${sg.tensors[t].shape}])`,
        );
      values[t] = inputs[i];
    });
    sg.operators.forEach((op, i) => {
      const get = (k: number): Float32Array => {
        const v = values[op.inputs[k]];
        if (!v) throw new Error(`tensor ${op.inputs[k]} has no value before operator ${i}`);
        return v;
      };
      values[op.outputs[0]] = this.runOp(this.names[i], op, get);
    });
    return values;
  }

  private runOp(name: string, op: Operator, get: (k: number) => Float32Array): Float32Array {
    const sg = this.model.subgraphs[0];
    const shape = (k: number) => sg.tensors[op.inputs[k]].shape;
    const outShape = sg.tensors[op.outputs[0]].shape;
    const o = (op.builtinOptions ?? { $type: '' }) as FbUnion;
    const act = (o.fused_activation_function as string | undefined) ?? 'NONE';
    switch (name) {
      case 'CONV_2D':
        return activate(
          conv2d(
            get(0),
            shape(0),
            get(1),
            shape(1),
            op.inputs[2] >= 0 ? get(2) : null,
            outShape,
            o,
            false,
          ),
          act,
        );
      case 'DEPTHWISE_CONV_2D':
        return activate(
          conv2d(
            get(0),
            shape(0),
            get(1),
            shape(1),
            op.inputs[2] >= 0 ? get(2) : null,
            outShape,
            o,
            true,
          ),
          act,
        );
      case 'FULLY_CONNECTED':
        return activate(
          fullyConnected(
            get(0),
            get(1),
            shape(1),
            op.inputs[2] >= 0 && op.inputs.length > 2 ? get(2) : null,
          ),
          act,
        );
      case 'ADD':
        return activate(
          broadcast(get(0), shape(0), get(1), shape(1), outShape, (a, b) => a + b),
          act,
        );
      case 'SUB':
        return activate(
          broadcast(get(0), shape(0), get(1), shape(1), outShape, (a, b) => a - b),
          act,
        );
      case 'MUL':
        return activate(
          broadcast(get(0), shape(0), get(1), shape(1), outShape, (a, b) => a * b),
          act,
        );
      case 'AVERAGE_POOL_2D':
        return activate(pool(get(0), shape(0), outShape, o, false), act);
      case 'MAX_POOL_2D':
        return activate(pool(get(0), shape(0), outShape, o, true), act);
      case 'MEAN':
        return mean(get(0), shape(0), Array.from(get(1)), outShape);
      case 'RESHAPE':
      case 'SQUEEZE':
        return get(0).slice();
      case 'SOFTMAX':
        return softmax(get(0), shape(0), (o.beta as number | undefined) ?? 1);
      case 'LOGISTIC':
        return get(0).map((x) => 1 / (1 + Math.exp(-x)));
      case 'TANH':
        return get(0).map(Math.tanh);
      case 'RELU':
        return activate(get(0).slice(), 'RELU');
      case 'RELU6':
        return activate(get(0).slice(), 'RELU6');
      case 'PAD':
        return pad(get(0), shape(0), get(1), outShape);
      case 'CONCATENATION':
        return activate(
          concat(
            op.inputs.map((_, k) => get(k)),
            op.inputs.map((_, k) => shape(k)),
            (o.axis as number) ?? 0,
            outShape,
          ),
          act,
        );
      default:
        throw new Error(`unsupported op ${name}`);
    }
  }
}

export function activate(x: Float32Array, act: string): Float32Array {
  if (act === 'RELU') for (let i = 0; i < x.length; i++) x[i] = Math.max(0, x[i]);
  else if (act === 'RELU6')
    for (let i = 0; i < x.length; i++) x[i] = Math.min(6, Math.max(0, x[i]));
  else if (act === 'RELU_N1_TO_1')
    for (let i = 0; i < x.length; i++) x[i] = Math.min(1, Math.max(-1, x[i]));
  else if (act === 'TANH') for (let i = 0; i < x.length; i++) x[i] = Math.tanh(x[i]);
  else if (act !== 'NONE') throw new Error(`unsupported fused activation ${act}`);
  return x;
}

/** TFLite padding: SAME pads so out = ceil(in / stride), the extra pixel going after. */
function padBefore(
  padding: string,
  inSize: number,
  filter: number,
  stride: number,
  dilation: number,
  outSize: number,
): number {
  if (padding !== 'SAME') return 0;
  const effective = (filter - 1) * dilation + 1;
  const total = Math.max(0, (outSize - 1) * stride + effective - inSize);
  return Math.floor(total / 2);
}

function conv2d(
  x: Float32Array,
  xs: number[],
  w: Float32Array,
  ws: number[],
  bias: Float32Array | null,
  os: number[],
  o: FbUnion,
  depthwise: boolean,
): Float32Array {
  const [batch, ih, iw, ic] = xs;
  const [, oh, ow, oc] = os;
  const kh = ws[1];
  const kw = ws[2];
  const sh = o.stride_h as number;
  const sw = o.stride_w as number;
  const dh = (o.dilation_h_factor as number) || 1;
  const dw = (o.dilation_w_factor as number) || 1;
  const ph = padBefore(o.padding as string, ih, kh, sh, dh, oh);
  const pw = padBefore(o.padding as string, iw, kw, sw, dw, ow);
  const mult = depthwise ? oc / ic : 0;
  const out = new Float32Array(batch * oh * ow * oc);
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const base = ((b * oh + oy) * ow + ox) * oc;
        for (let c = 0; c < oc; c++) {
          let acc = bias ? bias[c] : 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - ph + ky * dh;
            if (iy < 0 || iy >= ih) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pw + kx * dw;
              if (ix < 0 || ix >= iw) continue;
              const xBase = ((b * ih + iy) * iw + ix) * ic;
              if (depthwise) {
                acc += x[xBase + Math.floor(c / mult)] * w[(ky * kw + kx) * oc + c];
              } else {
                const wBase = ((c * kh + ky) * kw + kx) * ic;
                for (let ci = 0; ci < ic; ci++) acc += x[xBase + ci] * w[wBase + ci];
              }
            }
          }
          out[base + c] = acc;
        }
      }
  return out;
}

function fullyConnected(
  x: Float32Array,
  w: Float32Array,
  ws: number[],
  bias: Float32Array | null,
): Float32Array {
  const [units, depth] = ws;
  const rows = x.length / depth;
  const out = new Float32Array(rows * units);
  for (let r = 0; r < rows; r++)
    for (let u = 0; u < units; u++) {
      let acc = bias ? bias[u] : 0;
      const xo = r * depth;
      const wo = u * depth;
      for (let d = 0; d < depth; d++) acc += x[xo + d] * w[wo + d];
      out[r * units + u] = acc;
    }
  return out;
}

function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function broadcast(
  a: Float32Array,
  as: number[],
  b: Float32Array,
  bs: number[],
  os: number[],
  f: (a: number, b: number) => number,
): Float32Array {
  const n = elementCount(os);
  const out = new Float32Array(n);
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return out;
  }
  const rank = os.length;
  const pa = [...new Array<number>(rank - as.length).fill(1), ...as];
  const pb = [...new Array<number>(rank - bs.length).fill(1), ...bs];
  const sa = strides(pa);
  const sb = strides(pb);
  const so = strides(os);
  for (let i = 0; i < n; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      const idx = Math.floor(i / so[d]) % os[d];
      if (pa[d] !== 1) ia += idx * sa[d];
      if (pb[d] !== 1) ib += idx * sb[d];
    }
    out[i] = f(a[ia], b[ib]);
  }
  return out;
}

function pool(x: Float32Array, xs: number[], os: number[], o: FbUnion, max: boolean): Float32Array {
  const [batch, ih, iw, c] = xs;
  const [, oh, ow] = os;
  const fh = o.filter_height as number;
  const fw = o.filter_width as number;
  const sh = o.stride_h as number;
  const sw = o.stride_w as number;
  const ph = padBefore(o.padding as string, ih, fh, sh, 1, oh);
  const pw = padBefore(o.padding as string, iw, fw, sw, 1, ow);
  const out = new Float32Array(batch * oh * ow * c);
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ch = 0; ch < c; ch++) {
          let acc = max ? -Infinity : 0;
          let count = 0;
          for (let ky = 0; ky < fh; ky++) {
            const iy = oy * sh - ph + ky;
            if (iy < 0 || iy >= ih) continue;
            for (let kx = 0; kx < fw; kx++) {
              const ix = ox * sw - pw + kx;
              if (ix < 0 || ix >= iw) continue;
              const v = x[((b * ih + iy) * iw + ix) * c + ch];
              acc = max ? Math.max(acc, v) : acc + v;
              count++;
            }
          }
          // Padding cells are left out of the average, as TFLite does.
          out[((b * oh + oy) * ow + ox) * c + ch] = max ? acc : acc / count;
        }
  return out;
}

function mean(x: Float32Array, xs: number[], axesRaw: number[], os: number[]): Float32Array {
  const rank = xs.length;
  const axes = new Set(axesRaw.map((a) => (a < 0 ? a + rank : a)));
  const keptShape = xs.map((d, i) => (axes.has(i) ? 1 : d));
  const out = new Float32Array(elementCount(os));
  const sx = strides(xs);
  const sk = strides(keptShape);
  for (let i = 0; i < x.length; i++) {
    let k = 0;
    for (let d = 0; d < rank; d++) if (!axes.has(d)) k += (Math.floor(i / sx[d]) % xs[d]) * sk[d];
    out[k] += x[i];
  }
  const count = x.length / out.length;
  for (let i = 0; i < out.length; i++) out[i] /= count;
  return out;
}

function softmax(x: Float32Array, xs: number[], beta: number): Float32Array {
  const depth = xs[xs.length - 1];
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / depth; r++) {
    let m = -Infinity;
    for (let d = 0; d < depth; d++) m = Math.max(m, x[r * depth + d]);
    let sum = 0;
    for (let d = 0; d < depth; d++)
      sum += out[r * depth + d] = Math.exp((x[r * depth + d] - m) * beta);
    for (let d = 0; d < depth; d++) out[r * depth + d] /= sum;
  }
  return out;
}

function pad(x: Float32Array, xs: number[], paddings: Float32Array, os: number[]): Float32Array {
  const out = new Float32Array(elementCount(os));
  const sx = strides(xs);
  const so = strides(os);
  for (let i = 0; i < x.length; i++) {
    let k = 0;
    for (let d = 0; d < xs.length; d++)
      k += ((Math.floor(i / sx[d]) % xs[d]) + paddings[2 * d]) * so[d];
    out[k] = x[i];
  }
  return out;
}

function concat(
  parts: Float32Array[],
  shapes: number[][],
  axisRaw: number,
  os: number[],
): Float32Array {
  const axis = axisRaw < 0 ? axisRaw + os.length : axisRaw;
  const outer = elementCount(os.slice(0, axis));
  const out = new Float32Array(elementCount(os));
  let offset = 0;
  const rowOut = elementCount(os.slice(axis));
  parts.forEach((p, k) => {
    const row = elementCount(shapes[k].slice(axis));
    for (let r = 0; r < outer; r++)
      out.set(p.subarray(r * row, (r + 1) * row), r * rowOut + offset);
    offset += row;
  });
  return out;
}
