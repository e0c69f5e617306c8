/** Datasets (.npy, .npz, directories, raw binary), fitting samples to model inputs, and metrics. */
export type { DType, NdArray, NumericArray } from './ndarray';
export { DTYPES, DTYPE_NAMES, parseDType, parseShape, elementCount, formatShape } from './ndarray';
export { parseNpy, encodeNpy, readNpyFile, writeNpyFile, isNpy } from './npy';
export {
  parseNpz,
  encodeNpz,
  readNpzFile,
  writeNpzFile,
  npzKeys,
  INPUT_KEYS,
  LABEL_KEYS,
} from './npz';
export type { Dataset, DatasetKind, LoadDatasetOptions } from './dataset';
export { loadDataset, iterateSamples, attachLabels, sameShapeModuloBatch } from './dataset';
export { readLabelFile, parseLabelText } from './labels';
export type { ModelInput } from './tensor';
export {
  quantizeValue,
  quantizeSample,
  fitSample,
  sampleToTensorBytes,
  checkDatasetAgainstTensor,
  TENSOR_DTYPE,
} from './tensor';
export type { ClassificationReport, AgreementReport, Mismatch, ErrorStats } from './metrics';
export { argmax, classificationReport, agreement, errorStats } from './metrics';
export type { ProgressEvent, ProgressReporter } from './progress';
export { createProgress, formatProgress, stderrProgress, NO_PROGRESS } from './progress';
