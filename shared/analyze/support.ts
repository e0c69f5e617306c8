/**
 * Which runtime can run which op of a model, and why not when it cannot.
 *
 * - 'tinyops': our interpreter and C runtime (int8 and float32 kernels): the interpreter's own
 *   registry (interpreterSupport()).
 * - 'tflm-reference': TensorFlow Lite Micro with its reference kernels (tensorflow/lite/micro/
 *   kernels/*.cc): the builtin ops its op resolver can register and the tensor types each kernel's
 *   Eval switches on. TFLite Micro does not check op versions; it rejects hybrid models (float
 *   activations with int8 weights) in CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.
 * - 'cmsis-nn': TFLite Micro built with OPTIMIZED_KERNEL_DIR=cmsis_nn. Its kernels folder holds
 *   add, batch_matmul, conv, depthwise_conv, fully_connected, maximum_minimum, mul, pad, pooling,
 *   softmax, svdf, transpose, transpose_conv and unidirectional_sequence_lstm; those run CMSIS-NN
 *   for int8 (and int16 where CMSIS-NN has it) and fall back to the reference code for float32.
 *   Every other op uses the reference kernel, so support is TFLM's and only speed differs.
 */
import type { Model, Operator, TensorType } from '../tflite/ir';
import { opName } from '../tflite/model';
import { isConstantTensor } from './lifetimes';
import { interpreterSupport, type OpSupportEntry } from '../interp/registry';

export type RuntimeId = 'tinyops' | 'tflm-reference' | 'cmsis-nn';
export const RUNTIMES: readonly RuntimeId[] = ['tinyops', 'tflm-reference', 'cmsis-nn'];

export type SupportStatus = 'optimized' | 'supported' | 'unsupported';
export type UnsupportedReason =
  'op missing' | 'type missing' | 'version too new' | 'custom op' | 'hybrid model';

export interface OpSupport {
  op: string;
  version: number;
  /** The type the kernel is chosen by (activation input type; output type for QUANTIZE). */
  type: TensorType;
  /** Op indices of subgraph 0 with this op, version and type. */
  ops: number[];
  status: SupportStatus;
  reason?: UnsupportedReason;
  detail?: string;
}

export interface RuntimeSupport {
  runtime: RuntimeId;
  supported: boolean;
  ops: OpSupport[];
  /** One line per unsupported (op, type): "SVDF (INT8): op missing". */
  unsupported: string[];
}

const F32: TensorType = 'FLOAT32';
const I8: TensorType = 'INT8';
const I16: TensorType = 'INT16';
const I32: TensorType = 'INT32';

/** Our kernels: op -> [types, highest op version], straight from the interpreter's registry so
 * the analysis never claims more (or less) than the interpreter runs. */
export const TINYOPS_KERNELS: Readonly<Record<string, OpSupportEntry>> = interpreterSupport();

const ANY: TensorType[] = [];
const I64: TensorType = 'INT64';
const BOOL: TensorType = 'BOOL';
const U8: TensorType = 'UINT8';

/** TFLite Micro reference kernels: op -> activation types its Eval handles (empty: any type,
 * a data-movement or shape op). */
const TFLM_REFERENCE: Readonly<Record<string, TensorType[]>> = {
  ABS: [F32, I8, I16],
  ADD: [F32, I8, I16, I32],
  ADD_N: [F32, I32],
  ARG_MAX: [F32, I8, I32],
  ARG_MIN: [F32, I8, I32],
  ASSIGN_VARIABLE: ANY,
  AVERAGE_POOL_2D: [F32, I8, I16],
  BATCH_MATMUL: [F32, I8, I16],
  BATCH_TO_SPACE_ND: ANY,
  BROADCAST_ARGS: [I32, I64],
  BROADCAST_TO: ANY,
  CALL_ONCE: ANY,
  CAST: ANY,
  CEIL: [F32],
  CONCATENATION: [F32, I8, I16, I32, I64, BOOL],
  CONV_2D: [F32, I8, I16],
  COS: [F32],
  CUMSUM: [F32, I8],
  DEPTH_TO_SPACE: [F32, I8],
  DEPTHWISE_CONV_2D: [F32, I8, I16],
  DEQUANTIZE: [I8, I16, U8],
  DIV: [F32, I8, I32],
  ELU: [F32, I8],
  EMBEDDING_LOOKUP: [F32, I8],
  EQUAL: ANY,
  EXP: [F32],
  EXPAND_DIMS: ANY,
  FILL: ANY,
  FLOOR: [F32],
  FLOOR_DIV: [F32],
  FLOOR_MOD: [F32],
  FULLY_CONNECTED: [F32, I8, I16],
  GATHER: ANY,
  GATHER_ND: ANY,
  GREATER: ANY,
  GREATER_EQUAL: ANY,
  HARD_SWISH: [F32, I8],
  IF: ANY,
  L2_NORMALIZATION: [F32, I8],
  L2_POOL_2D: [F32],
  LEAKY_RELU: [F32, I8, I16],
  LESS: ANY,
  LESS_EQUAL: ANY,
  LOG: [F32],
  LOG_SOFTMAX: [F32, I8],
  LOGICAL_AND: [BOOL],
  LOGICAL_NOT: [BOOL],
  LOGICAL_OR: [BOOL],
  LOGISTIC: [F32, I8, I16],
  MAX_POOL_2D: [F32, I8, I16],
  MAXIMUM: [F32, I8, I16, I32, I64],
  MEAN: [F32, I8, I16],
  MINIMUM: [F32, I8, I16, I32, I64],
  MIRROR_PAD: [F32, I8],
  MUL: [F32, I8, I16, I32],
  NEG: [F32],
  NOT_EQUAL: ANY,
  PACK: ANY,
  PAD: [F32, I8, I16, I32],
  PADV2: [F32, I8, I16, I32],
  PRELU: [F32, I8],
  QUANTIZE: [I8, I16, I32, U8],
  READ_VARIABLE: ANY,
  REDUCE_MAX: [F32, I8],
  REDUCE_MIN: [F32, I8],
  RELU: [F32, I8, I16],
  RELU6: [F32, I8, I16],
  RESHAPE: ANY,
  RESIZE_BILINEAR: [F32, I8],
  RESIZE_NEAREST_NEIGHBOR: [F32, I8, I16],
  REVERSE_V2: ANY,
  ROUND: [F32],
  RSQRT: [F32, I8],
  SELECT_V2: ANY,
  SHAPE: ANY,
  SIN: [F32],
  SLICE: ANY,
  SOFTMAX: [F32, I8, I16],
  SPACE_TO_BATCH_ND: ANY,
  SPACE_TO_DEPTH: [F32, I8],
  SPLIT: ANY,
  SPLIT_V: ANY,
  SQRT: [F32],
  SQUARE: [F32],
  SQUARED_DIFFERENCE: [F32, I8, I32],
  SQUEEZE: ANY,
  STRIDED_SLICE: ANY,
  SUB: [F32, I8, I16, I32],
  SUM: [F32, I8, I16],
  SVDF: [F32, I8],
  TANH: [F32, I8, I16],
  TRANSPOSE: ANY,
  TRANSPOSE_CONV: [F32, I8, I16],
  UNIDIRECTIONAL_SEQUENCE_LSTM: [F32, I8, I16],
  UNPACK: ANY,
  VAR_HANDLE: ANY,
  WHILE: ANY,
  ZEROS_LIKE: ANY,
};

/** Custom ops with kernels in the TFLite Micro tree (registered by name by the application). */
const TFLM_CUSTOM = new Set([
  'CIRCULAR_BUFFER',
  'TFLite_Detection_PostProcess',
  'SignalDelay',
  'SignalEnergy',
  'SignalFftAutoScale',
  'SignalFilterBank',
  'SignalFilterBankLog',
  'SignalFilterBankSpectralSubtraction',
  'SignalFilterBankSquareRoot',
  'SignalFramer',
  'SignalIrfft',
  'SignalOverlapAdd',
  'SignalPCAN',
  'SignalRfft',
  'SignalStacker',
  'SignalWindow',
]);

/** CMSIS-NN kernels: op -> types that run CMSIS-NN code (others fall back to reference). */
const CMSIS_NN: Readonly<Record<string, TensorType[]>> = {
  ADD: [I8, I16],
  BATCH_MATMUL: [I8, I16],
  CONV_2D: [I8, I16],
  DEPTHWISE_CONV_2D: [I8, I16],
  FULLY_CONNECTED: [I8, I16],
  MAXIMUM: [I8],
  MINIMUM: [I8],
  MUL: [I8, I16],
  PAD: [I8],
  AVERAGE_POOL_2D: [I8, I16],
  MAX_POOL_2D: [I8, I16],
  SOFTMAX: [I8, I16],
  SVDF: [I8],
  TRANSPOSE: [I8, I16],
  TRANSPOSE_CONV: [I8],
  UNIDIRECTIONAL_SEQUENCE_LSTM: [I8, I16],
};

const WEIGHTED = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'TRANSPOSE_CONV']);

/** The type an op's kernel is selected by. */
export function kernelType(model: Model, op: Operator, name: string): TensorType {
  const sg = model.subgraphs[0];
  if (name === 'QUANTIZE' && op.outputs[0] >= 0) {
    const input = sg.tensors[op.inputs[0]];
    // float -> int8 quantization is selected by the output; requantization by the input.
    return input && input.type === 'FLOAT32'
      ? sg.tensors[op.outputs[0]].type
      : (input?.type ?? 'INT8');
  }
  const dataIndex = name === 'TRANSPOSE_CONV' ? 2 : 0;
  const first = op.inputs[dataIndex] ?? -1;
  if (first >= 0) return sg.tensors[first].type;
  const variable = op.inputs.find((i) => i >= 0 && !isConstantTensor(model, sg.tensors[i]));
  if (variable !== undefined) return sg.tensors[variable].type;
  return op.outputs[0] >= 0 ? sg.tensors[op.outputs[0]].type : 'INT8';
}

/** Float activations with int8 weights: the converter's dynamic-range ("hybrid") quantization. */
function isHybrid(model: Model, op: Operator, name: string, type: TensorType): boolean {
  if (!WEIGHTED.has(name) || type !== 'FLOAT32') return false;
  const w = op.inputs[1];
  if (w === undefined || w < 0) return false;
  const wt = model.subgraphs[0].tensors[w].type;
  return wt === 'INT8' || wt === 'UINT8' || wt === 'INT4';
}

interface Verdict {
  status: SupportStatus;
  reason?: UnsupportedReason;
  detail?: string;
}

function judge(
  runtime: RuntimeId,
  name: string,
  isCustom: boolean,
  version: number,
  type: TensorType,
  hybrid: boolean,
): Verdict {
  if (runtime === 'tinyops') {
    if (isCustom)
      return {
        status: 'unsupported',
        reason: 'custom op',
        detail: `custom op "${name}" has no TinyOps kernel`,
      };
    const k = TINYOPS_KERNELS[name];
    if (!k)
      return {
        status: 'unsupported',
        reason: 'op missing',
        detail: `TinyOps has no ${name} kernel`,
      };
    if (hybrid)
      return {
        status: 'unsupported',
        reason: 'hybrid model',
        detail:
          'float activations with int8 weights (dynamic-range quantization): quantize the model fully to int8',
      };
    if (!k.types.includes(type))
      return {
        status: 'unsupported',
        reason: 'type missing',
        detail: `${name} runs ${k.types.join(' and ')}, not ${type}`,
      };
    if (version > k.maxVersion)
      return {
        status: 'unsupported',
        reason: 'version too new',
        detail: `${name} version ${version} is newer than the ${k.maxVersion} TinyOps implements`,
      };
    return { status: 'supported' };
  }
  if (isCustom) {
    if (TFLM_CUSTOM.has(name))
      return {
        status: 'supported',
        detail: 'custom op with a kernel in the TFLite Micro tree (register it by name)',
      };
    if (name === 'ethos-u')
      return {
        status: 'unsupported',
        reason: 'custom op',
        detail: 'compiled for an Arm Ethos-U NPU (Vela): needs the NPU and its driver',
      };
    return {
      status: 'unsupported',
      reason: 'custom op',
      detail: `custom op "${name}" needs an application-provided kernel`,
    };
  }
  const types = TFLM_REFERENCE[name];
  if (!types)
    return {
      status: 'unsupported',
      reason: 'op missing',
      detail: `TFLite Micro has no ${name} kernel`,
    };
  if (hybrid)
    return {
      status: 'unsupported',
      reason: 'hybrid model',
      detail: 'TFLite Micro rejects hybrid models (float activations, int8 weights)',
    };
  if (types.length > 0 && !types.includes(type))
    return {
      status: 'unsupported',
      reason: 'type missing',
      detail: `${name} runs ${types.join(', ')}, not ${type}`,
    };
  if (runtime === 'cmsis-nn') {
    const fast = CMSIS_NN[name];
    if (fast?.includes(type)) return { status: 'optimized', detail: 'CMSIS-NN kernel' };
    return {
      status: 'supported',
      detail: fast ? `reference fallback for ${type}` : 'reference kernel (no CMSIS-NN version)',
    };
  }
  return { status: 'supported' };
}

/** Op support of subgraph 0 on one runtime, grouped by (op, version, kernel type). */
export function runtimeSupport(model: Model, runtime: RuntimeId): RuntimeSupport {
  const groups = new Map<string, OpSupport>();
  model.subgraphs[0].operators.forEach((op, index) => {
    const name = opName(model, op);
    const code = model.operatorCodes[op.opcodeIndex];
    const type = kernelType(model, op, name);
    const hybrid = isHybrid(model, op, name, type);
    const key = `${name}|${code.version}|${type}|${hybrid}`;
    const existing = groups.get(key);
    if (existing) {
      existing.ops.push(index);
      return;
    }
    const v = judge(runtime, name, code.customCode !== null, code.version, type, hybrid);
    groups.set(key, { op: name, version: code.version, type, ops: [index], ...v });
  });
  const ops = [...groups.values()];
  const unsupported = ops
    .filter((o) => o.status === 'unsupported')
    .map(
      (o) => `${o.op} v${o.version} (${o.type}): ${o.reason}${o.detail ? ` — ${o.detail}` : ''}`,
    );
  return { runtime, supported: unsupported.length === 0, ops, unsupported };
}

export function allRuntimeSupport(model: Model): RuntimeSupport[] {
  return RUNTIMES.map((r) => runtimeSupport(model, r));
}
