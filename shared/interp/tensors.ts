/**
 * Tensor allocation from the IR: every tensor the graph touches gets its own 8-byte aligned
 * buffer (constants copied in from the model), with typed views made once. Keeping one buffer per
 * tensor (no arena sharing) leaves every intermediate readable after an inference.
 */
import { TinyOpsError } from '../errors';
import type { Model, Tensor, TensorType } from '../tflite/ir';
import { TENSOR_TYPE_BYTES } from '../tflite/ir';
import type { TensorRef } from './kernel';

/** Types with a whole number of bytes per element that the interpreter can hold. */
const HOLDABLE: ReadonlySet<TensorType> = new Set<TensorType>([
  'FLOAT32',
  'INT32',
  'UINT8',
  'INT64',
  'BOOL',
  'INT16',
  'INT8',
  'FLOAT64',
  'UINT64',
  'UINT32',
  'UINT16',
  'FLOAT16',
]);

export class RuntimeTensor implements TensorRef {
  readonly index: number;
  readonly name: string;
  readonly type: TensorType;
  readonly shape: readonly number[];
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly constant: boolean;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly scales: readonly number[];
  readonly zeroPoints: readonly number[];
  readonly quantizedDimension: number;
  private readonly buffer: ArrayBuffer;

  constructor(index: number, tensor: Tensor, data: Uint8Array | null) {
    this.index = index;
    this.name = tensor.name;
    this.type = tensor.type;
    this.shape = [...tensor.shape];
    this.size = tensor.shape.reduce((a, b) => a * b, 1);
    const byteLength = this.size * TENSOR_TYPE_BYTES[tensor.type];
    this.buffer = new ArrayBuffer(Math.max(8, Math.ceil(byteLength / 8) * 8));
    this.bytes = new Uint8Array(this.buffer, 0, byteLength);
    this.constant = data !== null;
    if (data !== null) this.bytes.set(data);
    const q = tensor.quantization;
    this.scales = q?.scale ?? [];
    this.zeroPoints = q?.zeroPoint ?? [];
    this.scale = this.scales[0] ?? 0;
    this.zeroPoint = this.zeroPoints[0] ?? 0;
    this.quantizedDimension = q?.quantizedDimension ?? 0;
  }

  private view<T>(type: TensorType, make: (buffer: ArrayBuffer, size: number) => T): T {
    if (this.type !== type)
      throw new Error(`tensor ${this.index} "${this.name}" is ${this.type}, not ${type}`);
    return make(this.buffer, this.size);
  }

  int8(): Int8Array {
    return this.view('INT8', (b, n) => new Int8Array(b, 0, n));
  }
  uint8(): Uint8Array {
    return this.view('UINT8', (b, n) => new Uint8Array(b, 0, n));
  }
  int16(): Int16Array {
    return this.view('INT16', (b, n) => new Int16Array(b, 0, n));
  }
  int32(): Int32Array {
    return this.view('INT32', (b, n) => new Int32Array(b, 0, n));
  }
  float32(): Float32Array {
    return this.view('FLOAT32', (b, n) => new Float32Array(b, 0, n));
  }
  indices(): number[] {
    if (this.type === 'INT32') return Array.from(new Int32Array(this.buffer, 0, this.size));
    if (this.type === 'INT64')
      return Array.from(new BigInt64Array(this.buffer, 0, this.size), Number);
    throw new Error(`tensor ${this.index} "${this.name}" is ${this.type}, not an index type`);
  }
}

/** Makes the runtime tensor for tensor `index` of subgraph 0, with its constant data if any. */
export function allocateTensor(model: Model, index: number, source: string): RuntimeTensor {
  const sg = model.subgraphs[0];
  const t = sg.tensors[index];
  const where = `${source}: tensor ${index} "${t.name}"`;
  if (!HOLDABLE.has(t.type))
    throw new TinyOpsError(
      'INTERP_TENSOR_TYPE',
      `Tensor ${index} "${t.name}" has type ${t.type}, which the interpreter cannot hold`,
      {
        where,
        hint: 'Convert the model to int8 or float32 tensors.',
      },
    );
  if (t.shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new TinyOpsError(
      'INTERP_DYNAMIC_SHAPE',
      `Tensor ${index} "${t.name}" has shape [${t.shape.join(', ')}] with an unknown dimension`,
      {
        where,
        hint: 'Export the model with fixed input shapes (e.g. batch size 1).',
      },
    );
  const data = model.buffers[t.buffer]?.data;
  const constant = data !== undefined && data.length > 0 ? data : null;
  const expected = t.shape.reduce((a, b) => a * b, 1) * TENSOR_TYPE_BYTES[t.type];
  if (constant !== null && constant.length !== expected)
    throw new TinyOpsError(
      'INTERP_BAD_CONSTANT',
      `Constant tensor ${index} "${t.name}" holds ${constant.length} bytes; its type ${t.type} and shape [${t.shape.join(', ')}] need ${expected}`,
      { where, hint: 'The model file is inconsistent: re-export it with the TFLite converter.' },
    );
  return new RuntimeTensor(index, t, constant);
}
