import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TinyOpsError } from '../../shared/errors';
import {
  loadDataset,
  writeNpyFile,
  writeNpzFile,
  iterateSamples,
  checkDatasetAgainstTensor,
  sampleToTensorBytes,
  quantizeValue,
  quantizeSample,
  readLabelFile,
  ModelInput,
  parseShape,
} from '../../shared/data';
import { describeWithReference, referencePath } from '../helpers/reference';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-ds-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function caught(fn: () => unknown): TinyOpsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TinyOpsError);
    return err as TinyOpsError;
  }
  throw new Error('expected a TinyOpsError');
}

const quant = (scale: number, zeroPoint: number) => ({
  scale: [scale],
  zeroPoint: [zeroPoint],
  min: [],
  max: [],
  quantizedDimension: 0,
  details: null,
});
const int8Input: ModelInput = {
  name: 'input_1',
  type: 'INT8',
  shape: [1, 4, 2],
  quantization: quant(0.5, -3),
};

describe('loadDataset layouts', () => {
  test('.npy stack, single sample and explicit shape', () => {
    const file = path.join(tmp, 'stack.npy');
    writeNpyFile(file, {
      dtype: 'float32',
      shape: [3, 4, 2],
      data: Array.from({ length: 24 }, (_, i) => i),
    });
    const ds = loadDataset(file);
    expect(ds.kind).toBe('npy');
    expect(ds.count).toBe(3);
    expect(ds.sampleShape).toEqual([4, 2]);
    expect(Array.from(ds.sample(2).data)).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    // With the model input shape [1,4,2], a [4,2] array is one sample and [3,4,2] is three.
    const single = path.join(tmp, 'single.npy');
    writeNpyFile(single, { dtype: 'float32', shape: [4, 2], data: new Array(8).fill(1) });
    expect(loadDataset(single, { shape: [1, 4, 2] }).count).toBe(1);
    expect(loadDataset(file, { shape: [1, 4, 2] }).count).toBe(3);
    const e = caught(() => loadDataset(file, { shape: [1, 5, 2] }));
    expect(e.code).toBe('DATASET_SHAPE');
    expect(e.message).toContain('[1, 5, 2]');
    expect(e.message).toContain('[3, 4, 2]');
    expect(e.message).toContain(file);
  });

  test('.npz with conventional keys, explicit keys and label count check', () => {
    const file = path.join(tmp, 'set.npz');
    writeNpzFile(
      file,
      {
        inputs: { dtype: 'int8', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
        targets: { dtype: 'int64', shape: [2], data: [1, 0] },
        other: { dtype: 'float32', shape: [2, 3], data: [0, 0, 0, 0, 0, 0] },
      },
      { compress: true },
    );
    const ds = loadDataset(file);
    expect(ds.kind).toBe('npz');
    expect(ds.count).toBe(2);
    expect(Array.from(ds.labels!)).toEqual([1, 0]);
    const explicit = loadDataset(file, { inputKey: 'other', labelKey: 'targets' });
    expect(explicit.dtype).toBe('float32');
    const missing = caught(() => loadDataset(file, { inputKey: 'nope' }));
    expect(missing.message).toContain('inputs, targets, other');
    const bad = path.join(tmp, 'bad.npz');
    writeNpzFile(bad, {
      x: { dtype: 'int8', shape: [2, 1], data: [1, 2] },
      y: { dtype: 'int32', shape: [3], data: [0, 1, 2] },
    });
    const e = caught(() => loadDataset(bad));
    expect(e.code).toBe('DATASET_LABELS');
    expect(e.message).toContain('3 labels for 2 samples');
  });

  test('directory of .npy files with labels.txt, sorted by name, read lazily', () => {
    const dir = path.join(tmp, 'npydir');
    for (const [name, v] of [
      ['b', 2],
      ['a', 1],
      ['c', 3],
    ] as const)
      writeNpyFile(path.join(dir, `${name}.npy`), {
        dtype: 'float32',
        shape: [1, 2],
        data: [v, v],
      });
    fs.writeFileSync(path.join(dir, 'labels.txt'), 'cat\ndog\ncat\n');
    const ds = loadDataset(dir);
    expect(ds.kind).toBe('npy-dir');
    expect(ds.count).toBe(3);
    expect([...iterateSamples(ds)].map((s) => s.sample.data[0])).toEqual([1, 2, 3]);
    expect(Array.from(ds.labels!)).toEqual([0, 1, 0]);
    expect(ds.classNames).toEqual(['cat', 'dog']);
    // A later file with another shape is caught when it is read, naming the file.
    writeNpyFile(path.join(dir, 'd.npy'), { dtype: 'float32', shape: [3], data: [0, 0, 0] });
    fs.writeFileSync(path.join(dir, 'labels.txt'), '0\n1\n0\n1\n');
    const ds2 = loadDataset(dir);
    const e = caught(() => ds2.sample(3));
    expect(e.message).toContain('d.npy');
    expect(e.message).toContain('[1, 2]');
  });

  test('class subdirectories and CSV labels keyed by file name', () => {
    const dir = path.join(tmp, 'classes');
    for (const cls of ['yes', 'no'])
      for (const n of [0, 1])
        writeNpyFile(path.join(dir, cls, `${n}.npy`), { dtype: 'int8', shape: [2], data: [n, n] });
    const ds = loadDataset(dir);
    expect(ds.kind).toBe('class-dirs');
    expect(ds.classNames).toEqual(['no', 'yes']);
    expect(Array.from(ds.labels!)).toEqual([0, 0, 1, 1]);

    const raw = path.join(tmp, 'rawdir');
    fs.mkdirSync(raw);
    fs.writeFileSync(path.join(raw, 's1.bin'), new Uint8Array([1, 2, 3, 4]));
    fs.writeFileSync(path.join(raw, 's0.bin'), new Uint8Array([5, 6, 7, 8]));
    fs.writeFileSync(path.join(raw, 'labels.csv'), 's1.bin,12,7\ns0.bin,12,3\n');
    const rds = loadDataset(raw, { shape: [2, 2], dtype: 'uint8' });
    expect(rds.kind).toBe('raw-dir');
    expect(Array.from(rds.labels!)).toEqual([3, 7]);
    fs.writeFileSync(path.join(raw, 'labels.csv'), 's1.bin,7\n');
    expect(caught(() => loadDataset(raw, { shape: [2, 2], dtype: 'uint8' })).message).toContain(
      "'s0.bin'",
    );
  });

  test('raw file of N samples, and errors for missing or wrong shape info', () => {
    const file = path.join(tmp, 'three.raw');
    fs.writeFileSync(file, new Uint8Array(new Int16Array([1, -2, 3, -4, 5, -6]).buffer));
    const ds = loadDataset(file, { shape: [2], dtype: 'int16', labels: [0, 1, 1] });
    expect(ds.count).toBe(3);
    expect(Array.from(ds.sample(1).data)).toEqual([3, -4]);
    expect(caught(() => loadDataset(file)).code).toBe('DATASET_FORMAT');
    expect(caught(() => loadDataset(file, { shape: [5], dtype: 'int16' })).message).toContain(
      '12 bytes',
    );
    expect(
      caught(() => loadDataset(file, { shape: [2], dtype: 'int16', labels: [0] })).message,
    ).toContain('1 labels for 3 samples');
    expect(caught(() => loadDataset(path.join(tmp, 'nope'))).code).toBe('DATASET_NOT_FOUND');
    expect(caught(() => loadDataset(file, { shape: [2], dtype: 'complex' })).code).toBe(
      'DATASET_DTYPE',
    );
    expect(parseShape('1x49x10')).toEqual([1, 49, 10]);
    expect(parseShape('[1, 640]')).toEqual([1, 640]);
    expect(caught(() => parseShape('1x-2')).code).toBe('DATASET_SHAPE');
  });
});

describe('fitting samples to a model input', () => {
  test('quantization rounds half away from zero and clamps', () => {
    expect(quantizeValue(1.25, 0.5, 0, -128, 127)).toBe(3); // 2.5 -> 3
    expect(quantizeValue(-1.25, 0.5, 0, -128, 127)).toBe(-3); // -2.5 -> -3 (Math.round would give -2)
    expect(quantizeValue(-0.75, 0.5, -3, -128, 127)).toBe(-5);
    expect(quantizeValue(1000, 0.5, 0, -128, 127)).toBe(127);
    expect(quantizeValue(-1000, 0.5, 10, 0, 255)).toBe(0);
    const q = quantizeSample(
      { dtype: 'float32', shape: [3], data: new Float32Array([0.1, -40000, 40000]) },
      1,
      0,
      'INT16',
    );
    expect(q.dtype).toBe('int16');
    expect(Array.from(q.data)).toEqual([0, -32768, 32767]);
  });

  test('float samples are quantized, integer samples must match, shape errors name both shapes', () => {
    const f = {
      dtype: 'float32' as const,
      shape: [4, 2],
      data: new Float32Array([0, 0.5, 1.25, -1.25, 100, -100, 0.24, 0.26]),
    };
    expect(Array.from(new Int8Array(sampleToTensorBytes(f, int8Input, 's0').buffer))).toEqual([
      -3, -2, 0, -6, 127, -128, -3, -2,
    ]);
    const i8 = {
      dtype: 'int8' as const,
      shape: [1, 4, 2],
      data: new Int8Array([1, 2, 3, 4, 5, 6, 7, 8]),
    };
    expect(Array.from(sampleToTensorBytes(i8, int8Input, 's0'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const u8 = { dtype: 'uint8' as const, shape: [4, 2], data: new Uint8Array(8) };
    const dt = caught(() => sampleToTensorBytes(u8, int8Input, 'x.npy'));
    expect(dt.code).toBe('DATASET_DTYPE');
    expect(dt.message).toContain('uint8');
    expect(dt.message).toContain('int8');
    const wrong = { dtype: 'float32' as const, shape: [2, 4], data: new Float32Array(8) };
    const e = caught(() => sampleToTensorBytes(wrong, int8Input, 'x.npy'));
    expect(e.message).toContain('expected [1, 4, 2], found [2, 4]');
    expect(e.message).toContain('x.npy');
    expect(e.hint).toContain('Reshape');
    const floatIn: ModelInput = { name: 'f', type: 'FLOAT32', shape: [1, 2], quantization: null };
    expect(
      Array.from(
        new Float32Array(
          sampleToTensorBytes(
            { dtype: 'float64', shape: [2], data: new Float64Array([0.5, 2]) },
            floatIn,
            'd',
          ).buffer,
        ),
      ),
    ).toEqual([0.5, 2]);
  });

  test('checkDatasetAgainstTensor checks shape and label range', () => {
    const file = path.join(tmp, 'check.npz');
    writeNpzFile(file, {
      x: { dtype: 'float32', shape: [2, 4, 2], data: new Array(16).fill(0.5) },
      y: { dtype: 'int32', shape: [2], data: [0, 5] },
    });
    const ds = loadDataset(file);
    checkDatasetAgainstTensor(ds, int8Input);
    expect(
      caught(() => checkDatasetAgainstTensor(ds, int8Input, { numClasses: 4 })).message,
    ).toContain('label 5 is out of range');
    const e = caught(() => checkDatasetAgainstTensor(ds, { ...int8Input, shape: [1, 49, 10] }));
    expect(e.message).toContain('[1, 49, 10]');
    expect(e.message).toContain('[4, 2]');
  });
});

describeWithReference('MLPerf Tiny reference samples', () => {
  const samples = referencePath('mlperf-tiny', 'samples');

  test('KWS int8 input as raw binary 1x49x10 feeds an int8 input', () => {
    const ds = loadDataset(path.join(samples, 'kws01_ref_input_int8_1x49x10.bin'), {
      shape: [1, 49, 10],
      dtype: 'int8',
    });
    expect(ds.count).toBe(1);
    const s = ds.sample(0);
    expect(s.data.length).toBe(490);
    expect(Math.min(...s.data)).toBeGreaterThanOrEqual(-128);
    expect(new Set(s.data).size).toBeGreaterThan(10); // real MFCC features, not a constant fill
    const kwsInput: ModelInput = {
      name: 'input_1',
      type: 'INT8',
      shape: [1, 49, 10, 1],
      quantization: quant(1, 0),
    };
    expect(caught(() => checkDatasetAgainstTensor(ds, kwsInput)).message).toContain(
      'expected [1, 49, 10, 1], found [1, 49, 10]',
    );
    checkDatasetAgainstTensor(
      loadDataset(path.join(samples, 'kws01_ref_input_int8_1x49x10.bin'), {
        shape: [49, 10, 1],
        dtype: 'int8',
      }),
      kwsInput,
    );
  });

  test('anomaly-detection features: 200 float32 samples of 128', () => {
    const ds = loadDataset(path.join(samples, 'ad01_normal_id_01_00000000_hist_librosa.bin'), {
      shape: [128],
      dtype: 'float32',
    });
    expect(ds.count).toBe(200);
    let finite = 0;
    for (const { sample } of iterateSamples(ds))
      finite += sample.data.filter(Number.isFinite).length;
    expect(finite).toBe(200 * 128);
    const ad: ModelInput = { name: 'in', type: 'FLOAT32', shape: [1, 640], quantization: null };
    expect(caught(() => checkDatasetAgainstTensor(ds, ad)).message).toContain(
      'expected [1, 640], found [128]',
    );
  });

  test('label CSVs parse as file-keyed labels', () => {
    const kws = readLabelFile(path.join(samples, 'labels', 'kws01_y_labels.csv'));
    const open = readLabelFile(path.join(samples, 'labels', 'kws01-open_mfcc_y_labels.csv'));
    expect(kws.byName!.size).toBeGreaterThan(500);
    expect(kws.byName!.get('tst_000000_Stop_7.bin')).toBe(7);
    expect(open.byName!.get('tst_000014_Silence_10.bin')).toBe(10);
    expect(Math.max(...kws.byName!.values())).toBe(11);
    const ad = readLabelFile(path.join(samples, 'labels', 'ad01_y_labels.csv'));
    expect([...ad.byName!.values()].every((v) => v === 0 || v === 1)).toBe(true);
  });

  test('numpy-made int64 index files read as 1-D datasets', () => {
    // ic01_calibration_samples_idxs.npy: '<i8', shape (500,), a v1 header written by numpy.
    const ds = loadDataset(path.join(samples, 'ic01_calibration_samples_idxs.npy'));
    expect(ds.dtype).toBe('int64');
    expect(ds.count).toBe(500);
    expect(ds.sampleShape).toEqual([]);
    const idx = Array.from({ length: ds.count }, (_, i) => ds.sample(i).data[0]);
    expect(idx.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(new Set(idx).size).toBe(500);
  });
});
