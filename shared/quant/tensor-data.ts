import type { Model, Subgraph, Tensor } from '../tflite/ir';

/** Reads and writes constant tensor data as typed arrays. Buffers are views into the file and may
 * be unaligned, so values are copied out through a DataView (little-endian, as TFLite stores them). */

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function isConstant(model: Model, tensor: Tensor): boolean {
  return tensor.buffer > 0 && (model.buffers[tensor.buffer]?.data.length ?? 0) > 0;
}

export function readFloat32(data: Uint8Array): Float32Array {
  const out = new Float32Array(data.length / 4);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function readInt32(data: Uint8Array): Int32Array {
  const out = new Int32Array(data.length / 4);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

export function readFloat16(data: Uint8Array): Float32Array {
  const out = new Float32Array(data.length / 2);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < out.length; i++) {
    const h = view.getUint16(i * 2, true);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    out[i] =
      exp === 0
        ? sign * frac * 2 ** -24
        : exp === 31
          ? frac
            ? NaN
            : sign * Infinity
          : sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return out;
}

export function int32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setInt32(i * 4, values[i], true);
  return out;
}

export function int8Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] & 0xff;
  return out;
}

/** A constant tensor's values as float32: FLOAT32 as is, INT32 as numbers, FLOAT16 widened, and
 * INT8/UINT8 dequantized with the tensor's (per-tensor or per-channel) scale and zero point, which
 * is how hybrid models store their weights. */
export function constantAsFloat(model: Model, tensor: Tensor): Float32Array {
  const data = model.buffers[tensor.buffer].data;
  switch (tensor.type) {
    case 'FLOAT32':
      return readFloat32(data);
    case 'FLOAT16':
      return readFloat16(data);
    case 'INT32':
      return Float32Array.from(readInt32(data));
    case 'INT8':
    case 'UINT8': {
      const q = tensor.quantization;
      const raw =
        tensor.type === 'INT8' ? new Int8Array(data.buffer, data.byteOffset, data.length) : data;
      if (!q || q.scale.length === 0) return Float32Array.from(raw);
      const out = new Float32Array(raw.length);
      const channels = q.scale.length;
      const axis = q.quantizedDimension;
      const inner = channels > 1 ? elementCount(tensor.shape.slice(axis + 1)) : 1;
      for (let i = 0; i < raw.length; i++) {
        const c = channels > 1 ? Math.floor(i / inner) % channels : 0;
        out[i] = (raw[i] - (q.zeroPoint[c] ?? 0)) * q.scale[c];
      }
      return out;
    }
    default:
      throw new Error(`constantAsFloat: unsupported tensor type ${tensor.type}`);
  }
}

/** Appends a buffer holding `data` and returns its index. */
export function addBuffer(model: Model, data: Uint8Array): number {
  model.buffers.push({ data, external: null });
  return model.buffers.length - 1;
}

/** The operators that read each tensor, by tensor index. */
export function consumersOf(sg: Subgraph): Map<number, number[]> {
  const map = new Map<number, number[]>();
  sg.operators.forEach((op, i) => {
    for (const t of op.inputs) {
      if (t < 0) continue;
      const list = map.get(t) ?? [];
      list.push(i);
      map.set(t, list);
    }
  });
  return map;
}

/** The operator writing each tensor, by tensor index. */
export function producersOf(sg: Subgraph): Map<number, number> {
  const map = new Map<number, number>();
  sg.operators.forEach((op, i) => op.outputs.forEach((t) => map.set(t, i)));
  return map;
}
