/**
 * The contract between the interpreter's plumbing and the per-op kernels: a kernel sees its node
 * through a KernelContext (tensors as typed views, decoded options) and, at prepare time, derives
 * everything it needs (multipliers, shapes, ranges) and returns the function that runs the node.
 * Everything a model could get wrong is found in prepare, so a model is refused before it runs.
 */
import type { FbUnion, TensorType } from '../tflite/ir';

/** One tensor of the running graph: its metadata and typed views over its own bytes. */
export interface TensorRef {
  readonly index: number;
  readonly name: string;
  readonly type: TensorType;
  readonly shape: readonly number[];
  /** Element count. */
  readonly size: number;
  readonly bytes: Uint8Array;
  /** Holds model data (weights, bias, shape and axis tensors). */
  readonly constant: boolean;
  /** Per-tensor quantization (the first entry) or 0 / 0 when the tensor has none. */
  readonly scale: number;
  readonly zeroPoint: number;
  readonly scales: readonly number[];
  readonly zeroPoints: readonly number[];
  readonly quantizedDimension: number;
  int8(): Int8Array;
  uint8(): Uint8Array;
  int16(): Int16Array;
  int32(): Int32Array;
  float32(): Float32Array;
  /** INT32 or INT64 contents as numbers (shape, axis and padding tensors). */
  indices(): number[];
}

export interface KernelContext {
  readonly op: string;
  readonly version: number;
  readonly nodeIndex: number;
  readonly options: FbUnion | null;
  readonly inputCount: number;
  readonly outputCount: number;
  /** Input i; refuses the node when it is absent. */
  input(i: number): TensorRef;
  /** Input i, or null for an omitted optional input (index -1 or past the end). */
  optionalInput(i: number): TensorRef | null;
  output(i: number): TensorRef;
}

export interface Kernel {
  /** The builtin op name, e.g. CONV_2D. */
  readonly op: string;
  /** The highest op version whose features this kernel implements. */
  readonly maxVersion: number;
  /** The types the kernel is chosen by (the activation input's type). */
  readonly types: readonly TensorType[];
  /** Checks the node and derives its parameters; returns the function that runs it. Throws
   * UnsupportedNodeError when the node uses something the kernel does not implement. */
  prepare(ctx: KernelContext): () => void;
}

/** A node the kernel cannot run; the interpreter adds the op, its version and the node index. */
export class UnsupportedNodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedNodeError';
  }
}

/** Refuses the node unless cond holds. */
export function ensure(cond: unknown, message: string): asserts cond {
  if (!cond) throw new UnsupportedNodeError(message);
}
