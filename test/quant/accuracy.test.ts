import * as fs from 'node:fs';
import { evaluateQuantization, type Evaluation } from '../../shared/quant/evaluate';
import { interpreterRunner } from '../../shared/quant/int8-runner';
import { quantizeModel } from '../../shared/quant/quantize';
import { readModel, writeModel } from '../../shared/tflite';
import { describeWithReference } from '../helpers/reference';
import { anomalySamples, loadRef, ref, uniformSamples } from './helpers';

/** Ours and the converter's twin, run by the reference interpreter on the same inputs, each
 * compared with the float model. Calibration and evaluation inputs are disjoint. */
function compare(
  floatPath: string,
  twinPath: string | null,
  calib: Float32Array[],
  evalSet: Float32Array[],
) {
  const result = quantizeModel(
    loadRef(floatPath),
    calib.map((s) => [s]),
    { method: 'minmax' },
  );
  const ours = readModel(writeModel(result.model));
  const samples = evalSet.map((s) => [s]);
  const mine = evaluateQuantization(
    result.floatModel,
    ours,
    interpreterRunner(ours),
    samples,
    null,
  );
  let twin: Evaluation | null = null;
  if (twinPath) {
    const t = loadRef(twinPath);
    twin = evaluateQuantization(result.floatModel, t, interpreterRunner(t), samples, null);
  }
  return { mine, twin };
}

describeWithReference("int8 accuracy vs the float model, ours against the converter's twin", () => {
  test('ad01 on the real anomaly-detection features (40 inputs of one clip)', () => {
    const all = anomalySamples();
    // Calibrated and judged on the same 40 inputs: at least as close to float as the twin.
    const same = compare('mlperf-tiny/ad01_fp32.tflite', 'mlperf-tiny/ad01_int8.tflite', all, all);
    expect(same.mine.outputMeanAbsError).toBeLessThanOrEqual(same.twin!.outputMeanAbsError);
    // Every activation tensor is tracked, and quantization noise stays well below the signal.
    expect(same.mine.layers.length).toBe(11);
    for (const l of same.mine.layers) expect(l.sqnrDb!).toBeGreaterThan(10);
    // Calibrated on the first 20, judged on the other 20 (the twin saw the whole training set):
    // within a few percent of the twin.
    const held = compare(
      'mlperf-tiny/ad01_fp32.tflite',
      'mlperf-tiny/ad01_int8.tflite',
      all.slice(0, 20),
      all.slice(20),
    );
    expect(held.mine.outputMeanAbsError).toBeLessThanOrEqual(held.twin!.outputMeanAbsError * 1.05);
  });

  test('ic01 (uniform [0, 255) images: 4 to calibrate, 4 to judge)', () => {
    const { mine, twin } = compare(
      'mlperf-tiny/ic01_resnet_float32.tflite',
      'mlperf-tiny/ic01_resnet_quant.tflite',
      uniformSamples(3072, 4, 255, 1),
      uniformSamples(3072, 4, 255, 2),
    );
    expect(mine.outputMeanAbsError).toBeLessThanOrEqual(twin!.outputMeanAbsError);
    expect(mine.top1Agreement!).toBeGreaterThanOrEqual(twin!.top1Agreement!);
  });

  test('vww01 (uniform [0, 1) images: 3 to calibrate, 3 to judge)', () => {
    const { mine, twin } = compare(
      'mlperf-tiny/vww01_96_float32.tflite',
      'mlperf-tiny/vww01_96_int8.tflite',
      uniformSamples(27648, 3, 1, 1),
      uniformSamples(27648, 3, 1, 2),
    );
    expect(mine.outputMeanAbsError).toBeLessThanOrEqual(twin!.outputMeanAbsError);
    expect(mine.top1Agreement!).toBeGreaterThanOrEqual(twin!.top1Agreement!);
  });

  test('kws01 hybrid (int8 weights dequantized first) on the one real KWS input, dequantized from its int8 sample', () => {
    const twin = loadRef('mlperf-tiny/kws01_ref_int8.tflite');
    const q = twin.subgraphs[0].tensors[twin.subgraphs[0].inputs[0]].quantization!;
    const raw = new Int8Array(
      fs.readFileSync(ref('mlperf-tiny/samples/kws01_ref_input_int8_1x49x10.bin')),
    );
    const x = Float32Array.from(raw, (v) => (v - q.zeroPoint[0]) * q.scale[0]);
    const { mine, twin: theirs } = compare(
      'mlperf-tiny/kws01_ref_float32.tflite',
      'mlperf-tiny/kws01_ref_int8.tflite',
      [x],
      [x],
    );
    expect(mine.outputMeanAbsError).toBeLessThanOrEqual(theirs!.outputMeanAbsError);
    expect(mine.top1Agreement).toBe(1);
  });

  test('hello_world_float (x on a grid over [0, 2 pi) to calibrate, random x to judge)', () => {
    const grid = Array.from({ length: 64 }, (_, i) => Float32Array.of((i / 64) * 2 * Math.PI));
    const { mine } = compare(
      'tflm/examples/hello_world__hello_world_float.tflite',
      null,
      grid,
      uniformSamples(1, 50, 2 * Math.PI, 3),
    );
    // The output is sin(x) in [-1, 1]; the int8 grid step there is about 0.008.
    expect(mine.outputMeanAbsError).toBeLessThan(0.03);
  });
});
