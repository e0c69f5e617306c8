import * as path from 'node:path';
import { calibrate } from '../shared/quant/calibrate';
import { loadSamples } from '../shared/quant/dataset';
import { FloatExecutor } from '../shared/quant/float-exec';
import { prepareFloatModel, quantizeModel } from '../shared/quant/quantize';
import { loadModelFile, writeModel } from '../shared/tflite';
import { HAVE_REFERENCE, REFERENCE_DIR } from './reference';
import type { BenchRow } from './table';

/** Uniform [0, scale) samples from a fixed seed (the image models' real data is not shipped). */
function uniform(size: number, count: number, scale: number): Float32Array[] {
  let a = 1;
  const rand = () => {
    a = (a * 16807) % 2147483647;
    return a / 2147483647;
  };
  return Array.from({ length: count }, () =>
    Float32Array.from({ length: size }, () => rand() * scale),
  );
}

/** Per model: end-to-end quantization time (min/max calibration, write) and calibration
 * throughput (float inferences with every activation recorded, per second) per method. */
export async function benchQuant(): Promise<BenchRow[]> {
  if (!HAVE_REFERENCE) return [{ name: 'reference models', value: 'absent: skipped' }];
  const ref = (p: string) => path.join(REFERENCE_DIR, p);
  const cases: Array<[string, string, () => Float32Array[]]> = [
    [
      'hello_world_float',
      'tflm/examples/hello_world__hello_world_float.tflite',
      () => uniform(1, 100, 2 * Math.PI),
    ],
    [
      'ad01_fp32',
      'mlperf-tiny/ad01_fp32.tflite',
      () =>
        loadSamples(ref('mlperf-tiny/samples/ad01_normal_id_01_00000000_hist_librosa.bin'), 640),
    ],
    ['kws01_ref_float32', 'mlperf-tiny/kws01_ref_float32.tflite', () => uniform(490, 20, 1)],
    ['ic01_resnet_float32', 'mlperf-tiny/ic01_resnet_float32.tflite', () => uniform(3072, 10, 255)],
    ['vww01_96_float32', 'mlperf-tiny/vww01_96_float32.tflite', () => uniform(96 * 96 * 3, 10, 1)],
  ];
  const rows: BenchRow[] = [];
  for (const [name, file, make] of cases) {
    const { model } = loadModelFile(ref(file));
    const samples = make().map((s) => [s]);
    const t0 = performance.now();
    const result = quantizeModel(model, samples, { method: 'minmax' });
    writeModel(result.model);
    const total = performance.now() - t0;
    rows.push({
      name: `quantize ${name} (${samples.length} samples, minmax)`,
      value: `${total.toFixed(0)} ms`,
    });
    const prepared = prepareFloatModel(model).model;
    const exec = new FloatExecutor(prepared);
    for (const method of ['minmax', 'percentile', 'mse'] as const) {
      const t1 = performance.now();
      calibrate(prepared, exec, samples, { method });
      const s = (performance.now() - t1) / 1000;
      rows.push({
        name: `calibration ${name} ${method}`,
        value: `${(samples.length / s).toFixed(1)} samples/s`,
      });
    }
  }
  return rows;
}
