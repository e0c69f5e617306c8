/**
 * Fitting dataset samples to a model input tensor: shape and dtype checks with messages that name
 * both sides, and TFLite-style quantization of float samples (round half away from zero, then
 * clamp to the integer type's range).
 */
import { TinyOpsError } from '../errors';
import type { Tensor } from '../tflite/ir';
import type { Dataset } from './dataset';
import { sameShapeModuloBatch } from './dataset';
import { DTYPES, DType, NdArray, encodeElements, formatShape } from './ndarray';

export type ModelInput = Pick<Tensor, 'name' | 'type' | 'shape' | 'quantization'>;

const QUANT_TYPES: Record<string, { dtype: DType; min: number; max: number }> = {
  INT8: { dtype: 'int8', min: -128, max: 127 },
  UINT8: { dtype: 'uint8', min: 0, max: 255 },
  INT16: { dtype: 'int16', min: -32768, max: 32767 },
};

/** The dataset dtype that feeds a tensor type directly (no conversion). */
export const TENSOR_DTYPE: Readonly<Record<string, DType>> = {
  FLOAT32: 'float32',
  FLOAT64: 'float64',
  INT8: 'int8',
  UINT8: 'uint8',
  INT16: 'int16',
  UINT16: 'uint16',
  INT32: 'int32',
  UINT32: 'uint32',
  INT64: 'int64',
  BOOL: 'bool',
};

/** round(x / scale) + zeroPoint, rounding half away from zero in float32 as TFLite does, clamped. */
export function quantizeValue(
  x: number,
  scale: number,
  zeroPoint: number,
  min: number,
  max: number,
): number {
  const v = Math.fround(Math.fround(x) / Math.fround(scale));
  const r = v < 0 ? -Math.round(-v) : Math.round(v);
  const q = r + zeroPoint;
  return q < min ? min : q > max ? max : q;
}

/** Quantizes a float sample to int8/uint8/int16 with a per-tensor scale and zero point. */
export function quantizeSample(
  sample: NdArray,
  scale: number,
  zeroPoint: number,
  type: 'INT8' | 'UINT8' | 'INT16',
): NdArray {
  const t = QUANT_TYPES[type];
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new TinyOpsError('DATASET_QUANT', `cannot quantize with scale ${scale}`, {
      hint: 'The model input needs a positive per-tensor scale.',
    });
  }
  const out =
    type === 'INT8'
      ? new Int8Array(sample.data.length)
      : type === 'UINT8'
        ? new Uint8Array(sample.data.length)
        : new Int16Array(sample.data.length);
  for (let i = 0; i < out.length; i++)
    out[i] = quantizeValue(sample.data[i], scale, zeroPoint, t.min, t.max);
  return { dtype: t.dtype, shape: sample.shape.slice(), data: out };
}

function inputLabel(tensor: ModelInput): string {
  return `model input '${tensor.name}' (${tensor.type} ${formatShape(tensor.shape)})`;
}

/** Checks one sample against a tensor and returns the element values the tensor takes, quantizing float samples when needed. */
export function fitSample(sample: NdArray, tensor: ModelInput, where: string): NdArray {
  if (!sameShapeModuloBatch(sample.shape, tensor.shape)) {
    throw new TinyOpsError(
      'DATASET_SHAPE',
      `${where}: sample shape ${formatShape(sample.shape)} does not match ${inputLabel(tensor)}: expected ${formatShape(tensor.shape)}, found ${formatShape(sample.shape)}`,
      {
        where,
        hint: `Reshape each sample to ${formatShape(tensor.shape)} (a leading batch dimension of 1 may be present or absent).`,
      },
    );
  }
  const direct = TENSOR_DTYPE[tensor.type];
  if (direct === undefined) {
    throw new TinyOpsError(
      'DATASET_DTYPE',
      `${where}: ${inputLabel(tensor)} has a type datasets cannot feed`,
      { where },
    );
  }
  const shaped = (s: NdArray): NdArray => ({ ...s, shape: tensor.shape.slice() });
  if (sample.dtype === direct) return shaped(sample);
  const q = QUANT_TYPES[tensor.type];
  if (q && DTYPES[sample.dtype].isFloat) {
    const quant = tensor.quantization;
    if (!quant || quant.scale.length !== 1) {
      throw new TinyOpsError(
        'DATASET_QUANT',
        `${where}: float samples need quantizing but ${inputLabel(tensor)} has ${quant && quant.scale.length > 1 ? 'per-channel' : 'no'} quantization parameters`,
        {
          where,
          hint: `Provide samples already as ${q.dtype}.`,
        },
      );
    }
    return shaped(
      quantizeSample(
        sample,
        quant.scale[0],
        quant.zeroPoint[0] ?? 0,
        tensor.type as 'INT8' | 'UINT8' | 'INT16',
      ),
    );
  }
  if (tensor.type === 'FLOAT32' && DTYPES[sample.dtype].isFloat) {
    return shaped({ dtype: 'float32', shape: sample.shape, data: Float32Array.from(sample.data) });
  }
  throw new TinyOpsError(
    'DATASET_DTYPE',
    `${where}: samples are ${sample.dtype} but ${inputLabel(tensor)} takes ${direct}`,
    {
      where,
      hint: q
        ? `Provide ${direct} samples, or float32 samples to be quantized with the input's scale and zero point.`
        : `Provide ${direct} samples (numpy: x.astype(numpy.${direct})).`,
    },
  );
}

/** The sample as the raw little-endian bytes the tensor holds (for the interpreter or a board). */
export function sampleToTensorBytes(
  sample: NdArray,
  tensor: ModelInput,
  where: string,
): Uint8Array {
  const fitted = fitSample(sample, tensor, where);
  return encodeElements(fitted.dtype, fitted.data);
}

/**
 * Checks a dataset against a model input before a long run: the first sample's shape and dtype,
 * and, when the model's class count is known, the labels' range. Each failure names both sides.
 */
export function checkDatasetAgainstTensor(
  ds: Dataset,
  tensor: ModelInput,
  options: { numClasses?: number } = {},
): void {
  if (ds.count === 0)
    throw new TinyOpsError('DATASET_EMPTY', `${ds.source}: the dataset has no samples`, {
      where: ds.source,
    });
  fitSample(ds.sample(0), tensor, ds.sampleName(0));
  if (ds.labels) {
    if (ds.labels.length !== ds.count) {
      throw new TinyOpsError(
        'DATASET_LABELS',
        `${ds.source}: ${ds.labels.length} labels for ${ds.count} samples`,
        {
          where: ds.source,
          hint: 'Give exactly one label per sample.',
        },
      );
    }
    if (options.numClasses !== undefined) {
      const bad = ds.labels.findIndex((l) => l >= options.numClasses!);
      if (bad >= 0) {
        throw new TinyOpsError(
          'DATASET_LABELS',
          `${ds.sampleName(bad)}: label ${ds.labels[bad]} is out of range for a model with ${options.numClasses} classes (expected 0..${options.numClasses - 1})`,
          {
            where: ds.sampleName(bad),
            hint: 'Labels are class indices matching the model output order.',
          },
        );
      }
    }
  }
}
