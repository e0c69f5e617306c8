import { TinyOpsError } from '../errors';
import type { FbUnion, Model, Operator, Subgraph, Tensor } from '../tflite/ir';
import { opName } from '../tflite/model';
import {
  addBuffer,
  constantAsFloat,
  consumersOf,
  float32Bytes,
  isConstant,
  producersOf,
  readFloat32,
} from './tensor-data';

/**
 * Graph preparation before calibration: turn a hybrid or partly-dequantized float model into a
 * plain float32 graph, and do the clean-up converters do (activation fusion, batch-norm folding
 * of a per-channel MUL/ADD into the conv before it), then drop what nothing uses.
 */

export interface CleanupLog {
  /** One line per change, e.g. `fused RELU6 into CONV_2D "conv1"`. */
  changes: string[];
}

/** A copy deep enough that edits to ops, tensors and buffers never touch the input model. */
export function cloneModel(model: Model): Model {
  return {
    ...model,
    operatorCodes: model.operatorCodes.map((c) => ({ ...c })),
    buffers: model.buffers.map((b) => ({ ...b })),
    metadata: model.metadata.map((m) => ({ ...m })),
    subgraphs: model.subgraphs.map((sg) => ({
      ...sg,
      inputs: [...sg.inputs],
      outputs: [...sg.outputs],
      tensors: sg.tensors.map((t) => ({
        ...t,
        shape: [...t.shape],
        quantization: t.quantization ? { ...t.quantization } : null,
      })),
      operators: sg.operators.map((op) => ({
        ...op,
        inputs: [...op.inputs],
        outputs: [...op.outputs],
        builtinOptions: op.builtinOptions ? { ...op.builtinOptions } : null,
      })),
    })),
  };
}

/** Makes every constant a float model computes with FLOAT32: hybrid int8 weights and float16
 * weights are dequantized, and DEQUANTIZE ops reading a constant are folded away. Throws when an
 * activation tensor is not float32 (the model is already quantized). */
export function toPlainFloat(model: Model, log: CleanupLog): void {
  const sg = model.subgraphs[0];
  const kept: Operator[] = [];
  for (const op of sg.operators) {
    const input = sg.tensors[op.inputs[0]];
    if (opName(model, op) === 'DEQUANTIZE' && input && isConstant(model, input)) {
      const out = sg.tensors[op.outputs[0]];
      out.buffer = addBuffer(model, float32Bytes(constantAsFloat(model, input)));
      out.type = 'FLOAT32';
      out.quantization = null;
      log.changes.push(`folded DEQUANTIZE of constant "${input.name}"`);
    } else kept.push(op);
  }
  sg.operators = kept;
  let hybrid = 0;
  sg.tensors.forEach((t) => {
    if (!isConstant(model, t) || t.type === 'FLOAT32' || t.type === 'INT32' || t.type === 'INT64')
      return;
    if (t.type === 'INT8' || t.type === 'UINT8' || t.type === 'FLOAT16') {
      t.buffer = addBuffer(model, float32Bytes(constantAsFloat(model, t)));
      t.type = 'FLOAT32';
      t.quantization = null;
      hybrid++;
    }
  });
  if (hybrid > 0)
    log.changes.push(
      `dequantized ${hybrid} int8/float16 weight tensor(s) of a hybrid model to float32`,
    );
  const produced = new Set(sg.operators.flatMap((op) => op.outputs));
  const notFloat = sg.tensors
    .map((t, i) => ({ t, i }))
    .filter(({ t, i }) => (produced.has(i) || sg.inputs.includes(i)) && t.type !== 'FLOAT32');
  if (notFloat.length > 0)
    throw new TinyOpsError(
      'QUANT_NOT_FLOAT',
      `The model is not a float model: activation tensor(s) ${notFloat
        .slice(0, 5)
        .map(({ t, i }) => `${i} "${t.name}" (${t.type})`)
        .join(', ')} are not float32`,
      {
        hint: 'Give the float32 model (the one training exported); an int8 model is already quantized.',
      },
    );
}

const FUSABLE_PRODUCERS = new Set([
  'CONV_2D',
  'DEPTHWISE_CONV_2D',
  'FULLY_CONNECTED',
  'ADD',
  'SUB',
  'MUL',
  'CONCATENATION',
]);
const ACTIVATION_OPS: Record<string, string> = {
  RELU: 'RELU',
  RELU6: 'RELU6',
  RELU_N1_TO_1: 'RELU_N1_TO_1',
};

/** The tensor `t` is an intermediate result nobody else reads: safe to fold an op into it. */
function singleUse(sg: Subgraph, consumers: Map<number, number[]>, t: number): boolean {
  return (consumers.get(t)?.length ?? 0) === 1 && !sg.outputs.includes(t);
}

/** Fuses a standalone RELU/RELU6 into the conv/FC/ADD before it (its fused_activation_function). */
export function fuseActivations(model: Model, log: CleanupLog): void {
  const sg = model.subgraphs[0];
  const drop = new Set<number>();
  const consumers = consumersOf(sg);
  const producers = producersOf(sg);
  sg.operators.forEach((op, i) => {
    const act = ACTIVATION_OPS[opName(model, op)];
    if (!act) return;
    const p = producers.get(op.inputs[0]);
    if (p === undefined || drop.has(p)) return;
    const prod = sg.operators[p];
    const opts = prod.builtinOptions;
    if (
      !FUSABLE_PRODUCERS.has(opName(model, prod)) ||
      !opts ||
      opts.fused_activation_function !== 'NONE'
    )
      return;
    if (!singleUse(sg, consumers, op.inputs[0])) return;
    opts.fused_activation_function = act;
    prod.outputs[0] = op.outputs[0];
    drop.add(i);
    log.changes.push(
      `fused ${act} into ${opName(model, prod)} "${sg.tensors[op.outputs[0]].name}"`,
    );
  });
  sg.operators = sg.operators.filter((_, i) => !drop.has(i));
}

/** Folds a per-channel MUL then ADD by constants (an unfused batch norm) into the CONV_2D,
 * DEPTHWISE_CONV_2D or FULLY_CONNECTED before it: w' = w * scale, b' = b * scale + shift. */
export function foldBatchNorm(model: Model, log: CleanupLog): void {
  const sg = model.subgraphs[0];
  for (let changed = true; changed;) {
    changed = false;
    const consumers = consumersOf(sg);
    const producers = producersOf(sg);
    for (let i = 0; i < sg.operators.length && !changed; i++) {
      const op = sg.operators[i];
      const name = opName(model, op);
      if (name !== 'MUL' && name !== 'ADD' && name !== 'SUB') continue;
      const constIdx = op.inputs.findIndex((t) => isConstant(model, sg.tensors[t]));
      if (constIdx < 0 || op.inputs.length !== 2) continue;
      const x = op.inputs[1 - constIdx];
      const p = producers.get(x);
      if (p === undefined || !singleUse(sg, consumers, x)) continue;
      const prod = sg.operators[p];
      const pname = opName(model, prod);
      if (!['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED'].includes(pname)) continue;
      if ((prod.builtinOptions?.fused_activation_function ?? 'NONE') !== 'NONE') continue;
      const w = sg.tensors[prod.inputs[1]];
      const channels = pname === 'DEPTHWISE_CONV_2D' ? w.shape[3] : w.shape[0];
      const c = readFloat32(model.buffers[sg.tensors[op.inputs[constIdx]].buffer].data);
      if (c.length !== channels && c.length !== 1) continue;
      if (name === 'SUB' && constIdx === 0) continue;
      const k = (ch: number) => c[c.length === 1 ? 0 : ch];
      const bias = ensureBias(model, prod, channels);
      if (name === 'MUL') {
        const wv = readFloat32(model.buffers[w.buffer].data);
        const inner = pname === 'DEPTHWISE_CONV_2D' ? 1 : wv.length / channels;
        for (let j = 0; j < wv.length; j++)
          wv[j] *= k(pname === 'DEPTHWISE_CONV_2D' ? j % channels : Math.floor(j / inner));
        w.buffer = addBuffer(model, float32Bytes(wv));
        for (let ch = 0; ch < channels; ch++) bias[ch] *= k(ch);
      } else for (let ch = 0; ch < channels; ch++) bias[ch] += name === 'ADD' ? k(ch) : -k(ch);
      sg.tensors[prod.inputs[2]].buffer = addBuffer(model, float32Bytes(bias));
      if (op.builtinOptions)
        (prod.builtinOptions as FbUnion).fused_activation_function =
          op.builtinOptions.fused_activation_function ?? 'NONE';
      prod.outputs[0] = op.outputs[0];
      sg.operators.splice(i, 1);
      log.changes.push(
        `folded ${name} by a per-channel constant (batch norm) into ${pname} "${sg.tensors[op.outputs[0]].name}"`,
      );
      changed = true;
    }
  }
}

/** The op's bias values, creating a zero bias tensor when the op has none. */
function ensureBias(model: Model, op: Operator, channels: number): Float32Array {
  const sg = model.subgraphs[0];
  if (op.inputs.length > 2 && op.inputs[2] >= 0)
    return readFloat32(model.buffers[sg.tensors[op.inputs[2]].buffer].data);
  const bias = new Float32Array(channels);
  sg.tensors.push(
    newTensor(
      `${sg.tensors[op.outputs[0]].name}/bias`,
      [channels],
      addBuffer(model, float32Bytes(bias)),
    ),
  );
  while (op.inputs.length < 3) op.inputs.push(-1);
  op.inputs[2] = sg.tensors.length - 1;
  return bias;
}

export function newTensor(
  name: string,
  shape: number[],
  buffer: number,
  type: Tensor['type'] = 'FLOAT32',
): Tensor {
  return {
    name,
    type,
    shape,
    shapeSignature: [],
    buffer,
    quantization: null,
    isVariable: false,
    hasRank: false,
    sparsity: null,
    variantTensors: null,
    externalBuffer: 0,
  };
}

/** Drops tensors no op, input or output references, and buffers no tensor or metadata uses,
 * renumbering the rest (buffer 0 stays the empty sentinel). */
export function compact(model: Model): void {
  const sg = model.subgraphs[0];
  const used = new Set<number>([...sg.inputs, ...sg.outputs]);
  for (const op of sg.operators)
    for (const t of [...op.inputs, ...op.outputs, ...op.intermediates]) if (t >= 0) used.add(t);
  const tensorMap = new Map<number, number>();
  const tensors: Tensor[] = [];
  sg.tensors.forEach((t, i) => {
    if (!used.has(i)) return;
    tensorMap.set(i, tensors.length);
    tensors.push(t);
  });
  const remapT = (t: number) => (t < 0 ? t : tensorMap.get(t)!);
  sg.inputs = sg.inputs.map(remapT);
  sg.outputs = sg.outputs.map(remapT);
  for (const op of sg.operators) {
    op.inputs = op.inputs.map(remapT);
    op.outputs = op.outputs.map(remapT);
    op.intermediates = op.intermediates.map(remapT);
  }
  sg.tensors = tensors;
  for (const sig of model.signatureDefs) {
    for (const key of ['inputs', 'outputs']) {
      const list = sig[key];
      if (Array.isArray(list))
        for (const entry of list as Array<Record<string, unknown>>)
          if (typeof entry.tensor_index === 'number')
            entry.tensor_index = tensorMap.get(entry.tensor_index) ?? entry.tensor_index;
    }
  }
  const usedBuffers = new Set<number>([0]);
  for (const s of model.subgraphs) for (const t of s.tensors) usedBuffers.add(t.buffer);
  for (const m of model.metadata) usedBuffers.add(m.buffer);
  const bufferMap = new Map<number, number>();
  const buffers = model.buffers.filter((_, i) => {
    if (!usedBuffers.has(i)) return false;
    bufferMap.set(i, bufferMap.size);
    return true;
  });
  for (const s of model.subgraphs) for (const t of s.tensors) t.buffer = bufferMap.get(t.buffer)!;
  for (const m of model.metadata) m.buffer = bufferMap.get(m.buffer)!;
  model.metadataBuffer = model.metadataBuffer
    .filter((b) => bufferMap.has(b))
    .map((b) => bufferMap.get(b)!);
  model.buffers = buffers;
  const usedCodes = new Set(
    model.subgraphs.flatMap((s) => s.operators.map((op) => op.opcodeIndex)),
  );
  const codeMap = new Map<number, number>();
  model.operatorCodes = model.operatorCodes.filter((_, i) => {
    if (!usedCodes.has(i)) return false;
    codeMap.set(i, codeMap.size);
    return true;
  });
  for (const s of model.subgraphs)
    for (const op of s.operators) op.opcodeIndex = codeMap.get(op.opcodeIndex)!;
}

/** The index of an operator code for `name` (builtin), adding it when missing. */
export function opcodeIndex(
  model: Model,
  name: string,
  builtinCode: number,
  version: number,
): number {
  const found = model.operatorCodes.findIndex((c) => c.name === name);
  if (found >= 0) return found;
  model.operatorCodes.push({
    builtinCode,
    name,
    deprecatedBuiltinCode: builtinCode < 127 ? builtinCode : 127,
    rawBuiltinCode: builtinCode,
    customCode: null,
    version,
  });
  return model.operatorCodes.length - 1;
}
