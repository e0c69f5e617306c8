/**
 * Input files for `tinyops run`: raw little-endian bytes of exactly the input tensor's size, or a
 * NumPy .npy array (header parsed here; a minimal reader for this one use) whose element count
 * matches the tensor. An .npy of another dtype is converted: integers into an int8 tensor when in
 * range, floats into an int8 tensor quantized with its scale and zero point (as QUANTIZE does),
 * anything numeric into a float32 tensor.
 */
import * as fs from 'node:fs';
import { TinyOpsError } from '../errors';
import type { TensorType } from '../tflite/ir';
import type { TensorInfo } from './interpreter';
import { quantizeFloatToInt8 } from './kernels/quantize';

export interface NpyArray {
  /** numpy dtype string, e.g. '<f4'. */
  dtype: string;
  shape: number[];
  /** The element bytes as stored (C order). */
  data: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const NPY_TYPES: Record<
  string,
  { bytes: number; kind: 'i' | 'u' | 'f' | 'b'; tensor?: TensorType }
> = {
  i1: { bytes: 1, kind: 'i', tensor: 'INT8' },
  u1: { bytes: 1, kind: 'u', tensor: 'UINT8' },
  b1: { bytes: 1, kind: 'b', tensor: 'BOOL' },
  i2: { bytes: 2, kind: 'i', tensor: 'INT16' },
  u2: { bytes: 2, kind: 'u', tensor: 'UINT16' },
  i4: { bytes: 4, kind: 'i', tensor: 'INT32' },
  u4: { bytes: 4, kind: 'u', tensor: 'UINT32' },
  i8: { bytes: 8, kind: 'i', tensor: 'INT64' },
  u8: { bytes: 8, kind: 'u', tensor: 'UINT64' },
  f4: { bytes: 4, kind: 'f', tensor: 'FLOAT32' },
  f8: { bytes: 8, kind: 'f', tensor: 'FLOAT64' },
};

function npyError(message: string, where: string): TinyOpsError {
  return new TinyOpsError('NPY_FORMAT', message, {
    where,
    hint: 'Write the file with numpy.save() (a plain numeric array, C order).',
  });
}

/** Parses a .npy file (format versions 1 to 3). */
export function parseNpy(bytes: Uint8Array, where: string): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b))
    throw npyError('Not a NumPy .npy file (missing the \\x93NUMPY magic)', where);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw npyError('Truncated .npy header', where);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else throw npyError(`Unsupported .npy format version ${major}`, where);
  if (headerStart + headerLength > bytes.length) throw npyError('Truncated .npy header', where);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLength),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw npyError(`Unreadable .npy header: ${header.trim()}`, where);
  if (fortran === 'True') throw npyError('Fortran-order arrays are not supported', where);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw npyError(`Bad shape (${shapeText}) in the .npy header`, where);
  const type = NPY_TYPES[descr.replace(/^[<>|=]/, '')];
  if (!type)
    throw npyError(
      `Unsupported dtype '${descr}' (use a numeric dtype such as float32 or int8)`,
      where,
    );
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLength;
  const need = count * type.bytes;
  if (bytes.length - start < need)
    throw npyError(
      `The array needs ${need} data bytes for shape (${shape.join(', ')}) of ${descr}; the file has ${bytes.length - start}`,
      where,
    );
  return { dtype: descr, shape, data: bytes.subarray(start, start + need) };
}

/** The array's values as numbers (any byte order). */
export function npyValues(a: NpyArray): number[] {
  const type = NPY_TYPES[a.dtype.replace(/^[<>|=]/, '')];
  const little = !a.dtype.startsWith('>');
  const view = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const n = a.data.length / type.bytes;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const o = i * type.bytes;
    if (type.kind === 'f')
      out[i] = type.bytes === 4 ? view.getFloat32(o, little) : view.getFloat64(o, little);
    else if (type.bytes === 8)
      out[i] = Number(
        type.kind === 'i' ? view.getBigInt64(o, little) : view.getBigUint64(o, little),
      );
    else if (type.bytes === 4)
      out[i] = type.kind === 'i' ? view.getInt32(o, little) : view.getUint32(o, little);
    else if (type.bytes === 2)
      out[i] = type.kind === 'i' ? view.getInt16(o, little) : view.getUint16(o, little);
    else out[i] = type.kind === 'i' ? view.getInt8(o) : view.getUint8(o);
  }
  return out;
}

function describe(info: TensorInfo): string {
  return `${info.type} [${info.shape.join(', ')}]`;
}

/** An .npy array as the raw bytes of the tensor `info`, converting the dtype when needed. */
export function npyToTensorBytes(a: NpyArray, info: TensorInfo, where: string): Uint8Array {
  const count = info.shape.reduce((x, y) => x * y, 1);
  const have = a.shape.reduce((x, y) => x * y, 1);
  if (have !== count)
    throw new TinyOpsError(
      'RUN_INPUT_SHAPE',
      `The array has shape (${a.shape.join(', ')}) = ${have} values; input "${info.name}" is ${describe(info)} = ${count} values`,
      { where, hint: `Save an array of ${count} values (shape [${info.shape.join(', ')}]).` },
    );
  const type = NPY_TYPES[a.dtype.replace(/^[<>|=]/, '')];
  const littleOrSingle = !a.dtype.startsWith('>') || type.bytes === 1;
  if (type.tensor === info.type && littleOrSingle) return a.data.slice();
  const values = npyValues(a);
  const mismatch = (why: string) =>
    new TinyOpsError(
      'RUN_INPUT_DTYPE',
      `The array's dtype ${a.dtype} does not fit input "${info.name}" (${info.type}): ${why}`,
      {
        where,
        hint: `Save the array as ${info.type === 'INT8' ? 'int8' : info.type === 'FLOAT32' ? 'float32' : info.type.toLowerCase()}.`,
      },
    );
  if (info.type === 'FLOAT32') return new Uint8Array(Float32Array.from(values).buffer);
  if (info.type === 'INT8') {
    if (type.kind === 'f') {
      if (!info.quantization)
        throw mismatch('the input has no quantization to convert floats with');
      const out = new Int8Array(count);
      quantizeFloatToInt8(
        info.quantization.scale,
        info.quantization.zeroPoint,
        Float32Array.from(values),
        out,
      );
      return new Uint8Array(out.buffer);
    }
    const bad = values.findIndex((v) => v < -128 || v > 127);
    if (bad >= 0) throw mismatch(`value ${values[bad]} at position ${bad} is outside [-128, 127]`);
    return new Uint8Array(Int8Array.from(values).buffer);
  }
  throw mismatch(`convert it to ${info.type.toLowerCase()} first`);
}

/** Reads one --input file for the tensor `info`: .npy by extension, raw bytes otherwise. */
export function readInputFile(path: string, info: TensorInfo): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(path));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TinyOpsError(
      'RUN_INPUT_FILE',
      `Cannot read input file ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      {
        where: path,
        hint: 'Pass an existing file of raw little-endian bytes or a .npy array.',
      },
    );
  }
  if (path.toLowerCase().endsWith('.npy'))
    return npyToTensorBytes(parseNpy(bytes, path), info, path);
  if (bytes.length !== info.byteLength)
    throw new TinyOpsError(
      'RUN_INPUT_SIZE',
      `Input file has ${bytes.length} bytes; input "${info.name}" (${describe(info)}) takes ${info.byteLength} bytes of raw little-endian data`,
      {
        where: path,
        hint: `Give exactly ${info.byteLength} bytes, or a .npy array of ${info.shape.reduce((x, y) => x * y, 1)} values.`,
      },
    );
  return bytes;
}
