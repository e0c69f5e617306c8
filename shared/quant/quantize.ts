import { TinyOpsError } from '../errors';
import type { Model, Operator, Quantization, Tensor } from '../tflite/ir';
import { opName } from '../tflite/model';
import { TFLITE_SCHEMA } from '../tflite/schema.generated';
import {
  calibrate,
  type CalibrationMethod,
  type CalibrationResult,
  type TensorRange,
} from './calibrate';
import { FloatExecutor } from './float-exec';
import {
  cloneModel,
  compact,
  foldBatchNorm,
  fuseActivations,
  opcodeIndex,
  toPlainFloat,
  type CleanupLog,
} from './graph';
import {
  asymmetricParams,
  INT32_MAX,
  quantizeValue,
  quantizeWeights,
  roundAway,
  type AffineParams,
} from './params';
import { addBuffer, constantAsFloat, int32Bytes, int8Bytes, isConstant } from './tensor-data';

/**
 * Float32 TFLite IR -> full-integer int8 TFLite IR, following TFLite's quantization spec and the
 * converter's conventions (checked against the MLPerf Tiny int8 twins of the float models).
 */

export interface QuantizeOptions {
  method: CalibrationMethod;
  percentile?: number;
  /** Per-channel weights for CONV_2D and DEPTHWISE_CONV_2D (default true, as the converter). */
  perChannel?: boolean;
  /** Keep float32 model inputs/outputs with QUANTIZE/DEQUANTIZE at the edges (default: int8 I/O). */
  floatIo?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface QuantizeResult {
  /** The int8 model. */
  model: Model;
  /** The float model after preparation (hybrid weights dequantized, clean-up applied): the one
   * calibrated and the reference the int8 model is compared with. */
  floatModel: Model;
  calibration: CalibrationResult;
  cleanup: string[];
}

/** The op versions the converter writes for int8 kernels (from the MLPerf Tiny int8 models and
 * TFLite's op version rules). */
const INT8_OP_VERSION: Record<string, number> = {
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 3,
  FULLY_CONNECTED: 4,
  ADD: 2,
  SUB: 2,
  MUL: 2,
  AVERAGE_POOL_2D: 2,
  MAX_POOL_2D: 2,
  MEAN: 2,
  RESHAPE: 1,
  SQUEEZE: 1,
  SOFTMAX: 2,
  LOGISTIC: 2,
  TANH: 2,
  RELU: 2,
  RELU6: 2,
  PAD: 2,
  CONCATENATION: 2,
  QUANTIZE: 1,
  DEQUANTIZE: 2,
};

/** Output parameters the spec fixes, whatever the calibration saw. */
const FIXED_OUTPUT: Record<string, AffineParams> = {
  SOFTMAX: { scale: 1 / 256, zeroPoint: -128 },
  LOGISTIC: { scale: 1 / 256, zeroPoint: -128 },
  TANH: { scale: 1 / 128, zeroPoint: 0 },
};

/** Ops whose int8 kernels need the output to carry the input's params (and, for CONCATENATION,
 * every input's). */
const SHARED_PARAMS = new Set([
  'RESHAPE',
  'SQUEEZE',
  'MAX_POOL_2D',
  'AVERAGE_POOL_2D',
  'PAD',
  'CONCATENATION',
]);

/** The converter keeps quantized biases within +-2^30. */
const BIAS_BOUND = 2 ** 30;

const WEIGHT_AXIS: Record<string, number> = {
  CONV_2D: 0,
  DEPTHWISE_CONV_2D: 3,
  FULLY_CONNECTED: 0,
};

/** Prepares a float model for quantization (plain float32, converter clean-up). */
export function prepareFloatModel(input: Model): { model: Model; cleanup: string[] } {
  if (input.subgraphs.length !== 1)
    throw new TinyOpsError(
      'QUANT_SUBGRAPHS',
      `The model has ${input.subgraphs.length} subgraphs; the quantizer handles single-graph models`,
      {
        hint: 'Export the model without control flow (no WHILE/IF subgraphs).',
      },
    );
  const model = cloneModel(input);
  const log: CleanupLog = { changes: [] };
  toPlainFloat(model, log);
  foldBatchNorm(model, log);
  fuseActivations(model, log);
  compact(model);
  return { model, cleanup: log.changes };
}

/** Calibrates the float model on `samples` (per sample, one Float32Array per model input) and
 * returns the int8 model. */
export function quantizeModel(
  input: Model,
  samples: Float32Array[][],
  options: QuantizeOptions,
): QuantizeResult {
  const { model: floatModel, cleanup } = prepareFloatModel(input);
  if (samples.length === 0)
    throw new TinyOpsError('QUANT_NO_SAMPLES', 'The representative dataset has no samples', {
      hint: 'Give at least one sample (100-500 is typical).',
    });
  const executor = new FloatExecutor(floatModel);
  const calibration = calibrate(floatModel, executor, samples, {
    method: options.method,
    percentile: options.percentile,
    onProgress: options.onProgress,
  });
  const model = buildInt8Model(floatModel, calibration, options);
  return { model, floatModel, calibration, cleanup };
}

/** Union-find over tensor indices, for the tensors that must share quantization params. */
class Groups {
  private parent = new Map<number, number>();
  find(t: number): number {
    const p = this.parent.get(t);
    if (p === undefined || p === t) return t;
    const root = this.find(p);
    this.parent.set(t, root);
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

function builtinCode(name: string): number {
  const entry = Object.entries(TFLITE_SCHEMA.enums.BuiltinOperator.names).find(
    ([, n]) => n === name,
  );
  if (!entry) throw new Error(`unknown builtin ${name}`);
  return Number(entry[0]);
}

function quantization(
  scale: number[],
  zeroPoint: number[],
  min: number[] = [],
  max: number[] = [],
  axis = 0,
): Quantization {
  return { scale, zeroPoint, min, max, quantizedDimension: axis, details: null };
}

export function buildInt8Model(
  floatModel: Model,
  calibration: CalibrationResult,
  options: QuantizeOptions,
): Model {
  const model = cloneModel(floatModel);
  const sg = model.subgraphs[0];
  const names = sg.operators.map((op) => opName(model, op));
  const perChannel = options.perChannel ?? true;

  // 1. Activation params: shared groups take the union of their members' ranges, fixed outputs
  //    override, everything else gets its own calibrated range.
  const groups = new Groups();
  const fixed = new Map<number, AffineParams>();
  sg.operators.forEach((op, i) => {
    if (SHARED_PARAMS.has(names[i])) {
      const dataInputs = names[i] === 'CONCATENATION' ? op.inputs : [op.inputs[0]];
      for (const t of dataInputs)
        if (!isConstant(model, sg.tensors[t])) groups.union(t, op.outputs[0]);
    }
    const f = FIXED_OUTPUT[names[i]];
    if (f) fixed.set(op.outputs[0], f);
  });
  const groupRange = new Map<number, TensorRange>();
  const groupFixed = new Map<number, AffineParams>();
  for (const [t, r] of calibration.ranges) {
    const g = groups.find(t);
    const cur = groupRange.get(g);
    groupRange.set(
      g,
      cur ? { min: Math.min(cur.min, r.min), max: Math.max(cur.max, r.max) } : { ...r },
    );
    const f = fixed.get(t);
    if (f) groupFixed.set(g, f);
  }
  const nonFinite = [...calibration.ranges].filter(
    ([, r]) => !Number.isFinite(r.min) || !Number.isFinite(r.max),
  );
  if (nonFinite.length > 0)
    throw new TinyOpsError(
      'QUANT_RANGE_INVALID',
      `Calibration saw NaN or infinite values in ${nonFinite
        .slice(0, 5)
        .map(([t]) => `tensor ${t} "${sg.tensors[t].name}"`)
        .join(', ')}`,
      {
        hint: 'Check the dataset (NaN inputs?) and the float model (its weights or the input scaling) before quantizing.',
      },
    );
  const activationParams = new Map<number, { params: AffineParams; range: TensorRange | null }>();
  for (const t of calibration.ranges.keys()) {
    const g = groups.find(t);
    const f = groupFixed.get(g);
    const range = groupRange.get(g)!;
    activationParams.set(
      t,
      f ? { params: f, range: null } : { params: asymmetricParams(range.min, range.max), range },
    );
  }
  const setActivation = (tensor: Tensor, t: number) => {
    const a = activationParams.get(t);
    if (!a) return;
    tensor.type = 'INT8';
    tensor.quantization = quantization(
      [a.params.scale],
      [a.params.zeroPoint],
      a.range ? [a.range.min] : [],
      a.range ? [a.range.max] : [],
    );
  };
  sg.tensors.forEach((tensor, t) => setActivation(tensor, t));

  // 2. Weights and biases of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED.
  const done = new Set<number>();
  sg.operators.forEach((op, i) => {
    const axis = WEIGHT_AXIS[names[i]];
    if (axis === undefined) return;
    const wIdx = op.inputs[1];
    const w = sg.tensors[wIdx];
    if (!isConstant(model, w) || done.has(wIdx)) return;
    const inParams = activationParams.get(op.inputs[0])?.params;
    if (!inParams) return;
    const channelAxis = perChannel && names[i] !== 'FULLY_CONNECTED' ? axis : null;
    const wf = constantAsFloat(model, w);
    const bIdx = op.inputs.length > 2 ? op.inputs[2] : -1;
    const bias = bIdx >= 0 ? constantAsFloat(model, sg.tensors[bIdx]) : null;
    // A bias too large for its int32 at scale s_in * s_w (near-zero weights) raises that
    // channel's weight scale until |bias| / (s_in * s_w) <= 2^30, the converter's bound.
    let minScales: number[] | undefined;
    if (bias) {
      const channels = channelAxis === null ? 1 : w.shape[channelAxis];
      minScales = new Array<number>(channels).fill(0);
      bias.forEach((b, c) => {
        const ch = channels === 1 ? 0 : c;
        minScales![ch] = Math.max(minScales![ch], Math.abs(b) / (inParams.scale * BIAS_BOUND));
      });
    }
    const qw = quantizeWeights(wf, w.shape, channelAxis, minScales);
    w.type = 'INT8';
    w.buffer = addBuffer(model, int8Bytes(qw.q));
    w.quantization = quantization(
      qw.scales,
      qw.scales.map(() => 0),
      qw.mins,
      qw.maxs,
      channelAxis ?? 0,
    );
    done.add(wIdx);
    if (bias && bIdx >= 0 && !done.has(bIdx)) {
      const scales = qw.scales.map((s) => Math.fround(inParams.scale * s));
      const q = new Int32Array(bias.length);
      bias.forEach((b, c) => {
        const s = scales[scales.length === 1 ? 0 : c];
        q[c] = Math.max(-INT32_MAX, Math.min(INT32_MAX, roundAway(b / s)));
      });
      const bt = sg.tensors[bIdx];
      bt.type = 'INT32';
      bt.buffer = addBuffer(model, int32Bytes(q));
      bt.quantization = quantization(
        scales,
        scales.map(() => 0),
        [],
        [],
        0,
      );
      done.add(bIdx);
    }
  });

  // 3. Other float constants (an ADD or MUL operand, a CONCATENATION part): asymmetric per tensor.
  sg.tensors.forEach((tensor, t) => {
    if (done.has(t) || tensor.type !== 'FLOAT32' || !isConstant(model, tensor)) return;
    const values = constantAsFloat(model, tensor);
    let min = 0;
    let max = 0;
    for (const v of values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const p = asymmetricParams(min, max);
    tensor.type = 'INT8';
    tensor.buffer = addBuffer(model, int8Bytes(Array.from(values, (v) => quantizeValue(v, p))));
    tensor.quantization = quantization([p.scale], [p.zeroPoint], [min], [max]);
    done.add(t);
  });

  // 4. Op versions for the int8 kernels.
  for (const code of model.operatorCodes) {
    const v = INT8_OP_VERSION[code.name];
    if (v !== undefined) code.version = v;
  }
  sg.operators.forEach((op, i) => {
    if (names[i] === 'FULLY_CONNECTED' && op.builtinOptions?.keep_num_dims === true)
      model.operatorCodes[op.opcodeIndex].version = 5;
  });

  // 5. Float I/O: QUANTIZE after each input, DEQUANTIZE before each output.
  const floatEdges = new Set<number>();
  if (options.floatIo) {
    const quantizeOps: Operator[] = [];
    const dequantizeOps: Operator[] = [];
    const qCode = opcodeIndex(model, 'QUANTIZE', builtinCode('QUANTIZE'), INT8_OP_VERSION.QUANTIZE);
    const dqCode = opcodeIndex(
      model,
      'DEQUANTIZE',
      builtinCode('DEQUANTIZE'),
      INT8_OP_VERSION.DEQUANTIZE,
    );
    const edgeCopy = (t: number): number => {
      const original = sg.tensors[t];
      sg.tensors.push({ ...original, name: `${original.name}_int8`, shape: [...original.shape] });
      original.type = 'FLOAT32';
      original.quantization = null;
      floatEdges.add(t);
      return sg.tensors.length - 1;
    };
    for (const t of sg.inputs) {
      const q = edgeCopy(t);
      for (const op of sg.operators) op.inputs = op.inputs.map((x) => (x === t ? q : x));
      quantizeOps.push(plainOp(qCode, [t], [q]));
    }
    for (const t of sg.outputs) {
      if (floatEdges.has(t)) continue;
      const q = edgeCopy(t);
      for (const op of sg.operators) op.outputs = op.outputs.map((x) => (x === t ? q : x));
      dequantizeOps.push(plainOp(dqCode, [q], [t]));
    }
    sg.operators = [...quantizeOps, ...sg.operators, ...dequantizeOps];
  }

  // 6. Nothing may stay float: name whatever did.
  const referenced = new Set<number>([
    ...sg.inputs,
    ...sg.outputs,
    ...sg.operators.flatMap((op) => [...op.inputs, ...op.outputs]),
  ]);
  const leftFloat = [...referenced].filter(
    (t) => t >= 0 && sg.tensors[t].type === 'FLOAT32' && !floatEdges.has(t),
  );
  if (leftFloat.length > 0)
    throw new TinyOpsError(
      'QUANT_FLOAT_LEFT',
      `Quantization would leave ${leftFloat.length} tensor(s) float: ${leftFloat
        .slice(0, 8)
        .map((t) => `${t} "${sg.tensors[t].name}"`)
        .join(', ')}`,
      {
        hint: 'These tensors got no calibration range (unreachable from the inputs?) or belong to an op without an int8 kernel: remove or replace them before quantizing.',
      },
    );

  updateMinRuntimeVersion(model);
  compact(model);
  return model;
}

function plainOp(opcodeIndex: number, inputs: number[], outputs: number[]): Operator {
  return {
    opcodeIndex,
    inputs,
    outputs,
    intermediates: [],
    builtinOptions: null,
    builtinOptions2: null,
    customOptions: null,
    customOptionsFormat: 'FLEXBUFFERS',
    mutatingVariableInputs: [],
    largeCustomOptionsOffset: 0n,
    largeCustomOptionsSize: 0n,
    debugMetadataIndex: -1,
  };
}

/** int8 per-channel kernels need TFLite 1.14; keep the metadata honest (same 16-byte field). */
function updateMinRuntimeVersion(model: Model): void {
  const entry = model.metadata.find((m) => m.name === 'min_runtime_version');
  if (!entry) return;
  const size = Math.max(16, model.buffers[entry.buffer].data.length);
  const data = new Uint8Array(size);
  data.set(new TextEncoder().encode('1.14.0'));
  entry.buffer = addBuffer(model, data);
}
