/**
 * Input files for `tinyops run`: raw little-endian bytes of exactly the input tensor's size, or a
 * NumPy .npy array (read by shared/data) whose element count matches the tensor. An array of
 * another dtype is converted: integers into an int8 tensor when in range, floats into an int8
 * tensor quantized with its scale and zero point (as QUANTIZE does), anything numeric into a
 * float32 tensor.
 */
import * as fs from 'node:fs';
import { TinyOpsError } from '../errors';
import { parseNpy, TENSOR_DTYPE, type NdArray } from '../data';
import { DTYPES } from '../data/ndarray';
import type { TensorInfo } from './interpreter';
import { quantizeFloatToInt8 } from './kernels/quantize';

function describe(info: TensorInfo): string {
  return `${info.type} [${info.shape.join(', ')}]`;
}

/** An .npy array as the raw bytes of the tensor `info`, converting the dtype when needed. */
export function npyToTensorBytes(a: NdArray, info: TensorInfo, where: string): Uint8Array {
  const count = info.shape.reduce((x, y) => x * y, 1);
  const have = a.shape.reduce((x, y) => x * y, 1);
  if (have !== count)
    throw new TinyOpsError(
      'RUN_INPUT_SHAPE',
      `The array has shape (${a.shape.join(', ')}) = ${have} values; input "${info.name}" is ${describe(info)} = ${count} values`,
      { where, hint: `Save an array of ${count} values (shape [${info.shape.join(', ')}]).` },
    );
  const values = a.data;
  // The array's values are the tensor's bytes when the types match (int64 arrays are read into
  // float64 values, so they are converted like any other).
  if (TENSOR_DTYPE[info.type] === a.dtype && a.dtype !== 'int64')
    return new Uint8Array(
      values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
    );
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
    if (DTYPES[a.dtype].isFloat) {
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
    const bad = Array.prototype.findIndex.call(values, (v: number) => v < -128 || v > 127);
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
