import type { Model } from '../tflite/ir';
import { Interpreter } from '../interp';
import { loadLabels, loadSamples } from '../quant/dataset';
import { toModelInput } from '../quant/evaluate';
import { TinyOpsError } from '../errors';
import type { Figure } from './types';

/** Top-1 accuracy of the model on a labelled validation set, run by the reference interpreter
 * (bit-exact with TFLite Micro for int8): the host's figure, which hil-test measures on the device. */
export function hostAccuracy(
  model: Model,
  datasetPath: string,
  labelsPath: string,
  limit?: number,
): Figure {
  const sg = model.subgraphs[0];
  if (sg.inputs.length !== 1)
    throw new TinyOpsError(
      'GATE_DATASET',
      `The accuracy check runs single-input models; this one has ${sg.inputs.length} inputs`,
      {
        hint: 'Measure accuracy with hil-test and pass its report instead.',
      },
    );
  const input = sg.tensors[sg.inputs[0]];
  const size = input.shape.reduce((a, b) => a * b, 1);
  const samples = loadSamples(datasetPath, size, limit);
  const labels = loadLabels(labelsPath).slice(0, samples.length);
  if (labels.length !== samples.length)
    throw new TinyOpsError(
      'GATE_LABELS',
      `${labelsPath} has ${labels.length} labels for ${samples.length} samples in ${datasetPath}`,
      {
        hint: 'Give one label per sample, in the same order.',
      },
    );
  const interp = new Interpreter(model);
  const out = sg.tensors[sg.outputs[0]];
  let correct = 0;
  samples.forEach((sample, i) => {
    const x = toModelInput(input, sample);
    const raw = interp.invoke([new Uint8Array(x.buffer, x.byteOffset, x.byteLength)])[0];
    const values =
      out.type === 'INT8'
        ? new Int8Array(raw.buffer, raw.byteOffset, raw.length)
        : new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    let best = 0;
    for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
    if (best === labels[i]) correct++;
  });
  return {
    value: correct / samples.length,
    source: 'estimated',
    basis: `host reference interpreter on ${samples.length} samples of ${datasetPath} (bit-exact with TFLite Micro for int8)`,
  };
}
