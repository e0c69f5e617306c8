/**
 * Datasets: a count of samples (each an NdArray), optional integer labels and class names.
 * Directory and raw-binary datasets read each sample on demand, so a large dataset never has to
 * fit in memory at once.
 *
 * Accepted layouts (see loadDataset):
 *  - FILE.npy: one array; samples along the first axis (or a single sample, see `shape`).
 *  - FILE.npz: samples under `inputKey` or the first of INPUT_KEYS; labels under `labelKey` or the
 *    first of LABEL_KEYS; an archive with a single array uses it as the samples.
 *  - DIR of *.npy (one sample each, sorted by name); labels from labels.npy, labels.txt or
 *    labels.csv beside them.
 *  - DIR/<class>/*.npy (class subdirectories, sorted; label = index of the class name).
 *  - raw binary (needs `shape` and `dtype`): one file holding N samples back to back, or a DIR of
 *    files holding one sample each (same label files as above).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TinyOpsError } from '../errors';
import {
  DTYPES,
  DType,
  NdArray,
  decodeElements,
  elementCount,
  formatShape,
  parseDType,
} from './ndarray';
import { isNpy, readFileChecked, readNpyFile } from './npy';
import { INPUT_KEYS, LABEL_KEYS, isZip, npzKeys, parseNpz } from './npz';
import { LabelFile, checkLabel, readLabelFile } from './labels';

export type DatasetKind = 'npy' | 'npz' | 'npy-dir' | 'class-dirs' | 'raw' | 'raw-dir';

export interface Dataset {
  /** The path it was loaded from. */
  source: string;
  kind: DatasetKind;
  count: number;
  dtype: DType;
  /** Shape of one sample (as stored; a model input may add or drop a leading batch dimension of 1). */
  sampleShape: number[];
  labels?: Int32Array;
  classNames?: string[];
  /** Where sample i lives, for messages: a file, or `file[i]`. */
  sampleName(i: number): string;
  /** Reads sample i (directory and raw datasets read from disk on each call). */
  sample(i: number): NdArray;
}

export interface LoadDatasetOptions {
  /** Per-sample shape (a model input shape with its batch dimension of 1 is fine). Required for raw binary. */
  shape?: readonly number[];
  /** Element type; required for raw binary, checked against .npy files otherwise. */
  dtype?: DType | string;
  /** A labels file (.npy, .txt, .csv) or the labels themselves. */
  labels?: string | ArrayLike<number>;
  /** .npz key of the samples (default: the first of INPUT_KEYS present). */
  inputKey?: string;
  /** .npz key of the labels (default: the first of LABEL_KEYS present). */
  labelKey?: string;
}

const LABEL_FILE_NAMES = ['labels.npy', 'labels.txt', 'labels.csv'];

export function* iterateSamples(
  ds: Dataset,
): IterableIterator<{ index: number; sample: NdArray; label?: number }> {
  for (let i = 0; i < ds.count; i++)
    yield { index: i, sample: ds.sample(i), label: ds.labels ? ds.labels[i] : undefined };
}

export function loadDataset(p: string, options: LoadDatasetOptions = {}): Dataset {
  const dtype = options.dtype === undefined ? undefined : parseDType(options.dtype, p);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new TinyOpsError('DATASET_NOT_FOUND', `Dataset not found: ${p}`, {
      where: p,
      hint: 'Check the --dataset path.',
    });
  }
  let ds: Dataset;
  if (stat.isDirectory()) ds = loadDirectory(p, options, dtype);
  else ds = loadFile(p, options, dtype);
  if (options.labels !== undefined)
    attachLabels(ds, resolveLabelOption(options.labels), String(options.labels));
  if (dtype && ds.dtype !== dtype) {
    throw new TinyOpsError(
      'DATASET_DTYPE',
      `${p}: samples are ${ds.dtype} but ${dtype} was requested`,
      {
        where: p,
        hint: `Convert the data to ${dtype}, or drop the dtype option.`,
      },
    );
  }
  return ds;
}

function loadFile(p: string, options: LoadDatasetOptions, dtype: DType | undefined): Dataset {
  const fd = fs.openSync(p, 'r');
  const head = new Uint8Array(8);
  fs.readSync(fd, head, 0, 8, 0);
  fs.closeSync(fd);
  if (isNpy(head)) return fromArray(p, 'npy', readNpyFile(p), options.shape);
  if (isZip(head)) {
    const bytes = readFileChecked(p);
    const keys = npzKeys(bytes, p);
    const inputKey =
      options.inputKey ??
      INPUT_KEYS.find((k) => keys.includes(k)) ??
      (keys.length === 1 ? keys[0] : undefined);
    if (!inputKey || !keys.includes(inputKey)) {
      throw new TinyOpsError(
        'DATASET_KEY',
        `${p}: no samples array ${inputKey ? `'${inputKey}'` : `(looked for ${INPUT_KEYS.join(', ')})`}; the archive holds: ${keys.join(', ') || 'nothing'}`,
        {
          where: p,
          hint: 'Name the samples array with the input key option (e.g. --input-key NAME) or save it as x.',
        },
      );
    }
    const labelKey = options.labelKey ?? LABEL_KEYS.find((k) => keys.includes(k));
    if (options.labelKey && !keys.includes(options.labelKey)) {
      throw new TinyOpsError(
        'DATASET_KEY',
        `${p}: no labels array '${options.labelKey}'; the archive holds: ${keys.join(', ')}`,
        { where: p },
      );
    }
    const arrays = parseNpz(bytes, p, labelKey ? [inputKey, labelKey] : [inputKey]);
    const ds = fromArray(`${p}:${inputKey}`, 'npz', arrays.get(inputKey)!, options.shape);
    ds.source = p;
    if (labelKey && options.labels === undefined) {
      const y = arrays.get(labelKey)!;
      const lf: LabelFile = {
        ordered: Array.from(y.data, (v, i) => checkLabel(v, `${p}:${labelKey}[${i}]`)),
      };
      attachLabels(ds, lf, `${p}:${labelKey}`);
    }
    return ds;
  }
  if (!options.shape || !dtype) {
    throw new TinyOpsError(
      'DATASET_FORMAT',
      `${p}: not a .npy or .npz file; raw binary needs a shape and a dtype`,
      {
        where: p,
        hint: 'Give the per-sample shape and dtype (e.g. --shape 1x49x10 --dtype int8), or save the data with numpy.save.',
      },
    );
  }
  return rawFile(p, options.shape, dtype);
}

/** A whole array as a dataset: a stack of samples along axis 0, or one sample if it has the expected shape. */
function fromArray(
  source: string,
  kind: DatasetKind,
  arr: NdArray,
  expected?: readonly number[],
): Dataset {
  let count: number;
  let sampleShape: number[];
  if (expected && sameShapeModuloBatch(arr.shape, expected)) {
    count = 1;
    sampleShape = arr.shape.slice();
  } else if (
    expected &&
    arr.shape.length > 0 &&
    sameShapeModuloBatch(arr.shape.slice(1), expected)
  ) {
    count = arr.shape[0];
    sampleShape = arr.shape.slice(1);
  } else if (expected) {
    throw shapeError(source, expected, arr.shape, 'a single sample or N stacked samples');
  } else {
    if (arr.shape.length === 0) {
      throw new TinyOpsError('DATASET_SHAPE', `${source}: a scalar is not a dataset`, {
        where: source,
        hint: 'Save samples stacked along the first axis.',
      });
    }
    count = arr.shape[0];
    sampleShape = arr.shape.slice(1);
  }
  const per = elementCount(sampleShape);
  return {
    source,
    kind,
    count,
    dtype: arr.dtype,
    sampleShape,
    sampleName: (i) => `${source}[${i}]`,
    sample: (i) => {
      checkIndex(i, count, source);
      return {
        dtype: arr.dtype,
        shape: sampleShape.slice(),
        data: arr.data.subarray(i * per, (i + 1) * per),
      };
    },
  };
}

function rawFile(p: string, shape: readonly number[], dtype: DType): Dataset {
  const sampleBytes = elementCount(shape) * DTYPES[dtype].itemSize;
  const size = fs.statSync(p).size;
  if (sampleBytes === 0 || size % sampleBytes !== 0 || size === 0) {
    throw new TinyOpsError(
      'DATASET_SHAPE',
      `${p}: ${size} bytes is not a whole number of ${dtype} samples of shape ${formatShape(shape)} (${sampleBytes} bytes each)`,
      {
        where: p,
        hint: 'Check the shape and dtype given for the raw file (the file holds N samples back to back).',
      },
    );
  }
  const count = size / sampleBytes;
  return {
    source: p,
    kind: 'raw',
    count,
    dtype,
    sampleShape: shape.slice(),
    sampleName: (i) => `${p}[${i}]`,
    sample: (i) => {
      checkIndex(i, count, p);
      const buf = new Uint8Array(sampleBytes);
      const fd = fs.openSync(p, 'r');
      try {
        fs.readSync(fd, buf, 0, sampleBytes, i * sampleBytes);
      } finally {
        fs.closeSync(fd);
      }
      return {
        dtype,
        shape: shape.slice(),
        data: decodeElements(dtype, buf, elementCount(shape), `${p}[${i}]`),
      };
    },
  };
}

function loadDirectory(
  dir: string,
  options: LoadDatasetOptions,
  dtype: DType | undefined,
): Dataset {
  const entries = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'));
  const files = entries
    .filter((e) => e.isFile() && !LABEL_FILE_NAMES.includes(e.name.toLowerCase()))
    .map((e) => e.name)
    .sort();
  const subdirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const raw = options.shape !== undefined && dtype !== undefined;
  const isSample = (name: string) => (raw ? true : name.toLowerCase().endsWith('.npy'));

  let sampleFiles: string[];
  let labels: number[] | undefined;
  let classNames: string[] | undefined;
  let kind: DatasetKind;
  if (files.filter(isSample).length === 0 && subdirs.length > 0) {
    kind = raw ? 'raw-dir' : 'class-dirs';
    sampleFiles = [];
    labels = [];
    classNames = subdirs;
    subdirs.forEach((cls, label) => {
      const inner = fs
        .readdirSync(path.join(dir, cls))
        .filter((n) => !n.startsWith('.') && isSample(n))
        .sort();
      for (const n of inner) {
        sampleFiles.push(path.join(dir, cls, n));
        labels!.push(label);
      }
    });
  } else {
    kind = raw ? 'raw-dir' : 'npy-dir';
    sampleFiles = files.filter(isSample).map((n) => path.join(dir, n));
  }
  if (sampleFiles.length === 0) {
    throw new TinyOpsError('DATASET_EMPTY', `${dir}: no samples found`, {
      where: dir,
      hint: raw
        ? 'Put one raw sample file per sample in the directory.'
        : 'Put one .npy file per sample in the directory (or DIR/<class>/*.npy), or give shape and dtype for raw files.',
    });
  }
  const readOne = (file: string): NdArray => {
    if (!raw) return readNpyFile(file);
    const bytes = readFileChecked(file);
    const expectedBytes = elementCount(options.shape!) * DTYPES[dtype!].itemSize;
    if (bytes.length !== expectedBytes) {
      throw new TinyOpsError(
        'DATASET_SHAPE',
        `${file}: ${bytes.length} bytes, expected ${expectedBytes} for one ${dtype} sample of shape ${formatShape(options.shape!)}`,
        {
          where: file,
          hint: 'Each file in a raw directory holds exactly one sample; check the shape and dtype.',
        },
      );
    }
    return {
      dtype: dtype!,
      shape: options.shape!.slice(),
      data: decodeElements(dtype!, bytes, elementCount(options.shape!), file),
    };
  };
  const first = readOne(sampleFiles[0]);
  if (options.shape && !raw && !sameShapeModuloBatch(first.shape, options.shape)) {
    throw shapeError(sampleFiles[0], options.shape, first.shape, 'one sample per file');
  }
  const ds: Dataset = {
    source: dir,
    kind,
    count: sampleFiles.length,
    dtype: first.dtype,
    sampleShape: first.shape.slice(),
    classNames,
    sampleName: (i) => sampleFiles[i],
    sample: (i) => {
      checkIndex(i, sampleFiles.length, dir);
      const s = i === 0 ? first : readOne(sampleFiles[i]);
      if (s.dtype !== first.dtype || !sameShape(s.shape, first.shape)) {
        throw new TinyOpsError(
          'DATASET_SHAPE',
          `${sampleFiles[i]}: ${s.dtype} ${formatShape(s.shape)} differs from the first sample (${first.dtype} ${formatShape(first.shape)}, ${sampleFiles[0]})`,
          {
            where: sampleFiles[i],
            hint: 'Every sample in a dataset must have the same shape and dtype.',
          },
        );
      }
      return s;
    },
  };
  if (labels) ds.labels = Int32Array.from(labels);
  else if (options.labels === undefined) {
    const labelFile = LABEL_FILE_NAMES.map((n) =>
      entries.find((e) => e.isFile() && e.name.toLowerCase() === n),
    ).find((e) => e);
    if (labelFile)
      attachLabels(
        ds,
        readLabelFile(path.join(dir, labelFile.name)),
        path.join(dir, labelFile.name),
      );
  }
  return ds;
}

function resolveLabelOption(labels: string | ArrayLike<number>): LabelFile {
  if (typeof labels === 'string') return readLabelFile(labels);
  return { ordered: Array.from(labels, (v, i) => checkLabel(v, `labels[${i}]`)) };
}

/** Attaches labels to a dataset, checking that there is exactly one per sample. */
export function attachLabels(ds: Dataset, lf: LabelFile, source: string): void {
  let labels: number[];
  if (lf.byName) {
    if (ds.kind !== 'npy-dir' && ds.kind !== 'raw-dir' && ds.kind !== 'class-dirs') {
      throw new TinyOpsError(
        'DATASET_LABELS',
        `${source}: labels keyed by file name need a directory with one file per sample, but ${ds.source} is a single file`,
        {
          where: source,
          hint: 'Give one label per line in sample order (labels.txt), or a 1-D labels.npy.',
        },
      );
    }
    labels = [];
    for (let i = 0; i < ds.count; i++) {
      const name = path.basename(ds.sampleName(i));
      const label = lf.byName.get(name);
      if (label === undefined) {
        throw new TinyOpsError('DATASET_LABELS', `${source}: no label for sample file '${name}'`, {
          where: source,
          hint: `Add a line '${name},<label>' to the labels file (CSV files are keyed by sample file name).`,
        });
      }
      labels.push(label);
    }
  } else {
    labels = lf.ordered ?? [];
    if (labels.length !== ds.count) {
      throw new TinyOpsError(
        'DATASET_LABELS',
        `${source}: ${labels.length} labels for ${ds.count} samples in ${ds.source}`,
        {
          where: source,
          hint: 'Give exactly one label per sample, in sample order.',
        },
      );
    }
  }
  ds.labels = Int32Array.from(labels);
  if (lf.classNames) ds.classNames = lf.classNames;
}

function checkIndex(i: number, count: number, source: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= count)
    throw new RangeError(`sample index ${i} out of range 0..${count - 1} in ${source}`);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Equal shapes, allowing a leading batch dimension of 1 on either side. */
export function sameShapeModuloBatch(a: readonly number[], b: readonly number[]): boolean {
  const strip = (s: readonly number[]) => (s.length > 0 && s[0] === 1 ? s.slice(1) : s.slice());
  return (
    sameShape(a, b) ||
    sameShape(strip(a), b) ||
    sameShape(a, strip(b)) ||
    sameShape(strip(a), strip(b))
  );
}

export function shapeError(
  source: string,
  expected: readonly number[],
  found: readonly number[],
  layout: string,
): TinyOpsError {
  return new TinyOpsError(
    'DATASET_SHAPE',
    `${source}: expected samples of shape ${formatShape(expected)} but found ${formatShape(found)} (${layout})`,
    {
      where: source,
      hint: `Reshape the data so that each sample is ${formatShape(expected)} (a leading batch dimension of 1 may be present or absent), e.g. numpy.save(path, x.reshape(-1, ${expected.filter((_, i) => !(i === 0 && expected[0] === 1)).join(', ')})).`,
    },
  );
}
