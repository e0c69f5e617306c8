import type { Model, Tensor } from '../tflite/ir';
import { opName } from '../tflite/model';
import { FloatExecutor } from './float-exec';
import { quantizeValue } from './params';

/**
 * Float vs int8 on the same inputs: output error, top-1 agreement, accuracy against labels, and
 * SQNR per activation tensor (the float activation against the dequantized int8 one).
 */

/** Runs the int8 model and returns every tensor's raw values (int8 activations), by tensor
 * index of the int8 model. Inputs are given as the model's input tensors want them (int8 for
 * int8 I/O, float32 for float I/O). */
export type Int8Runner = (
  inputs: Array<Int8Array | Float32Array>,
) => Array<ArrayLike<number> | null>;

export interface LayerError {
  tensor: number;
  name: string;
  op: string;
  scale: number;
  zeroPoint: number;
  sqnrDb: number | null;
  meanAbsError: number;
}

export interface Evaluation {
  samples: number;
  outputMeanAbsError: number;
  outputMaxAbsError: number;
  /** Share of samples where both models pick the same class (classifiers only). */
  top1Agreement: number | null;
  floatAccuracy: number | null;
  int8Accuracy: number | null;
  accuracyDrop: number | null;
  layers: LayerError[];
}

/** A tensor's values as float: dequantized when it is quantized. */
export function dequantize(tensor: Tensor, raw: ArrayLike<number>): Float32Array {
  const q = tensor.quantization;
  if (tensor.type === 'FLOAT32' || !q || q.scale.length === 0) return Float32Array.from(raw);
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = (raw[i] - q.zeroPoint[0]) * q.scale[0];
  return out;
}

/** A float sample as the int8 model's input tensor wants it. */
export function toModelInput(tensor: Tensor, sample: Float32Array): Int8Array | Float32Array {
  if (tensor.type === 'FLOAT32') return sample;
  const q = tensor.quantization!;
  const p = { scale: q.scale[0], zeroPoint: q.zeroPoint[0] };
  return Int8Array.from(sample, (v) => quantizeValue(v, p));
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Compares the float model with its int8 quantization over `samples` (one Float32Array per
 * model input each). Tensors are matched by name (the int8 model keeps the float names; the
 * QUANTIZE/DEQUANTIZE edge copies carry an `_int8` suffix). */
export function evaluateQuantization(
  floatModel: Model,
  int8Model: Model,
  runInt8: Int8Runner,
  samples: Float32Array[][],
  labels: number[] | null,
): Evaluation {
  const fsg = floatModel.subgraphs[0];
  const qsg = int8Model.subgraphs[0];
  const floatExec = new FloatExecutor(floatModel);
  const floatIndex = new Map(fsg.tensors.map((t, i) => [t.name, i]));
  const producer = new Map<number, string>();
  qsg.operators.forEach((op) => op.outputs.forEach((t) => producer.set(t, opName(int8Model, op))));
  const tracked = qsg.tensors
    .map((t, i) => ({ t, i }))
    .filter(({ t, i }) => t.type === 'INT8' && (producer.has(i) || qsg.inputs.includes(i)))
    .map(({ t, i }) => ({
      i,
      t,
      f: floatIndex.get(t.name) ?? floatIndex.get(t.name.replace(/_int8$/, '')),
    }))
    .filter((x): x is { i: number; t: Tensor; f: number } => x.f !== undefined);
  const acc = tracked.map(() => ({ signal: 0, noise: 0, abs: 0, n: 0 }));
  let outAbs = 0;
  let outMax = 0;
  let outN = 0;
  let agree = 0;
  let floatCorrect = 0;
  let int8Correct = 0;
  const outF = fsg.outputs[0];
  const outQ = qsg.outputs[0];
  // Top-1 makes sense for a classifier: a softmax output, or any multi-value output given labels.
  const lastOp = fsg.operators.find((op) => op.outputs.includes(outF));
  const classifier =
    (fsg.tensors[outF].shape.at(-1) ?? 1) > 1 &&
    (labels !== null || (lastOp !== undefined && opName(floatModel, lastOp) === 'SOFTMAX'));
  samples.forEach((sample, s) => {
    const fv = floatExec.run(sample);
    const qv = runInt8(qsg.inputs.map((t, k) => toModelInput(qsg.tensors[t], sample[k])));
    tracked.forEach(({ i, t, f }, k) => {
      const a = fv[f];
      const raw = qv[i];
      if (!a || !raw) return;
      const d = dequantize(t, raw);
      const e = acc[k];
      for (let j = 0; j < a.length; j++) {
        const err = a[j] - d[j];
        e.signal += a[j] * a[j];
        e.noise += err * err;
        e.abs += Math.abs(err);
      }
      e.n += a.length;
    });
    const fo = fv[outF]!;
    const qo = dequantize(qsg.tensors[outQ], qv[outQ]!);
    for (let j = 0; j < fo.length; j++) {
      const err = Math.abs(fo[j] - qo[j]);
      outAbs += err;
      outMax = Math.max(outMax, err);
    }
    outN += fo.length;
    if (classifier) {
      const cf = argmax(fo);
      const cq = argmax(qo);
      if (cf === cq) agree++;
      if (labels && s < labels.length) {
        if (cf === labels[s]) floatCorrect++;
        if (cq === labels[s]) int8Correct++;
      }
    }
  });
  const labelled = labels ? Math.min(labels.length, samples.length) : 0;
  const floatAccuracy = classifier && labelled > 0 ? floatCorrect / labelled : null;
  const int8Accuracy = classifier && labelled > 0 ? int8Correct / labelled : null;
  return {
    samples: samples.length,
    outputMeanAbsError: outN > 0 ? outAbs / outN : 0,
    outputMaxAbsError: outMax,
    top1Agreement: classifier && samples.length > 0 ? agree / samples.length : null,
    floatAccuracy,
    int8Accuracy,
    accuracyDrop:
      floatAccuracy !== null && int8Accuracy !== null ? floatAccuracy - int8Accuracy : null,
    layers: tracked.map(({ i, t }, k) => {
      const e = acc[k];
      return {
        tensor: i,
        name: t.name,
        op: producer.get(i) ?? 'INPUT',
        scale: t.quantization!.scale[0],
        zeroPoint: t.quantization!.zeroPoint[0],
        sqnrDb: e.signal > 0 ? (e.noise > 0 ? 10 * Math.log10(e.signal / e.noise) : 200) : null,
        meanAbsError: e.n > 0 ? e.abs / e.n : 0,
      };
    }),
  };
}

/** The `count` layers with the lowest SQNR (largest relative error), worst first. */
export function worstLayers(layers: LayerError[], count = 5): LayerError[] {
  return layers
    .filter((l) => l.sqnrDb !== null)
    .sort((a, b) => a.sqnrDb! - b.sqnrDb!)
    .slice(0, count);
}
