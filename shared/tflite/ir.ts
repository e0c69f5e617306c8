/**
 * The typed model IR every TinyOps module works on. It mirrors the TFLite flatbuffer closely
 * enough that read -> write -> read gives the same IR, while naming things the way the rest of
 * the code wants to use them (camelCase, tensor types and op names as strings, bytes as
 * Uint8Array views into the file).
 */

/** A decoded flatbuffer value for parts of the schema the IR keeps generic (builtin options,
 * sparsity, signature defs): scalars as numbers (64-bit ones as bigint), enum values as their
 * names, vectors as arrays (byte vectors as Uint8Array), tables as plain objects with the
 * schema's snake_case field names, unions as a table with a `$type` naming the member. */
export type FbValue = number | bigint | boolean | string | Uint8Array | FbValue[] | FbTable | null;
export interface FbTable {
  [field: string]: FbValue;
}
/** A union value: the member table's fields plus `$type`, the member's name (e.g. `Conv2DOptions`). */
export type FbUnion = FbTable & { $type: string };

export type TensorType =
  | 'FLOAT32'
  | 'FLOAT16'
  | 'INT32'
  | 'UINT8'
  | 'INT64'
  | 'STRING'
  | 'BOOL'
  | 'INT16'
  | 'COMPLEX64'
  | 'INT8'
  | 'FLOAT64'
  | 'COMPLEX128'
  | 'UINT64'
  | 'RESOURCE'
  | 'VARIANT'
  | 'UINT32'
  | 'UINT16'
  | 'INT4'
  | 'BFLOAT16'
  | 'INT2'
  | 'UINT4'
  | 'FLOAT8_E4M3FN'
  | 'FLOAT8_E5M2';

export interface Quantization {
  /** One scale per tensor, or one per channel along `quantizedDimension`. Empty when absent. */
  scale: number[];
  zeroPoint: number[];
  min: number[];
  max: number[];
  quantizedDimension: number;
  /** Custom quantization details, kept for round-trip. */
  details: FbUnion | null;
}

export interface Tensor {
  name: string;
  type: TensorType;
  shape: number[];
  /** -1 marks a dynamic dimension; empty when the file has none. */
  shapeSignature: number[];
  /** Index into Model.buffers; 0 is the empty sentinel (no constant data). */
  buffer: number;
  quantization: Quantization | null;
  isVariable: boolean;
  hasRank: boolean;
  sparsity: FbTable | null;
  variantTensors: FbTable[] | null;
  externalBuffer: number;
}

export interface OperatorCode {
  /** The op's builtin code after the deprecated_builtin_code rule (max of both fields). */
  builtinCode: number;
  /** The op's name: the BuiltinOperator name, or the custom code for CUSTOM ops. */
  name: string;
  /** Raw fields, kept for round-trip. */
  deprecatedBuiltinCode: number;
  rawBuiltinCode: number;
  customCode: string | null;
  version: number;
}

export interface Operator {
  opcodeIndex: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  intermediates: number[];
  /** Decoded builtin options (null when the op has none), e.g. `{ $type: 'Conv2DOptions', padding: 'SAME', stride_w: 1, ... }`. */
  builtinOptions: FbUnion | null;
  builtinOptions2: FbUnion | null;
  customOptions: Uint8Array | null;
  customOptionsFormat: string | number;
  mutatingVariableInputs: boolean[];
  largeCustomOptionsOffset: bigint;
  largeCustomOptionsSize: bigint;
  debugMetadataIndex: number;
}

export interface Subgraph {
  name: string;
  tensors: Tensor[];
  inputs: number[];
  outputs: number[];
  operators: Operator[];
  debugMetadataIndex: number;
}

export interface ModelBuffer {
  /** The bytes (a view into the file, inline or after the flatbuffer). Empty for no data. */
  data: Uint8Array;
  /** Set when the file stored the data after the flatbuffer (offset/size fields). */
  external: { offset: bigint; size: bigint } | null;
}

export interface Metadata {
  name: string;
  buffer: number;
}

export interface Model {
  /** Schema version (3 for current files). */
  version: number;
  description: string;
  operatorCodes: OperatorCode[];
  /** Subgraph 0 is the main graph. */
  subgraphs: Subgraph[];
  buffers: ModelBuffer[];
  metadata: Metadata[];
  metadataBuffer: number[];
  signatureDefs: FbTable[];
  externalBufferGroups: FbTable[];
  externalBuffers: FbTable[];
}

/** Decoded known metadata entries. */
export interface ModelMetadataInfo {
  /** `min_runtime_version` metadata, e.g. "1.14.0". */
  minRuntimeVersion: string | null;
  /** TFLite Micro's offline memory plan (`OfflineMemoryAllocation`), when present. */
  offlineMemoryAllocation: {
    version: number;
    subgraphs: number;
    /** Per tensor of subgraph 0 (in order): arena offset in bytes, or -1 when planned online. */
    offsets: number[];
  } | null;
}

/** Bytes per element of each tensor type (sub-byte types report a fraction). */
export const TENSOR_TYPE_BYTES: Readonly<Record<TensorType, number>> = {
  FLOAT32: 4,
  FLOAT16: 2,
  INT32: 4,
  UINT8: 1,
  INT64: 8,
  STRING: 1,
  BOOL: 1,
  INT16: 2,
  COMPLEX64: 8,
  INT8: 1,
  FLOAT64: 8,
  COMPLEX128: 16,
  UINT64: 8,
  RESOURCE: 8,
  VARIANT: 8,
  UINT32: 4,
  UINT16: 2,
  INT4: 0.5,
  BFLOAT16: 2,
  INT2: 0.25,
  UINT4: 0.5,
  FLOAT8_E4M3FN: 1,
  FLOAT8_E5M2: 1,
};
