import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TinyOpsError } from '../../shared/errors';
import {
  encodeNpy,
  parseNpy,
  readNpyFile,
  writeNpyFile,
  encodeNpz,
  parseNpz,
  readNpzFile,
  writeNpzFile,
  DType,
  DTYPES,
  quantizeSample,
} from '../../shared/data';

const HAVE_NUMPY = (() => {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const describeWithNumpy = HAVE_NUMPY ? describe : describe.skip;
if (!HAVE_NUMPY) console.warn('python3 with numpy not found: numpy cross-check tests are skipped');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-npy-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function expectError(fn: () => unknown, code: string, ...fragments: string[]): TinyOpsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TinyOpsError);
    const e = err as TinyOpsError;
    expect(e.code).toBe(code);
    for (const f of fragments) expect(e.describe()).toContain(f);
    return e;
  }
  throw new Error('expected a TinyOpsError');
}

describe('npy writer and reader', () => {
  const cases: Array<[DType, number[]]> = [
    ['float32', [1.5, -2.25, 3e-7, 0]],
    ['float64', [Math.PI, -1e300, 0.1, 2]],
    ['int8', [-128, 127, 0, -1]],
    ['uint8', [0, 255, 7, 128]],
    ['int16', [-32768, 32767, 5, -5]],
    ['uint16', [65535, 0, 1, 2]],
    ['int32', [-2147483648, 2147483647, 1, 0]],
    ['uint32', [4294967295, 0, 3, 9]],
    ['int64', [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, 42]],
    ['bool', [1, 0, 1, 1]],
  ];
  test.each(cases)('%s round-trips through a file', (dtype, values) => {
    const file = path.join(tmp, `${dtype}.npy`);
    writeNpyFile(file, { dtype, shape: [2, 2], data: values });
    expect(fs.readFileSync(file).length).toBe(128 + values.length * DTYPES[dtype].itemSize);
    const arr = readNpyFile(file);
    expect(arr.dtype).toBe(dtype);
    expect(arr.shape).toEqual([2, 2]);
    expect(Array.from(arr.data)).toEqual(
      values.map((v) => (dtype === 'float32' ? Math.fround(v) : v)),
    );
  });

  test('data starts on a 64-byte boundary and 0-d/1-d shapes encode as numpy does', () => {
    const one = encodeNpy({ dtype: 'int8', shape: [3], data: [1, 2, 3] });
    expect(one.length).toBe(128 + 3);
    expect(new TextDecoder().decode(one.subarray(10, 128))).toContain("'shape': (3,)");
    const scalar = parseNpy(encodeNpy({ dtype: 'float32', shape: [], data: [2.5] }));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([2.5]);
  });

  test('npz round-trips stored and deflated', () => {
    const x = { dtype: 'float32' as const, shape: [3, 2], data: [1, 2, 3, 4, 5, 6] };
    const y = { dtype: 'int32' as const, shape: [3], data: [0, 1, 0] };
    for (const compress of [false, true]) {
      const file = path.join(tmp, `a${compress}.npz`);
      writeNpzFile(file, { x, y }, { compress });
      const arrays = readNpzFile(file);
      expect([...arrays.keys()].sort()).toEqual(['x', 'y']);
      expect(Array.from(arrays.get('x')!.data)).toEqual(x.data);
      expect(arrays.get('y')!.shape).toEqual([3]);
    }
    // A zeroed array compresses well, so the deflated archive is the smaller one.
    const big = { z: { dtype: 'float32' as const, shape: [1000], data: new Array(1000).fill(0) } };
    expect(encodeNpz(big, { compress: true }).length).toBeLessThan(encodeNpz(big).length / 10);
  });
});

describe('malformed npy', () => {
  const good = encodeNpy({ dtype: 'float32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });
  const withHeader = (header: string, dataBytes = 0, version = 1) => {
    const pre = version === 1 ? 10 : 12;
    const total = Math.ceil((pre + header.length + 1) / 64) * 64;
    const out = new Uint8Array(total + dataBytes);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
    const dv = new DataView(out.buffer);
    if (version === 1) dv.setUint16(8, total - pre, true);
    else dv.setUint32(8, total - pre, true);
    const padded = header.padEnd(total - pre - 1, ' ') + '\n';
    for (let i = 0; i < padded.length; i++) out[pre + i] = padded.charCodeAt(i);
    return out;
  };

  test('truncated header', () => {
    expectError(
      () => parseNpy(good.subarray(0, 40), 'bad.npy'),
      'NPY_MALFORMED',
      'bad.npy',
      'truncated',
    );
    expectError(() => parseNpy(good.subarray(0, 8), 'bad.npy'), 'NPY_MALFORMED', 'truncated');
  });
  test('truncated data', () => {
    expectError(
      () => parseNpy(good.subarray(0, good.length - 1), 'short.npy'),
      'NPY_MALFORMED',
      'short.npy',
      '[2, 3]',
    );
  });
  test('huge declared shape fails before allocating', () => {
    const bytes = withHeader(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000, 4000000000, 1000), }",
      16,
    );
    expectError(() => parseNpy(bytes, 'huge.npy'), 'NPY_MALFORMED', 'huge.npy', '4000000000');
  });
  test('huge header length', () => {
    const bytes = new Uint8Array(16);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0x7f]);
    expectError(() => parseNpy(bytes, 'hdr.npy'), 'NPY_MALFORMED', 'header length');
  });
  test('bad and Fortran-order dtypes', () => {
    expectError(
      () =>
        parseNpy(
          withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8),
          'c.npy',
        ),
      'NPY_MALFORMED',
      "unsupported dtype '<c8'",
    );
    expectError(
      () =>
        parseNpy(
          withHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16),
          'f.npy',
        ),
      'NPY_MALFORMED',
      'Fortran',
      'ascontiguousarray',
    );
    expectError(
      () =>
        parseNpy(
          withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 4),
          's.npy',
        ),
      'NPY_MALFORMED',
      'structured',
    );
    expectError(
      () =>
        parseNpy(
          withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4),
          'n.npy',
        ),
      'NPY_MALFORMED',
      'shape',
    );
    expectError(
      () =>
        parseNpy(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,", 4), 'u.npy'),
      'NPY_MALFORMED',
      'bad header',
    );
  });
  test('version 2 headers and int64 out of range', () => {
    const v2 = parseNpy(
      withHeader("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", 4, 2),
    );
    expect(v2.shape).toEqual([2]);
    const big = withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", 8);
    new DataView(big.buffer).setBigInt64(big.length - 8, 2n ** 60n, true);
    expectError(() => parseNpy(big, 'i64.npy'), 'DATASET_RANGE', 'i64.npy');
  });
  test('not a zip', () => {
    fs.writeFileSync(path.join(tmp, 'fake.npz'), good);
    expectError(() => readNpzFile(path.join(tmp, 'fake.npz')), 'NPZ_MALFORMED', 'fake.npz');
    const zip = encodeNpz({ x: { dtype: 'int8', shape: [1], data: [1] } });
    fs.writeFileSync(path.join(tmp, 'cut.npz'), zip.subarray(0, zip.length - 10));
    expectError(() => readNpzFile(path.join(tmp, 'cut.npz')), 'NPZ_MALFORMED', 'cut.npz');
    // A member declaring a huge size is refused before inflating.
    for (const [declared, fragment] of [
      [0xf0000000, '2 GiB'],
      [50_000_000, 'corrupt zip header'],
    ] as const) {
      const bomb = encodeNpz(
        { x: { dtype: 'int8', shape: [4], data: [1, 2, 3, 4] } },
        { compress: true },
      );
      const dv = new DataView(bomb.buffer);
      for (let i = 0; i + 4 <= bomb.length; i++) {
        const sig = dv.getUint32(i, true);
        if (sig === 0x02014b50) dv.setUint32(i + 24, declared, true);
        if (sig === 0x04034b50) dv.setUint32(i + 22, declared, true);
      }
      expectError(() => parseNpz(bomb, 'bomb.npz'), 'NPZ_MALFORMED', 'bomb.npz', 'x.npy', fragment);
    }
    expect(parseNpz(encodeNpz({}), 'empty.npz').size).toBe(0);
  });
});

describeWithNumpy('files made by numpy', () => {
  const py = (code: string) =>
    execFileSync('python3', ['-c', code], { cwd: tmp, encoding: 'utf8' });

  test('every supported dtype, versions 1-3, matches numpy values', () => {
    py(`
import numpy as np, numpy.lib.format as f
dts = ['<f4','<f8','|i1','|u1','<i2','<u2','<i4','<u4','<i8','|b1']
for i, d in enumerate(dts):
    a = (np.arange(24).reshape(2,3,4) * (-1 if d[1] in 'if' else 1) * 7 % 97).astype(d)
    if d[1] == 'f': a = a / 3
    np.save('np_%d.npy' % i, a)
    with open('np_v%d_%d.npy' % (2 + i % 2, i), 'wb') as fh:
        f.write_array(fh, a, version=(2 + i % 2, 0))
    np.savetxt('np_%d.txt' % i, a.reshape(-1).astype('<f8'), fmt='%.17g')
np.save('fortran.npy', np.asfortranarray(np.ones((2,3), '<f4')))
for i, d in enumerate(['>f4','>f8','>i2','>u2','>i4','>u4','>i8']):
    np.save('big_%d.npy' % i, (np.arange(6) * (-5 if d[1] in 'if' else 5) / (3 if d[1] == 'f' else 1)).astype(d))
    np.savetxt('big_%d.txt' % i, (np.arange(6) * (-5 if d[1] in 'if' else 5) / (3 if d[1] == 'f' else 1)).astype(d).astype('<f8'), fmt='%.17g')
`);
    for (let i = 0; i < 10; i++) {
      const expected = fs
        .readFileSync(path.join(tmp, `np_${i}.txt`), 'utf8')
        .trim()
        .split('\n')
        .map(Number);
      for (const file of [`np_${i}.npy`, `np_v${2 + (i % 2)}_${i}.npy`]) {
        const arr = readNpyFile(path.join(tmp, file));
        expect(arr.shape).toEqual([2, 3, 4]);
        expect(Array.from(arr.data)).toEqual(
          expected.map((v) => (arr.dtype === 'float32' ? Math.fround(v) : v)),
        );
      }
    }
    expectError(() => readNpyFile(path.join(tmp, 'fortran.npy')), 'NPY_MALFORMED', 'Fortran');
    // Big-endian arrays are byte-swapped on reading.
    for (let i = 0; i < 7; i++) {
      const expected = fs
        .readFileSync(path.join(tmp, `big_${i}.txt`), 'utf8')
        .trim()
        .split('\n')
        .map(Number);
      const arr = readNpyFile(path.join(tmp, `big_${i}.npy`));
      expect(Array.from(arr.data)).toEqual(
        expected.map((v) => (arr.dtype === 'float32' ? Math.fround(v) : v)),
      );
    }
  });

  test('our writer produces byte-identical files to numpy.save', () => {
    py(`
import numpy as np
np.save('ref_a.npy', np.arange(6, dtype='<f4').reshape(2,3) / 4)
np.save('ref_b.npy', np.array([-3, 4, 127], dtype='|i1'))
np.save('ref_c.npy', np.zeros((1,49,10), dtype='<i2'))
`);
    const ours = [
      encodeNpy({ dtype: 'float32', shape: [2, 3], data: [0, 0.25, 0.5, 0.75, 1, 1.25] }),
      encodeNpy({ dtype: 'int8', shape: [3], data: [-3, 4, 127] }),
      encodeNpy({ dtype: 'int16', shape: [1, 49, 10], data: new Array(490).fill(0) }),
    ];
    ['ref_a.npy', 'ref_b.npy', 'ref_c.npy'].forEach((f, i) =>
      expect(Buffer.from(ours[i]).equals(fs.readFileSync(path.join(tmp, f)))).toBe(true),
    );
  });

  test('quantization matches an independent numpy float32 computation of TFLite rounding', () => {
    py(`
import numpy as np
rng = np.random.default_rng(7)
scale = np.float32(0.0478)
x = np.concatenate([rng.normal(0, 4, 5000), (np.arange(-300, 300) + 0.5) * 0.0478, [0.49999997 * 0.0478]]).astype('<f4')
v = (x / scale).astype(np.float64)
q = np.clip(np.sign(v) * np.floor(np.abs(v) + 0.5) + 5, -128, 127).astype('|i1')
np.savez('quant.npz', x=x, q=q)
`);
    const z = readNpzFile(path.join(tmp, 'quant.npz'));
    const ours = quantizeSample(z.get('x')!, Math.fround(0.0478), 5, 'INT8');
    expect(Array.from(ours.data)).toEqual(Array.from(z.get('q')!.data));
  });

  test('numpy reads what we write, and we read savez / savez_compressed', () => {
    writeNpyFile(path.join(tmp, 'ours.npy'), {
      dtype: 'int16',
      shape: [2, 2],
      data: [1, -2, 300, -32768],
    });
    writeNpzFile(
      path.join(tmp, 'ours.npz'),
      { x: { dtype: 'uint8', shape: [2], data: [9, 250] } },
      { compress: true },
    );
    expect(
      py(`
import numpy as np
a = np.load('ours.npy'); z = np.load('ours.npz')
print(a.dtype, a.tolist(), z['x'].dtype, z['x'].tolist())
`).trim(),
    ).toBe('int16 [[1, -2], [300, -32768]] uint8 [9, 250]');
    py(`
import numpy as np
np.savez('plain.npz', inputs=np.ones((4,3), '<f4'), labels=np.array([0,1,2,1]))
np.savez_compressed('comp.npz', x=np.arange(12, dtype='<f4').reshape(4,3), y=np.array([2,1,0,1], dtype='<i8'))
`);
    const plain = readNpzFile(path.join(tmp, 'plain.npz'));
    expect(plain.get('inputs')!.shape).toEqual([4, 3]);
    expect(Array.from(plain.get('labels')!.data)).toEqual([0, 1, 2, 1]);
    const comp = readNpzFile(path.join(tmp, 'comp.npz'));
    expect(Array.from(comp.get('x')!.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(comp.get('y')!.dtype).toBe('int64');
  });
});
