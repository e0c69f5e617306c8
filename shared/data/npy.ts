/**
 * NumPy .npy reader and writer (format versions 1, 2 and 3; C order; big-endian arrays are
 * byte-swapped on reading, files are written little-endian). The header is
 * bounds-checked before anything is allocated, so a damaged or hostile file fails with a
 * TinyOpsError naming the file and the problem rather than an out-of-memory crash.
 */
import * as fs from 'node:fs';
import { TinyOpsError } from '../errors';
import { writeFileAtomic } from '../fsutil/atomic';
import {
  DTYPES,
  DType,
  NdArray,
  decodeElements,
  encodeElements,
  elementCount,
  formatShape,
} from './ndarray';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy itself refuses headers beyond 10 000 bytes by default; allow generous slack. */
const MAX_HEADER_BYTES = 1 << 20;

/** Maps a numpy descr's type code (its byte order stripped) to a supported dtype. */
const DESCR_TO_DTYPE: Record<string, DType> = {
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  b1: 'bool',
};

function malformed(source: string, problem: string, hint?: string): TinyOpsError {
  return new TinyOpsError('NPY_MALFORMED', `${source}: not a readable .npy file: ${problem}`, {
    where: source,
    hint: hint ?? 'Re-create the file with numpy.save (C order, a plain numeric dtype).',
  });
}

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

/** Parses .npy bytes. `source` names the file in error messages. */
export function parseNpy(bytes: Uint8Array, source = '<npy>'): NdArray {
  if (!isNpy(bytes)) throw malformed(source, 'missing the \\x93NUMPY magic string');
  if (bytes.length < 10) throw malformed(source, `truncated header (${bytes.length} bytes)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw malformed(source, `truncated header (${bytes.length} bytes)`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw malformed(
      source,
      `unsupported format version ${major}.${bytes[7]}`,
      'Save with numpy.save (versions 1-3 are read).',
    );
  }
  if (headerLen > MAX_HEADER_BYTES)
    throw malformed(
      source,
      `header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`,
    );
  if (headerStart + headerLen > bytes.length) {
    throw malformed(
      source,
      `header declares ${headerLen} bytes but the file has only ${bytes.length - headerStart} after the preamble (truncated?)`,
    );
  }
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLen);
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  const header = parseHeaderDict(text, source);

  const descr = header.descr;
  if (typeof descr !== 'string') {
    throw malformed(
      source,
      `unsupported dtype ${JSON.stringify(descr)} (structured arrays are not datasets)`,
      'Save a plain numeric array (float32, int8, uint8, int16, int32, ...).',
    );
  }
  const order = descr[0];
  const code = descr.slice(1);
  const dtype = DESCR_TO_DTYPE[code];
  if (!dtype || !'<|=>'.includes(order)) {
    throw malformed(
      source,
      `unsupported dtype '${descr}'`,
      `Convert with arr.astype(...) to one of: ${Object.values(DTYPES)
        .map((d) => d.descr)
        .join(' ')}.`,
    );
  }
  if (header.fortran_order !== false) {
    throw malformed(
      source,
      header.fortran_order === true
        ? 'Fortran (column-major) order is not supported'
        : "header lacks 'fortran_order'",
      'Save a C-order array: numpy.save(path, numpy.ascontiguousarray(arr)).',
    );
  }
  const shape = header.shape;
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw malformed(
      source,
      `bad 'shape' ${JSON.stringify(shape)} (expected a tuple of non-negative integers)`,
    );
  }
  const dims = shape as number[];
  const dataStart = headerStart + headerLen;
  const available = bytes.length - dataStart;
  const itemSize = DTYPES[dtype].itemSize;
  // Multiply with an early exit so a huge declared shape never reaches an allocation.
  let count = 1;
  for (const d of dims) {
    count *= d;
    if (count * itemSize > available) break;
  }
  if (count * itemSize > available) {
    throw malformed(
      source,
      `shape ${formatShape(dims)} of ${descr} needs more data than the ${available} bytes present (truncated or corrupt)`,
    );
  }
  count = elementCount(dims);
  if (count * itemSize !== available) {
    throw malformed(
      source,
      `shape ${formatShape(dims)} of ${descr} needs ${count * itemSize} data bytes but ${available} follow the header`,
    );
  }
  let data = bytes.subarray(dataStart);
  if (order === '>' && itemSize > 1) data = byteSwapped(data, itemSize, count);
  return { dtype, shape: dims, data: decodeElements(dtype, data, count, source) };
}

export function readNpyFile(file: string): NdArray {
  return parseNpy(readFileChecked(file), file);
}

/** Big-endian elements (numpy's '>' descr) as little-endian bytes. */
function byteSwapped(bytes: Uint8Array, itemSize: number, count: number): Uint8Array {
  const out = new Uint8Array(count * itemSize);
  for (let i = 0; i < count; i++)
    for (let b = 0; b < itemSize; b++)
      out[i * itemSize + b] = bytes[i * itemSize + itemSize - 1 - b];
  return out;
}

/** Encodes an array as .npy (version 1, or 2 if the header would not fit). */
export function encodeNpy(arr: {
  dtype: DType;
  shape: readonly number[];
  data: ArrayLike<number>;
}): Uint8Array {
  if (elementCount(arr.shape) !== arr.data.length) {
    throw new TinyOpsError(
      'NPY_ENCODE',
      `shape ${formatShape(arr.shape)} has ${elementCount(arr.shape)} elements but ${arr.data.length} were given`,
    );
  }
  const shapeText = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  const dict = `{'descr': '${DTYPES[arr.dtype].descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let pre = 10;
  // Pad with spaces so the data starts on a 64-byte boundary, as numpy does.
  let total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  if (total - pre > 0xffff) {
    version = 2;
    pre = 12;
    total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  }
  const headerLen = total - pre;
  const header = dict + ' '.repeat(headerLen - dict.length - 1) + '\n';
  const body = encodeElements(arr.dtype, arr.data);
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(body, total);
  return out;
}

export function writeNpyFile(
  file: string,
  arr: { dtype: DType; shape: readonly number[]; data: ArrayLike<number> },
): void {
  writeFileAtomic(file, encodeNpy(arr));
}

/** Reads a whole file, turning a missing file into a TinyOpsError. */
export function readFileChecked(file: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new TinyOpsError('DATASET_NOT_FOUND', `No such file: ${file}`, {
        where: file,
        hint: 'Check the dataset path.',
      });
    if (code === 'EISDIR')
      throw new TinyOpsError(
        'DATASET_NOT_FOUND',
        `Expected a file but found a directory: ${file}`,
        { where: file },
      );
    throw err;
  }
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** Parses the Python dict literal of a .npy header (strings, ints, True/False/None, tuples, lists, dicts). */
function parseHeaderDict(text: string, source: string): Record<string, PyValue> {
  let pos = 0;
  const fail = (what: string): never => {
    throw malformed(
      source,
      `bad header at character ${pos}: ${what} (header: ${JSON.stringify(text.slice(0, 120))})`,
    );
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const value = (depth: number): PyValue => {
    if (depth > 16) fail('nesting too deep');
    skip();
    const c = text[pos];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      pos++;
      const items: PyValue[] = [];
      for (;;) {
        skip();
        if (text[pos] === close) {
          pos++;
          return items;
        }
        items.push(value(depth + 1));
        skip();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (c === '{') {
      pos++;
      const obj: Record<string, PyValue> = {};
      for (;;) {
        skip();
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        const key = value(depth + 1);
        if (typeof key !== 'string') fail('dict key is not a string');
        skip();
        if (text[pos] !== ':') fail("expected ':'");
        pos++;
        obj[key as string] = value(depth + 1);
        skip();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== '}') fail("expected ',' or '}'");
      }
    }
    const m = /^(-?\d+)L?|^(True|False|None)/.exec(text.slice(pos, pos + 40));
    if (!m) return fail('unexpected token');
    pos += m[0].length;
    if (m[1] !== undefined) return Number(m[1]);
    return m[2] === 'True' ? true : m[2] === 'False' ? false : null;
  };
  const result = value(0);
  if (result === null || typeof result !== 'object' || Array.isArray(result))
    return fail('header is not a dict');
  return result as Record<string, PyValue>;
}
