import type { Model, Operator, Subgraph, Tensor } from '../tflite/ir';
import { opName } from '../tflite/model';
import { tensorByteSize, tensorElementCount } from '../tflite/tensor';
import { isConstantTensor } from './lifetimes';

/** The kernel family an op's work belongs to: the latency model prices each family apart. */
export type KernelFamily =
  'conv' | 'depthwise' | 'fc' | 'pool' | 'elementwise' | 'softmax' | 'move' | 'other';

/** The cost of one op of subgraph 0. */
export interface OpCost {
  index: number;
  op: string;
  version: number;
  family: KernelFamily;
  /** Multiply-accumulates (conv, depthwise, fully connected, transpose conv, matmul, SVDF, LSTM). */
  macs: number;
  /** Other arithmetic: one per element touched by pooling windows, elementwise ops, softmax. */
  elementOps: number;
  /** Constant inputs (weights, biases): elements and bytes. */
  params: number;
  paramBytes: number;
  /** Non-constant inputs and outputs: bytes. */
  inputBytes: number;
  outputBytes: number;
  /** Shapes and types, for the table: "INT8[1,49,10,1]". */
  inputs: string[];
  outputs: string[];
}

export interface CostTotals {
  macs: number;
  elementOps: number;
  /** Constant tensors counted once each, however many ops read them. */
  params: number;
  paramBytes: number;
  /** Activation (non-constant) tensor bytes, each counted once. */
  activationBytes: number;
}

const elems = (t: Tensor | undefined) => (t ? tensorElementCount(t) : 0);

function familyOf(op: string): KernelFamily {
  switch (op) {
    case 'CONV_2D':
    case 'TRANSPOSE_CONV':
    case 'CONV_3D':
      return 'conv';
    case 'DEPTHWISE_CONV_2D':
      return 'depthwise';
    case 'FULLY_CONNECTED':
    case 'BATCH_MATMUL':
    case 'SVDF':
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM':
    case 'LSTM':
      return 'fc';
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D':
    case 'L2_POOL_2D':
    case 'MEAN':
    case 'SUM':
    case 'REDUCE_MAX':
    case 'REDUCE_MIN':
      return 'pool';
    case 'SOFTMAX':
    case 'LOG_SOFTMAX':
      return 'softmax';
    case 'RESHAPE':
    case 'SQUEEZE':
    case 'EXPAND_DIMS':
    case 'CONCATENATION':
    case 'PAD':
    case 'PADV2':
    case 'TRANSPOSE':
    case 'STRIDED_SLICE':
    case 'SLICE':
    case 'GATHER':
    case 'SPLIT':
    case 'SPLIT_V':
    case 'PACK':
    case 'UNPACK':
      return 'move';
    case 'CUSTOM':
      return 'other';
    default:
      return 'elementwise';
  }
}

/** Multiply-accumulates of an op from its tensors' shapes (TFLite layouts: NHWC activations,
 * OHWI conv filters, 1HWC depthwise filters, [units, depth] FC weights). */
function macsOf(
  op: string,
  operator: Operator,
  t: (k: number) => Tensor | undefined,
  outT: Tensor | undefined,
): number {
  const input = t(0);
  const weights = t(1);
  switch (op) {
    case 'CONV_2D': {
      // Each output element sums KH*KW*(filter input channels) products; grouped convs have
      // fewer filter input channels than the input has.
      if (!weights || weights.shape.length !== 4) return 0;
      const [, kh, kw, ci] = weights.shape;
      return elems(outT) * kh * kw * ci;
    }
    case 'DEPTHWISE_CONV_2D': {
      if (!weights || weights.shape.length !== 4) return 0;
      const [, kh, kw] = weights.shape;
      return elems(outT) * kh * kw;
    }
    case 'TRANSPOSE_CONV': {
      // inputs: output_shape, weights [O,KH,KW,I], input. Every input element scatters into KH*KW*O outputs.
      const w = t(1);
      const x = t(2);
      if (!w || w.shape.length !== 4) return 0;
      const [o, kh, kw] = w.shape;
      return elems(x) * kh * kw * o;
    }
    case 'FULLY_CONNECTED': {
      if (!weights || weights.shape.length < 2) return 0;
      const depth = weights.shape[weights.shape.length - 1];
      return elems(outT) * depth;
    }
    case 'BATCH_MATMUL': {
      if (!input || input.shape.length < 2) return 0;
      const adjX = operator.builtinOptions?.adj_x === true;
      const k = adjX ? input.shape[input.shape.length - 2] : input.shape[input.shape.length - 1];
      return elems(outT) * k;
    }
    case 'SVDF': {
      // weights_feature [units*rank, input_size], weights_time [units*rank, memory_size].
      const wf = t(1);
      const wt = t(2);
      const batch = input?.shape[0] ?? 1;
      return batch * (elems(wf) + elems(wt));
    }
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM':
    case 'LSTM': {
      // Eight weight matrices (input-to-gate and recurrent-to-gate, four gates), once per time step.
      let perStep = 0;
      for (let k = 1; k <= 8; k++) perStep += elems(t(k));
      const steps = input && input.shape.length >= 3 ? input.shape[0] * input.shape[1] : 1;
      return perStep * steps;
    }
    default:
      return 0;
  }
}

function elementOpsOf(
  op: string,
  family: KernelFamily,
  operator: Operator,
  t: (k: number) => Tensor | undefined,
  outT: Tensor | undefined,
): number {
  if (family === 'conv' || family === 'depthwise' || family === 'fc') return 0;
  if (op === 'AVERAGE_POOL_2D' || op === 'MAX_POOL_2D' || op === 'L2_POOL_2D') {
    const fw = Number(operator.builtinOptions?.filter_width ?? 1);
    const fh = Number(operator.builtinOptions?.filter_height ?? 1);
    return elems(outT) * fw * fh;
  }
  if (family === 'pool') return elems(t(0));
  if (family === 'move' || family === 'other') return 0;
  if (family === 'softmax') return elems(t(0)) * 3; // max, exp and sum, normalise
  return Math.max(elems(outT), elems(t(0)));
}

const describe = (t: Tensor) => `${t.type}[${t.shape.join(',')}]`;

/** Per-op cost of subgraph 0. */
export function opCosts(model: Model, subgraphIndex = 0): OpCost[] {
  const sg: Subgraph = model.subgraphs[subgraphIndex];
  return sg.operators.map((operator, index) => {
    const op = opName(model, operator);
    const code = model.operatorCodes[operator.opcodeIndex];
    const family = familyOf(code.customCode !== null ? 'CUSTOM' : op);
    const t = (k: number) => {
      const i = operator.inputs[k];
      return i === undefined || i < 0 ? undefined : sg.tensors[i];
    };
    const outT =
      operator.outputs[0] !== undefined && operator.outputs[0] >= 0
        ? sg.tensors[operator.outputs[0]]
        : undefined;
    let params = 0;
    let paramBytes = 0;
    let inputBytes = 0;
    const inputs: string[] = [];
    for (const i of operator.inputs) {
      if (i < 0) continue;
      const tensor = sg.tensors[i];
      if (isConstantTensor(model, tensor)) {
        params += tensorElementCount(tensor);
        paramBytes += tensorByteSize(tensor);
      } else {
        inputBytes += tensorByteSize(tensor);
        inputs.push(describe(tensor));
      }
    }
    const outputs = operator.outputs.filter((i) => i >= 0).map((i) => sg.tensors[i]);
    return {
      index,
      op,
      version: code.version,
      family,
      macs: macsOf(op, operator, t, outT),
      elementOps: elementOpsOf(op, family, operator, t, outT),
      params,
      paramBytes,
      inputBytes,
      outputBytes: outputs.reduce((s, o) => s + tensorByteSize(o), 0),
      inputs,
      outputs: outputs.map(describe),
    };
  });
}

/** Totals over subgraph 0; each constant and each activation tensor counted once. */
export function costTotals(model: Model, costs: OpCost[], subgraphIndex = 0): CostTotals {
  const sg = model.subgraphs[subgraphIndex];
  const seen = new Set<number>();
  let params = 0;
  let paramBytes = 0;
  let activationBytes = 0;
  const visit = (i: number) => {
    if (i < 0 || seen.has(i)) return;
    seen.add(i);
    const tensor = sg.tensors[i];
    if (isConstantTensor(model, tensor)) {
      params += tensorElementCount(tensor);
      paramBytes += tensorByteSize(tensor);
    } else activationBytes += tensorByteSize(tensor);
  };
  for (const op of sg.operators) {
    op.inputs.forEach(visit);
    op.outputs.forEach(visit);
  }
  sg.inputs.forEach(visit);
  sg.outputs.forEach(visit);
  return {
    macs: costs.reduce((s, c) => s + c.macs, 0),
    elementOps: costs.reduce((s, c) => s + c.elementOps, 0),
    params,
    paramBytes,
    activationBytes,
  };
}
