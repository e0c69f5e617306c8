import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { TinyOpsError } from '../errors';
import { writeFileAtomic } from '../fsutil/atomic';
import { writeReport } from '../report/io';
import type { Model } from '../tflite/ir';
import { loadModelFile, readModel, writeModel } from '../tflite';
import { TINYOPS_VERSION } from '../version';
import QUANTIZE_REPORT_SCHEMA from '../../schemas/quantize-report.schema.json';
import type { CalibrationMethod } from './calibrate';
import { loadLabels, loadSamples } from './dataset';
import { evaluateQuantization, worstLayers, type Evaluation, type Int8Runner } from './evaluate';
import { loadForeignModel, foreignFormat, type ModelFormat } from './import';
import { quantizeModel } from './quantize';
import { elementCount } from './tensor-data';

/** `tinyops quantize` as a library call: load, calibrate, quantize, evaluate, write. */

export interface QuantizeJob {
  modelPath: string;
  datasetPath: string;
  outPath: string;
  method?: CalibrationMethod;
  percentile?: number;
  perChannel?: boolean;
  floatIo?: boolean;
  /** Calibration samples to use (default 100). */
  samples?: number;
  /** Samples to compare float and int8 on (default: the calibration samples, at most 100). */
  evalSamples?: number;
  labelsPath?: string;
  reportPath?: string;
  /** Builds a runner for the int8 model (the reference interpreter). */
  makeInt8Runner: (model: Model) => Int8Runner;
  onProgress?: (done: number, total: number) => void;
}

export interface QuantizeReport {
  schemaVersion: 1;
  kind: 'quantize';
  tool: { name: 'tinyops'; version: string };
  source: FileInfo;
  output: FileInfo;
  sizeRatio: number;
  options: { perChannel: boolean; floatIo: boolean };
  calibration: {
    method: CalibrationMethod;
    percentile: number | null;
    samples: number;
    dataset: string;
  };
  cleanup: string[];
  evaluation: Omit<Evaluation, 'layers'> & { labels: string | null };
  layers: Evaluation['layers'];
  worstTensors: Evaluation['layers'];
}

interface FileInfo {
  path: string;
  format: ModelFormat;
  bytes: number;
  sha256: string;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Loads a float model from .tflite, Keras (.h5/.keras) or TF.js (model.json). */
export function loadFloatModel(path: string): {
  model: Model;
  bytes: Uint8Array;
  format: ModelFormat;
} {
  const format = foreignFormat(path);
  if (format === 'tflite') {
    const { model, bytes } = loadModelFile(path);
    return { model, bytes, format };
  }
  const model = loadForeignModel(path, format);
  return { model, bytes: new Uint8Array(fs.readFileSync(path)), format };
}

export function runQuantize(job: QuantizeJob): QuantizeReport {
  const method = job.method ?? 'minmax';
  const source = loadFloatModel(job.modelPath);
  const sg = source.model.subgraphs[0];
  if (sg.inputs.length !== 1)
    throw new TinyOpsError(
      'QUANT_MULTI_INPUT',
      `The model has ${sg.inputs.length} inputs; quantize takes one dataset for a single-input model`,
      {
        where: job.modelPath,
        hint: 'Quantize a single-input model.',
      },
    );
  const inputSize = elementCount(sg.tensors[sg.inputs[0]].shape);
  const samples = loadSamples(job.datasetPath, inputSize, job.samples ?? 100).map((s) => [s]);
  const labels = job.labelsPath ? loadLabels(job.labelsPath) : null;
  const result = quantizeModel(source.model, samples, {
    method,
    percentile: job.percentile,
    perChannel: job.perChannel,
    floatIo: job.floatIo,
    onProgress: job.onProgress,
  });
  const outBytes = writeModel(result.model);
  // Read back what will be written: the file must be a model our own reader accepts.
  const written = readModel(outBytes, job.outPath);
  const evalSet = samples.slice(0, job.evalSamples ?? 100);
  const evaluation = evaluateQuantization(
    result.floatModel,
    written,
    job.makeInt8Runner(written),
    evalSet,
    labels,
  );
  const { layers, ...summary } = evaluation;
  const report: QuantizeReport = {
    schemaVersion: 1,
    kind: 'quantize',
    tool: { name: 'tinyops', version: TINYOPS_VERSION },
    source: {
      path: job.modelPath,
      format: source.format,
      bytes: source.bytes.length,
      sha256: sha256(source.bytes),
    },
    output: {
      path: job.outPath,
      format: 'tflite',
      bytes: outBytes.length,
      sha256: sha256(outBytes),
    },
    sizeRatio: outBytes.length / source.bytes.length,
    options: { perChannel: job.perChannel ?? true, floatIo: job.floatIo ?? false },
    calibration: {
      method,
      percentile: method === 'percentile' ? (job.percentile ?? 99.99) : null,
      samples: samples.length,
      dataset: job.datasetPath,
    },
    cleanup: result.cleanup,
    evaluation: { ...summary, labels: job.labelsPath ?? null },
    layers,
    worstTensors: worstLayers(layers),
  };
  writeFileAtomic(job.outPath, outBytes);
  if (job.reportPath) writeReport(job.reportPath, QUANTIZE_REPORT_SCHEMA, report);
  return report;
}

export { QUANTIZE_REPORT_SCHEMA };
