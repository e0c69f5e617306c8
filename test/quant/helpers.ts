import { mulberry32 } from '../../shared/util/prng';
import * as path from 'node:path';
import { loadModelFile } from '../../shared/tflite';
import type { Model } from '../../shared/tflite/ir';
import { loadSamples } from '../../shared/quant/dataset';
import { REFERENCE_DIR } from '../helpers/reference';

export const ref = (p: string) => path.join(REFERENCE_DIR, p);
export const loadRef = (p: string): Model => loadModelFile(ref(p)).model;

/** Deterministic uniform samples in [0, scale) (mulberry32), for models whose real inputs
 * (CIFAR-10 and COCO images) are not in the reference folder. */
export function uniformSamples(
  size: number,
  count: number,
  scale: number,
  seed = 1,
): Float32Array[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () =>
    Float32Array.from({ length: size }, () => rand() * scale),
  );
}

/** The MLPerf Tiny anomaly-detection sample: 200 frames x 128 mel bins, cut into 40 inputs of
 * 5 consecutive frames (640 values), the model's input. */
export function anomalySamples(): Float32Array[] {
  return loadSamples(ref('mlperf-tiny/samples/ad01_normal_id_01_00000000_hist_librosa.bin'), 640);
}
