import { TinyOpsError } from '../errors';
import type { FbValue, Model } from '../tflite/ir';
import { ModelBuilder } from './builder';
import { elementCount } from './tensor-data';

/**
 * A Keras layer graph (the `model_config` JSON of Keras 2/3 .h5/.keras files and TF.js layers
 * models) turned into a float32 TFLite IR, layer by layer, NHWC with batch 1. Batch norms become
 * a per-channel MUL and ADD and standalone activations their own ops: the clean-up before
 * quantization folds them into the conv or dense before them, as the converter does.
 */

/** Weight lookup: by Keras weight name (Keras 2 .h5, TF.js) or by position (Keras 3 .keras). */
export interface WeightSource {
  get(layer: string, name: string, index: number): { values: Float32Array; shape: number[] } | null;
}

interface Node {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inputs: string[];
}

type Json = Record<string, unknown>;

const fail = (message: string, hint: string, where?: string): never => {
  throw new TinyOpsError('KERAS_UNSUPPORTED', message, { hint, where });
};

/** Collects the layer names feeding a Keras 3 node (`__keras_tensor__` entries, at any depth). */
function kerasHistory(value: unknown, out: string[]): void {
  if (Array.isArray(value)) for (const v of value) kerasHistory(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Json;
    if (o.class_name === '__keras_tensor__')
      out.push(((o.config as Json).keras_history as unknown[])[0] as string);
    else for (const v of Object.values(o)) kerasHistory(v, out);
  }
}

function nodeInputs(layer: Json): string[] {
  const inbound = layer.inbound_nodes as unknown[] | undefined;
  if (!inbound || inbound.length === 0) return [];
  if (inbound.length > 1)
    fail(
      `Layer "${(layer.config as Json).name}" is called ${inbound.length} times (shared layer)`,
      'Give each call its own layer.',
    );
  const first = inbound[0];
  if (Array.isArray(first)) return first.map((entry) => (entry as unknown[])[0] as string);
  const out: string[] = [];
  kerasHistory(first, out);
  return out;
}

function endpointNames(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  if (typeof v[0] === 'string') return [v[0] as string];
  return v.map((e) => (e as unknown[])[0] as string);
}

/** Normalises Sequential and Functional configs into a node list in execution order. */
function layerGraph(modelConfig: Json): { nodes: Node[]; inputs: string[]; outputs: string[] } {
  const className = modelConfig.class_name as string;
  const config = modelConfig.config as Json | unknown[];
  const layers = (Array.isArray(config) ? config : (config.layers as Json[])) as Json[];
  if (!Array.isArray(layers))
    fail(
      'The model config has no layer list',
      'Save the model with model.save() (Keras) or tfjs.converters.save_keras_model.',
    );
  const nameOf = (l: Json) => ((l.config as Json).name as string) ?? (l.name as string);
  if (className === 'Sequential') {
    const nodes: Node[] = [];
    let prev: string | null = null;
    for (const l of layers) {
      const node: Node = {
        name: nameOf(l),
        className: l.class_name as string,
        config: l.config as Json,
        inputs: prev ? [prev] : [],
      };
      if (!prev && node.className !== 'InputLayer') {
        const shape = (node.config.batch_input_shape ?? node.config.batch_shape) as
          number[] | undefined;
        if (!shape)
          fail(
            `The first layer "${node.name}" has no input shape`,
            'Build the model with an Input layer or input_shape=.',
          );
        nodes.push({
          name: `${node.name}_input`,
          className: 'InputLayer',
          config: { batch_input_shape: shape },
          inputs: [],
        });
        node.inputs = [`${node.name}_input`];
      }
      nodes.push(node);
      prev = node.name;
    }
    return { nodes, inputs: [nodes[0].name], outputs: [prev!] };
  }
  if (className !== 'Functional' && className !== 'Model')
    fail(
      `Model class ${className} is not supported`,
      'Use a Sequential or Functional Keras model.',
    );
  const c = config as Json;
  const nodes = layers.map((l) => ({
    name: nameOf(l),
    className: l.class_name as string,
    config: l.config as Json,
    inputs: nodeInputs(l),
  }));
  return { nodes, inputs: endpointNames(c.input_layers), outputs: endpointNames(c.output_layers) };
}

const ACTIVATIONS: Record<string, string> = { relu: 'RELU', relu6: 'RELU6', linear: 'NONE' };
const STANDALONE: Record<string, string> = {
  relu: 'RELU',
  relu6: 'RELU6',
  sigmoid: 'LOGISTIC',
  tanh: 'TANH',
  softmax: 'SOFTMAX',
};

function activationName(v: unknown): string {
  if (v === null || v === undefined) return 'linear';
  if (typeof v === 'string') return v;
  const o = v as Json;
  return ((o.config as Json | undefined)?.name as string) ?? (o.class_name as string) ?? 'linear';
}

const pair = (v: unknown, fallback: number): [number, number] =>
  v === undefined || v === null
    ? [fallback, fallback]
    : Array.isArray(v)
      ? [v[0] as number, (v[1] ?? v[0]) as number]
      : [v as number, v as number];

function outSize(
  padding: string,
  size: number,
  filter: number,
  stride: number,
  dilation: number,
): number {
  const eff = (filter - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - eff) / stride) + 1;
}

/** Builds the float TFLite IR for a Keras layer graph with its weights. */
export function kerasToTflite(modelConfig: Json, weights: WeightSource, source: string): Model {
  const { nodes, inputs, outputs } = layerGraph(modelConfig);
  const b = new ModelBuilder(`TinyOps import of ${source}`);
  const tensorOf = new Map<string, number>();
  const pending = new Map(nodes.map((n) => [n.name, n]));
  const weight = (layer: string, name: string, index: number, shape?: number[]) => {
    const w = weights.get(layer, name, index);
    if (!w)
      fail(
        `Weight "${name}" of layer "${layer}" is missing from the weights`,
        'Save the model with its weights (model.save), and keep the .bin shards beside model.json.',
        source,
      );
    if (shape && elementCount(w!.shape) !== elementCount(shape))
      fail(
        `Weight "${name}" of layer "${layer}" has shape [${w!.shape}], expected [${shape}]`,
        'The weights do not belong to this model config.',
        source,
      );
    return w!;
  };
  // Layers in dependency order (Keras lists them so, but be safe about it).
  const order: Node[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (order.some((n) => n.name === name) || visiting.has(name)) return;
    const n = pending.get(name);
    if (!n)
      fail(`Layer "${name}" is referenced but not defined`, 'Check the model config.', source);
    visiting.add(name);
    n!.inputs.forEach(visit);
    order.push(n!);
  };
  outputs.forEach(visit);
  // Keep Keras's own layer order (already topological) for the layers the outputs need.
  const needed = new Set(order.map((n) => n.name));
  order.length = 0;
  visiting.clear();
  nodes.filter((n) => needed.has(n.name)).forEach((n) => visit(n.name));
  for (const node of order) {
    const cfg = node.config;
    const ins = node.inputs.map((n) => tensorOf.get(n)!);
    const x = ins[0];
    const xs = x !== undefined ? b.shape(x) : [];
    const where = `layer "${node.name}" (${node.className})`;
    if (cfg.data_format === 'channels_first')
      fail(
        `${where} uses channels_first`,
        'Use channels_last (NHWC), the layout TFLite runs.',
        source,
      );
    const applyActivation = (t: number, act: unknown): number => {
      const a = activationName(act);
      if (a === 'linear') return t;
      const op =
        STANDALONE[a] ??
        fail(
          `${where} uses activation "${a}"`,
          `Supported activations: ${Object.keys(STANDALONE).join(', ')}, linear.`,
          source,
        );
      return op === 'SOFTMAX'
        ? b.op('SOFTMAX', [t], `${node.name}/${a}`, b.shape(t), { beta: 1 }, 'SoftmaxOptions')
        : b.op(op, [t], `${node.name}/${a}`, b.shape(t));
    };
    /** A conv or dense activation folds in when it has a fused form. */
    const fusedOrNone = (act: unknown) => ACTIVATIONS[activationName(act)] ?? 'NONE';
    const trailing = (act: unknown) => (ACTIVATIONS[activationName(act)] ? null : act);
    let out: number;
    switch (node.className) {
      case 'InputLayer': {
        const shape = (cfg.batch_input_shape ?? cfg.batch_shape) as Array<number | null>;
        out = b.input(node.name, [
          1,
          ...shape
            .slice(1)
            .map(
              (d) =>
                d ??
                fail(`${where} has a dynamic dimension`, 'Give the input a fixed shape.', source),
            ),
        ]);
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        if (xs.length !== 4)
          fail(`${where} needs a 4-D input, got [${xs}]`, 'Check the model.', source);
        const [kh, kw] = pair(cfg.kernel_size, 1);
        const [sh, sw] = pair(cfg.strides, 1);
        const [dh, dw] = pair(cfg.dilation_rate, 1);
        const padding = cfg.padding as string;
        const inC = xs[3];
        const depthwise = node.className === 'DepthwiseConv2D';
        const outC = depthwise
          ? inC * ((cfg.depth_multiplier as number) ?? 1)
          : (cfg.filters as number);
        const os = [
          1,
          outSize(padding, xs[1], kh, sh, dh),
          outSize(padding, xs[2], kw, sw, dw),
          outC,
        ];
        const kernel = weight(node.name, depthwise ? 'depthwise_kernel' : 'kernel', 0, [
          kh,
          kw,
          depthwise ? inC : inC,
          depthwise ? outC / inC : outC,
        ]);
        // Keras HWIO -> TFLite OHWI for conv; HWCM is already TFLite's [1, H, W, C*M] depthwise layout.
        const w = depthwise ? kernel.values : transposeHwioToOhwi(kernel.values, kh, kw, inC, outC);
        const wt = b.constant(
          `${node.name}/kernel`,
          depthwise ? [1, kh, kw, outC] : [outC, kh, kw, inC],
          w,
        );
        const bias =
          cfg.use_bias === false
            ? new Float32Array(outC)
            : weight(node.name, 'bias', 1, [outC]).values;
        const bt = b.constant(`${node.name}/bias`, [outC], bias);
        const opts: Record<string, FbValue> = {
          padding: padding.toUpperCase(),
          stride_w: sw,
          stride_h: sh,
          dilation_w_factor: dw,
          dilation_h_factor: dh,
          fused_activation_function: fusedOrNone(cfg.activation),
        };
        if (depthwise) opts.depth_multiplier = outC / inC;
        out = b.op(
          depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D',
          [x, wt, bt],
          node.name,
          os,
          opts,
          depthwise ? 'DepthwiseConv2DOptions' : 'Conv2DOptions',
        );
        out = applyActivation(out, trailing(cfg.activation));
        break;
      }
      case 'Dense': {
        if (xs.length !== 2)
          fail(
            `${where} takes a ${xs.length}-D input [${xs}]`,
            'Flatten before Dense: TinyOps maps Dense to FULLY_CONNECTED on [1, N] inputs.',
            source,
          );
        const units = cfg.units as number;
        const kernel = weight(node.name, 'kernel', 0, [xs[1], units]).values;
        const wt = b.constant(
          `${node.name}/kernel`,
          [units, xs[1]],
          transpose2d(kernel, xs[1], units),
        );
        const bias =
          cfg.use_bias === false
            ? new Float32Array(units)
            : weight(node.name, 'bias', 1, [units]).values;
        const bt = b.constant(`${node.name}/bias`, [units], bias);
        out = b.op(
          'FULLY_CONNECTED',
          [x, wt, bt],
          node.name,
          [1, units],
          { fused_activation_function: fusedOrNone(cfg.activation) },
          'FullyConnectedOptions',
        );
        out = applyActivation(out, trailing(cfg.activation));
        break;
      }
      case 'BatchNormalization': {
        const axis = (Array.isArray(cfg.axis) ? cfg.axis[0] : cfg.axis) as number;
        if (axis !== -1 && axis !== xs.length - 1)
          fail(
            `${where} normalises axis ${axis}`,
            'Only the channel (last) axis is supported.',
            source,
          );
        const c = xs[xs.length - 1];
        let k = 0;
        const gamma =
          cfg.scale === false
            ? new Float32Array(c).fill(1)
            : weight(node.name, 'gamma', k++, [c]).values;
        const beta =
          cfg.center === false ? new Float32Array(c) : weight(node.name, 'beta', k++, [c]).values;
        const mean = weight(node.name, 'moving_mean', k++, [c]).values;
        const variance = weight(node.name, 'moving_variance', k++, [c]).values;
        const eps = (cfg.epsilon as number) ?? 1e-3;
        if (variance.some((v) => !(v + eps > 0)))
          fail(
            `${where} has a moving variance that is negative or NaN`,
            'Check the saved weights (a variance must be positive).',
            source,
          );
        const scale = gamma.map((g, i) => g / Math.sqrt(variance[i] + eps));
        const shift = beta.map((bt, i) => bt - mean[i] * scale[i]);
        const m = b.op(
          'MUL',
          [x, b.constant(`${node.name}/scale`, [c], scale)],
          `${node.name}/mul`,
          xs,
          {},
          'MulOptions',
        );
        out = b.op(
          'ADD',
          [m, b.constant(`${node.name}/shift`, [c], shift)],
          node.name,
          xs,
          {},
          'AddOptions',
        );
        break;
      }
      case 'Activation':
        out = applyActivation(x, cfg.activation);
        break;
      case 'ReLU': {
        if (((cfg.negative_slope as number) ?? 0) !== 0 || ((cfg.threshold as number) ?? 0) !== 0)
          fail(
            `${where} is a leaky or thresholded ReLU`,
            'Use a plain ReLU or ReLU(max_value=6).',
            source,
          );
        const max = cfg.max_value as number | null | undefined;
        if (max !== null && max !== undefined && max !== 6)
          fail(
            `${where} has max_value ${max}`,
            'Only ReLU and ReLU6 have int8 kernels here.',
            source,
          );
        out = b.op(max === 6 ? 'RELU6' : 'RELU', [x], node.name, xs);
        break;
      }
      case 'Softmax':
        out = b.op('SOFTMAX', [x], node.name, xs, { beta: 1 }, 'SoftmaxOptions');
        break;
      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
        // Inference-time identities: removed, as the converter does.
        out = x;
        break;
      case 'Flatten':
      case 'Reshape': {
        const target =
          node.className === 'Flatten'
            ? [1, elementCount(xs)]
            : [1, ...(cfg.target_shape as number[])];
        const fill = target.indexOf(-1);
        if (fill >= 0) target[fill] = elementCount(xs) / -elementCount(target);
        out = b.op(
          'RESHAPE',
          [x, b.int32Constant(`${node.name}/shape`, target)],
          node.name,
          target,
          { new_shape: target },
          'ReshapeOptions',
        );
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const [fh, fw] = pair(cfg.pool_size, 2);
        const [sh, sw] = pair(cfg.strides ?? cfg.pool_size, 2);
        const padding = (cfg.padding as string) ?? 'valid';
        const os = [
          1,
          outSize(padding, xs[1], fh, sh, 1),
          outSize(padding, xs[2], fw, sw, 1),
          xs[3],
        ];
        const name = node.className === 'MaxPooling2D' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D';
        out = b.op(
          name,
          [x],
          node.name,
          os,
          {
            padding: padding.toUpperCase(),
            stride_w: sw,
            stride_h: sh,
            filter_width: fw,
            filter_height: fh,
          },
          'Pool2DOptions',
        );
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        const name = node.className === 'GlobalMaxPooling2D' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D';
        const pooled = b.op(
          name,
          [x],
          `${node.name}/pool`,
          [1, 1, 1, xs[3]],
          {
            padding: 'VALID',
            stride_w: xs[2],
            stride_h: xs[1],
            filter_width: xs[2],
            filter_height: xs[1],
          },
          'Pool2DOptions',
        );
        out = cfg.keepdims
          ? pooled
          : b.op(
              'RESHAPE',
              [pooled, b.int32Constant(`${node.name}/shape`, [1, xs[3]])],
              node.name,
              [1, xs[3]],
              { new_shape: [1, xs[3]] },
              'ReshapeOptions',
            );
        break;
      }
      case 'Add': {
        out = ins[0];
        for (let k = 1; k < ins.length; k++)
          out = b.op(
            'ADD',
            [out, ins[k]],
            k === ins.length - 1 ? node.name : `${node.name}/${k}`,
            b.shape(ins[0]),
            {},
            'AddOptions',
          );
        break;
      }
      case 'Concatenate': {
        const rank = xs.length;
        const axis = (((cfg.axis as number) ?? -1) + rank) % rank;
        const os = [...xs];
        os[axis] = ins.reduce((s, t) => s + b.shape(t)[axis], 0);
        out = b.op('CONCATENATION', ins, node.name, os, { axis }, 'ConcatenationOptions');
        break;
      }
      case 'ZeroPadding2D': {
        const p = cfg.padding;
        const [[t, bo], [l, r]] =
          Array.isArray(p) && Array.isArray(p[0])
            ? (p as [[number, number], [number, number]])
            : (() => {
                const [ph, pw] = pair(p, 1);
                return [
                  [ph, ph],
                  [pw, pw],
                ] as [[number, number], [number, number]];
              })();
        const pads = b.int32Constant(`${node.name}/paddings`, [0, 0, t, bo, l, r, 0, 0]);
        b.shape(pads).splice(0, 1, 4, 2);
        out = b.op('PAD', [x, pads], node.name, [1, xs[1] + t + bo, xs[2] + l + r, xs[3]]);
        break;
      }
      default:
        return fail(
          `${where}: layer type ${node.className} is not supported`,
          'Supported: Conv2D, DepthwiseConv2D, Dense, BatchNormalization, ReLU, Activation, Softmax, Dropout, Flatten, Reshape, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Add, Concatenate, ZeroPadding2D.',
          source,
        );
    }
    tensorOf.set(node.name, out);
  }
  for (const name of inputs)
    if (!tensorOf.has(name))
      fail(`Input layer "${name}" does not feed the outputs`, 'Check the model config.', source);
  for (const name of outputs) b.output(tensorOf.get(name)!);
  return b.model;
}

function transposeHwioToOhwi(
  w: Float32Array,
  kh: number,
  kw: number,
  ic: number,
  oc: number,
): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ic; i++)
        for (let o = 0; o < oc; o++)
          out[((o * kh + y) * kw + x) * ic + i] = w[((y * kw + x) * ic + i) * oc + o];
  return out;
}

function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}
