/**
 * The in-memory array every dataset reader produces: a dtype name, a C-order shape and a typed
 * array holding the elements. int64/uint64 elements are held as exact JS numbers (Float64Array)
 * after a range check, because every consumer (quantize, the interpreter) works on numbers.
 */
import { TinyOpsError } from '../errors';

export type DType =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'bool';

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

export interface NdArray {
  dtype: DType;
  shape: number[];
  data: NumericArray;
}

export interface DTypeInfo {
  /** Bytes per element on disk. */
  itemSize: number;
  isFloat: boolean;
  /** The numpy descr this package writes for the dtype. */
  descr: string;
}

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  float32: { itemSize: 4, isFloat: true, descr: '<f4' },
  float64: { itemSize: 8, isFloat: true, descr: '<f8' },
  int8: { itemSize: 1, isFloat: false, descr: '|i1' },
  uint8: { itemSize: 1, isFloat: false, descr: '|u1' },
  int16: { itemSize: 2, isFloat: false, descr: '<i2' },
  uint16: { itemSize: 2, isFloat: false, descr: '<u2' },
  int32: { itemSize: 4, isFloat: false, descr: '<i4' },
  uint32: { itemSize: 4, isFloat: false, descr: '<u4' },
  int64: { itemSize: 8, isFloat: false, descr: '<i8' },
  bool: { itemSize: 1, isFloat: false, descr: '|b1' },
};

export const DTYPE_NAMES = Object.keys(DTYPES) as DType[];

/** Accepts a dtype name as a user types it (`int8`, `f32`, `float`...). */
export function parseDType(name: string, where?: string): DType {
  const aliases: Record<string, DType> = {
    f32: 'float32',
    float: 'float32',
    f64: 'float64',
    double: 'float64',
    i8: 'int8',
    u8: 'uint8',
    i16: 'int16',
    u16: 'uint16',
    i32: 'int32',
    u32: 'uint32',
    i64: 'int64',
  };
  const key = name.trim().toLowerCase();
  const dtype = (DTYPE_NAMES as string[]).includes(key) ? (key as DType) : aliases[key];
  if (!dtype) {
    throw new TinyOpsError('DATASET_DTYPE', `Unknown dtype '${name}'`, {
      where,
      hint: `Use one of: ${DTYPE_NAMES.join(', ')}.`,
    });
  }
  return dtype;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Decodes little-endian element bytes into a fresh, aligned typed array. */
export function decodeElements(
  dtype: DType,
  bytes: Uint8Array,
  count: number,
  where: string,
): NumericArray {
  const size = DTYPES[dtype].itemSize;
  // Copy so that the typed array is aligned and independent of the file buffer.
  const buf = bytes.slice(0, count * size).buffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    case 'int8':
      return new Int8Array(buf);
    case 'uint8':
      return new Uint8Array(buf);
    case 'bool': {
      const out = new Uint8Array(buf);
      for (let i = 0; i < out.length; i++) out[i] = out[i] ? 1 : 0;
      return out;
    }
    case 'int16':
      return new Int16Array(buf);
    case 'uint16':
      return new Uint16Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'uint32':
      return new Uint32Array(buf);
    case 'int64': {
      const wide = new BigInt64Array(buf);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = wide[i];
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new TinyOpsError(
            'DATASET_RANGE',
            `int64 element ${i} (${v}) does not fit a JS number exactly`,
            {
              where,
              hint: 'Store the data as int32 (or a smaller type); values beyond ±2^53 are not supported.',
            },
          );
        }
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/** Encodes elements as little-endian bytes of `dtype`. */
export function encodeElements(dtype: DType, data: ArrayLike<number>): Uint8Array {
  const n = data.length;
  let arr: ArrayBufferView;
  switch (dtype) {
    case 'float32':
      arr = Float32Array.from(data);
      break;
    case 'float64':
      arr = Float64Array.from(data);
      break;
    case 'int8':
      arr = Int8Array.from(data);
      break;
    case 'uint8':
      arr = Uint8Array.from(data);
      break;
    case 'bool':
      arr = Uint8Array.from(data, (v) => (v ? 1 : 0));
      break;
    case 'int16':
      arr = Int16Array.from(data);
      break;
    case 'uint16':
      arr = Uint16Array.from(data);
      break;
    case 'int32':
      arr = Int32Array.from(data);
      break;
    case 'uint32':
      arr = Uint32Array.from(data);
      break;
    case 'int64': {
      const wide = new BigInt64Array(n);
      for (let i = 0; i < n; i++) wide[i] = BigInt(Math.trunc(data[i]));
      arr = wide;
      break;
    }
  }
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // Typed arrays use host byte order; every supported host (x86, ARM) is little-endian.
  throw new Error('TinyOps data readers require a little-endian host');
}

/** Parses a shape as typed on a command line: `1x49x10`, `1,49,10` or `[1, 49, 10]`. */
export function parseShape(text: string, where?: string): number[] {
  const parts = text
    .replace(/[[\]()\s]/g, '')
    .split(/[x,]/i)
    .filter((p) => p !== '');
  const dims = parts.map(Number);
  if (dims.length === 0 || !dims.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new TinyOpsError('DATASET_SHAPE', `Bad shape '${text}'`, {
      where,
      hint: 'Write the per-sample shape as positive integers, e.g. 1x49x10.',
    });
  }
  return dims;
}
