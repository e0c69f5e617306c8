import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TinyOpsError } from '../../shared/errors';
import type { TensorInfo } from '../../shared/interp';
import { parseNpy } from '../../shared/data';
import { npyToTensorBytes, readInputFile } from '../../shared/interp/input-file';

/** A .npy file as numpy.save writes it (version 1 or 2 header, padded to 64 bytes). */
function npy(
  dtype: string,
  shape: number[],
  data: Uint8Array,
  version = 1,
  fortran = false,
): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  let header = `{'descr': '${dtype}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((prefix + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const head = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(header.length, 8);
  else head.writeUInt32LE(header.length, 8);
  return new Uint8Array(Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data)]));
}

const int8Input: TensorInfo = {
  index: 0,
  name: 'x',
  type: 'INT8',
  shape: [1, 2, 2],
  byteLength: 4,
  quantization: { scale: 0.5, zeroPoint: -3 },
};
const floatInput: TensorInfo = {
  index: 0,
  name: 'x',
  type: 'FLOAT32',
  shape: [1, 3],
  byteLength: 12,
  quantization: null,
};

function code(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(TinyOpsError);
    return (err as TinyOpsError).code;
  }
  throw new Error('expected an error');
}

describe('.npy inputs for tinyops run', () => {
  test('header fields of version 1 and 2 files', () => {
    const a = parseNpy(npy('<f4', [2, 3], new Uint8Array(24)), 'a.npy');
    expect(a).toEqual({ dtype: 'float32', shape: [2, 3], data: new Float32Array(6) });
    const b = parseNpy(npy('|i1', [5], Uint8Array.of(1, 2, 3, 4, 5), 2), 'b.npy');
    expect(b.shape).toEqual([5]);
    expect(Array.from(b.data)).toEqual([1, 2, 3, 4, 5]);
  });

  test('an int8 array of the right count is taken byte for byte, whatever its shape', () => {
    const bytes = npyToTensorBytes(
      parseNpy(npy('|i1', [4], Uint8Array.of(0xff, 1, 0x80, 7)), 'x.npy'),
      int8Input,
      'x.npy',
    );
    expect(Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, 4))).toEqual([-1, 1, -128, 7]);
  });

  test('conversions: float64 and big-endian float32 into float32, int64 into int8, floats quantized into int8', () => {
    const f64 = npyToTensorBytes(
      parseNpy(npy('<f8', [3], new Uint8Array(Float64Array.of(0.1, -2, 3e38).buffer)), 'f.npy'),
      floatInput,
      'f.npy',
    );
    expect(Array.from(new Float32Array(f64.buffer, f64.byteOffset, 3))).toEqual([
      Math.fround(0.1),
      -2,
      Math.fround(3e38),
    ]);
    const be = Buffer.alloc(12);
    [1.5, -0.25, 8].forEach((v, i) => be.writeFloatBE(v, i * 4));
    const big = npyToTensorBytes(
      parseNpy(npy('>f4', [1, 3], new Uint8Array(be)), 'be.npy'),
      floatInput,
      'be.npy',
    );
    expect(Array.from(new Float32Array(big.buffer, big.byteOffset, 3))).toEqual([1.5, -0.25, 8]);
    const i64 = npyToTensorBytes(
      parseNpy(
        npy('<i8', [2, 2], new Uint8Array(BigInt64Array.of(-128n, 127n, 0n, 5n).buffer)),
        'i.npy',
      ),
      int8Input,
      'i.npy',
    );
    expect(Array.from(new Int8Array(i64.buffer, i64.byteOffset, 4))).toEqual([-128, 127, 0, 5]);
    // x / 0.5 - 3, rounded half away from zero: 1.25 -> 2.5 -> 3 -> 0; -1.25 -> -3 -> -6.
    const q = npyToTensorBytes(
      parseNpy(
        npy('<f4', [4], new Uint8Array(Float32Array.of(1.25, -1.25, 0, 100).buffer)),
        'q.npy',
      ),
      int8Input,
      'q.npy',
    );
    expect(Array.from(new Int8Array(q.buffer, q.byteOffset, 4))).toEqual([0, -6, -3, 127]);
  });

  test('refusals: not an npy, Fortran order, unknown dtype, truncated data, out-of-range ints, wrong count', () => {
    expect(code(() => parseNpy(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 'x'))).toBe(
      'NPY_MALFORMED',
    );
    expect(code(() => parseNpy(npy('<f4', [1], new Uint8Array(4), 1, true), 'x'))).toBe(
      'NPY_MALFORMED',
    );
    expect(code(() => parseNpy(npy('<c8', [1], new Uint8Array(8)), 'x'))).toBe('NPY_MALFORMED');
    expect(code(() => parseNpy(npy('<f4', [4], new Uint8Array(8)), 'x'))).toBe('NPY_MALFORMED');
    expect(
      code(() =>
        npyToTensorBytes(
          parseNpy(npy('<i4', [4], new Uint8Array(Int32Array.of(1, 2, 300, 4).buffer)), 'x'),
          int8Input,
          'x',
        ),
      ),
    ).toBe('RUN_INPUT_DTYPE');
    expect(
      code(() =>
        npyToTensorBytes(parseNpy(npy('<f4', [5], new Uint8Array(20)), 'x'), floatInput, 'x'),
      ),
    ).toBe('RUN_INPUT_SHAPE');
  });

  test('raw files must have exactly the tensor byte length; missing files say so', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-input-'));
    try {
      const file = path.join(dir, 'x.bin');
      fs.writeFileSync(file, Buffer.alloc(12, 1));
      expect(readInputFile(file, floatInput).length).toBe(12);
      expect(code(() => readInputFile(file, int8Input))).toBe('RUN_INPUT_SIZE');
      expect(code(() => readInputFile(path.join(dir, 'missing.bin'), int8Input))).toBe(
        'RUN_INPUT_FILE',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
