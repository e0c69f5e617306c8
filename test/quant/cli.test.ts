import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FloatExecutor } from '../../shared/quant/float-exec';
import { QUANTIZE_REPORT_SCHEMA, type QuantizeReport } from '../../shared/quant/pipeline';
import { prepareFloatModel } from '../../shared/quant/quantize';
import { float32Bytes } from '../../shared/quant/tensor-data';
import { readReport } from '../../shared/report/io';
import { loadModelFile, opName } from '../../shared/tflite';
import { runCli } from '../helpers/cli';
import { describeWithReference } from '../helpers/reference';
import { loadRef, ref, uniformSamples } from './helpers';
import { exportTfjs } from './tfjs-export';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-quant-'));
const AD01_SAMPLES = () => ref('mlperf-tiny/samples/ad01_normal_id_01_00000000_hist_librosa.bin');

/** A .npy file of float32 samples, [N, ...shape]. */
function writeNpy(file: string, samples: Float32Array[], shape: number[]): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${[samples.length, ...shape].join(', ')}), }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  head.set(Buffer.from(header, 'latin1'), 10);
  fs.writeFileSync(file, Buffer.concat([head, ...samples.map((s) => float32Bytes(s))]));
}

describeWithReference('tinyops quantize', () => {
  test('ad01_fp32 with the anomaly-detection features: int8 model, schema-valid report, progress on stderr', async () => {
    const dir = tmp();
    const out = path.join(dir, 'ad01.int8.tflite');
    const reportPath = path.join(dir, 'quantize-report.json');
    const r = await runCli([
      'quantize',
      ref('mlperf-tiny/ad01_fp32.tflite'),
      '--dataset',
      AD01_SAMPLES(),
      '--out',
      out,
      '--report',
      reportPath,
      '--json',
    ]);
    expect(r.stderr).toContain('calibrating: 40/40 samples');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed.ok).toBe(true);
    const report = readReport<QuantizeReport>(reportPath, QUANTIZE_REPORT_SCHEMA, 'quantize');
    expect(report.calibration).toEqual({
      method: 'minmax',
      percentile: null,
      samples: 40,
      dataset: AD01_SAMPLES(),
    });
    expect(report.source.bytes).toBe(fs.statSync(ref('mlperf-tiny/ad01_fp32.tflite')).size);
    expect(report.output.bytes).toBe(fs.statSync(out).size);
    expect(report.sizeRatio).toBeLessThan(0.3);
    expect(report.evaluation.top1Agreement).toBeNull(); // an autoencoder, not a classifier
    expect(report.layers).toHaveLength(11);
    expect(report.worstTensors.length).toBe(5);
    const sq = report.worstTensors.map((l) => l.sqnrDb!);
    expect([...sq].sort((a, b) => a - b)).toEqual(sq);
    const { model } = loadModelFile(out);
    expect(
      model.subgraphs[0].operators.every((op) => opName(model, op) === 'FULLY_CONNECTED'),
    ).toBe(true);
  });

  test('ic01 from a .npy dataset with labels: accuracy for both models, percentile calibration, float I/O', async () => {
    const dir = tmp();
    const samples = uniformSamples(3072, 3, 255, 5);
    const dataset = path.join(dir, 'images.npy');
    writeNpy(dataset, samples, [32, 32, 3]);
    // Labels = the float model's own predictions: float accuracy is 100%, int8's is the agreement.
    const float = prepareFloatModel(loadRef('mlperf-tiny/ic01_resnet_float32.tflite')).model;
    const exec = new FloatExecutor(float);
    const labels = samples.map((s) => {
      const y = exec.run([s])[float.subgraphs[0].outputs[0]]!;
      return y.indexOf(Math.max(...y));
    });
    const labelsPath = path.join(dir, 'labels.csv');
    fs.writeFileSync(labelsPath, labels.map((l, i) => `img${i}.png,${l}`).join('\n'));
    const out = path.join(dir, 'ic01.int8.tflite');
    const r = await runCli([
      'quantize',
      ref('mlperf-tiny/ic01_resnet_float32.tflite'),
      '--dataset',
      dataset,
      '--out',
      out,
      '--method',
      'percentile',
      '--percentile',
      '99.9',
      '--float-io',
      '--labels',
      labelsPath,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as QuantizeReport;
    expect(report.calibration.percentile).toBe(99.9);
    expect(report.options.floatIo).toBe(true);
    expect(report.evaluation.floatAccuracy).toBe(1);
    expect(report.evaluation.int8Accuracy).toBe(report.evaluation.top1Agreement);
    const { model } = loadModelFile(out);
    expect(opName(model, model.subgraphs[0].operators[0])).toBe('QUANTIZE');
  });

  test('a TF.js layers model (model.json) quantizes too, with its clean-up in the summary', async () => {
    const dir = tmp();
    const { modelJson, bin } = exportTfjs(
      prepareFloatModel(loadRef('tflm/examples/hello_world__hello_world_float.tflite')).model,
    );
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), bin);
    const dataset = path.join(dir, 'x.bin');
    fs.writeFileSync(
      dataset,
      float32Bytes(Array.from({ length: 50 }, (_, i) => (i / 50) * 2 * Math.PI)),
    );
    const r = await runCli([
      'quantize',
      path.join(dir, 'model.json'),
      '--dataset',
      dataset,
      '--out',
      path.join(dir, 'hw.tflite'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/clean-up: .*folded MUL/);
    expect(r.stdout).toMatch(/fused RELU/);
  });

  test('usage errors exit 2; a dataset of the wrong size exits 1 and writes nothing', async () => {
    const dir = tmp();
    const out = path.join(dir, 'x.tflite');
    expect(
      (await runCli(['quantize', ref('mlperf-tiny/ad01_fp32.tflite'), '--out', out])).code,
    ).toBe(2);
    expect(
      (
        await runCli([
          'quantize',
          ref('mlperf-tiny/ad01_fp32.tflite'),
          '--dataset',
          AD01_SAMPLES(),
          '--out',
          out,
          '--method',
          'kl',
        ])
      ).code,
    ).toBe(2);
    const bad = path.join(dir, 'bad.bin');
    fs.writeFileSync(bad, new Uint8Array(4 * 100));
    const r = await runCli([
      'quantize',
      ref('mlperf-tiny/ad01_fp32.tflite'),
      '--dataset',
      bad,
      '--out',
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a whole number of samples of 640 values/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
