import * as fs from 'node:fs';
import { TinyOpsError } from '../errors';
import type { Model } from './ir';
import { readModel } from './model';

/** Reads a .tflite file from disk, with errors that say which file and what to do. */
export function loadModelFile(path: string): { model: Model; bytes: Uint8Array } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new TinyOpsError('MODEL_NOT_FOUND', `Model file not found: ${path}`, {
      hint: 'Check the path (it is relative to the working directory) and that the file is committed or produced by an earlier step.',
    });
  }
  if (stat.isDirectory())
    throw new TinyOpsError('MODEL_NOT_FOUND', `Model path is a directory, not a file: ${path}`, {
      hint: 'Give the path of the .tflite file itself.',
    });
  const bytes = new Uint8Array(fs.readFileSync(path));
  if (bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) !== 'TFL3') {
    const head = new TextDecoder().decode(bytes.subarray(0, 64));
    const lfs = head.startsWith('version https://git-lfs');
    throw new TinyOpsError(
      'NOT_TFLITE',
      `${path} is not a TFLite model (no "TFL3" file identifier)`,
      {
        hint: lfs
          ? 'This is a Git LFS pointer: check out with `lfs: true` (actions/checkout) so the real file is present.'
          : 'Give a .tflite file made by the TFLite converter (a Keras or TF.js model goes through `tinyops quantize` first).',
      },
    );
  }
  return { model: readModel(bytes, path), bytes };
}
