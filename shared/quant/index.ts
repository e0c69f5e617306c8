/**
 * Post-training full-integer quantization: a float model (.tflite, Keras .h5/.keras, TF.js
 * model.json) and representative samples in, an int8 .tflite that follows TFLite's quantization
 * spec out, with a report comparing the two.
 */
export {
  quantizeModel,
  prepareFloatModel,
  buildInt8Model,
  type QuantizeOptions,
  type QuantizeResult,
} from './quantize';
export {
  calibrate,
  type CalibrationMethod,
  type CalibrationResult,
  type TensorRange,
} from './calibrate';
export {
  evaluateQuantization,
  worstLayers,
  type Evaluation,
  type LayerError,
  type Int8Runner,
} from './evaluate';
export { interpreterRunner } from './int8-runner';
export {
  runQuantize,
  loadFloatModel,
  QUANTIZE_REPORT_SCHEMA,
  type QuantizeJob,
  type QuantizeReport,
} from './pipeline';
export { loadSamples, loadLabels } from './dataset';
export { FloatExecutor, FLOAT_OPS } from './float-exec';
export { foreignFormat, type ModelFormat } from './import';
