import * as fs from 'node:fs';
import * as path from 'node:path';
import { TinyOpsError } from '../errors';
import { parseNpy } from '../data/npy';
import { npzKeys, parseNpz } from '../data/npz';

/**
 * The representative dataset for calibration: float samples shaped like the model's input.
 * Accepted: a .npy array [N, ...input] (or one sample), a .npz (its first array, or `x`), a raw
 * little-endian float32 .bin cut into input-sized records, or a directory of such files (sorted).
 */

function readArrays(file: string): Array<{ data: ArrayLike<number>; shape: number[] | null }> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') {
    const a = parseNpy(bytes, file);
    return [{ data: a.data, shape: a.shape }];
  }
  if (ext === '.npz') {
    const names = npzKeys(bytes, file);
    const preferred =
      ['x', 'x_test', 'x_train', 'images', 'data'].find((n) => names.includes(n)) ??
      [...names].sort()[0];
    if (!preferred)
      throw new TinyOpsError('DATASET_FORMAT', `${file} holds no arrays`, {
        where: file,
        hint: 'Save the samples with numpy.savez(file, x=samples).',
      });
    const a = parseNpz(bytes, file, [preferred]).get(preferred)!;
    return [{ data: a.data, shape: a.shape }];
  }
  if (ext === '.bin' || ext === '.raw' || ext === '.f32') {
    if (bytes.length % 4 !== 0)
      throw new TinyOpsError(
        'DATASET_FORMAT',
        `${file} is ${bytes.length} bytes, not a whole number of float32 values`,
        {
          where: file,
          hint: 'Raw datasets are little-endian float32 values, one sample after another.',
        },
      );
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return [
      {
        data: Float32Array.from({ length: bytes.length / 4 }, (_, i) =>
          view.getFloat32(i * 4, true),
        ),
        shape: null,
      },
    ];
  }
  throw new TinyOpsError('DATASET_FORMAT', `Unsupported dataset file ${file}`, {
    where: file,
    hint: 'Use .npy, .npz, or raw float32 .bin files.',
  });
}

/** Loads up to `limit` samples of `inputSize` values each. */
export function loadSamples(
  datasetPath: string,
  inputSize: number,
  limit = Infinity,
): Float32Array[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(datasetPath);
  } catch {
    throw new TinyOpsError('DATASET_NOT_FOUND', `Dataset not found: ${datasetPath}`, {
      hint: 'Give a .npy/.npz/.bin file or a directory of them.',
    });
  }
  const files = stat.isDirectory()
    ? fs
        .readdirSync(datasetPath)
        .filter((f) => /\.(npy|npz|bin|raw|f32)$/i.test(f))
        .sort()
        .map((f) => path.join(datasetPath, f))
    : [datasetPath];
  const samples: Float32Array[] = [];
  for (const file of files) {
    for (const { data, shape } of readArrays(file)) {
      if (data.length % inputSize !== 0)
        throw new TinyOpsError(
          'DATASET_SHAPE',
          `${file} holds ${data.length} values${shape ? ` (shape [${shape}])` : ''}, not a whole number of samples of ${inputSize} values (the model input)`,
          {
            where: file,
            hint: 'Each sample must have exactly as many values as the model input tensor.',
          },
        );
      for (let k = 0; k < data.length / inputSize && samples.length < limit; k++)
        samples.push(Float32Array.from({ length: inputSize }, (_, i) => data[k * inputSize + i]));
    }
    if (samples.length >= limit) break;
  }
  if (samples.length === 0)
    throw new TinyOpsError('DATASET_EMPTY', `No samples found in ${datasetPath}`, {
      hint: 'Give a .npy/.npz/.bin file or a directory of them.',
    });
  return samples;
}

/** Class labels: a .npy of integers, or a text/CSV file with one label per line (the last
 * comma-separated field of each line). */
export function loadLabels(file: string): number[] {
  if (!fs.existsSync(file))
    throw new TinyOpsError('LABELS_NOT_FOUND', `Labels file not found: ${file}`, {
      hint: 'Give a .npy or a CSV/text file.',
    });
  if (file.toLowerCase().endsWith('.npy'))
    return Array.from(parseNpy(new Uint8Array(fs.readFileSync(file)), file).data);
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0)
    .map((line, i) => {
      const v = Number(line.split(',').pop()!.trim());
      if (!Number.isInteger(v))
        throw new TinyOpsError(
          'LABELS_FORMAT',
          `Line ${i + 1} of ${file} does not end in an integer class label`,
          {
            where: `${file}:${i + 1}`,
            hint: 'One integer label per line (or as the last CSV field).',
          },
        );
      return v;
    });
}
