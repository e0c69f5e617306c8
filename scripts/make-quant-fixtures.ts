// Writes the Keras and TF.js fixtures for `tinyops quantize` from a float TFLite model — by
// default the project's own trained float digits CNN (made by scripts/make-fixtures.ts):
//   OUT_DIR/model.json + group1-shard1of1.bin   TF.js layers model
//   OUT_DIR/model.h5                            Keras 2 model.save() layout (model_config attribute,
//                                               model_weights/<layer>/<layer>/<weight>:0)
//   OUT_DIR/model.keras                         Keras 3 zip: config.json + model.weights.h5
//                                               (layers/<layer>/vars/<i>)
// Each is built as a Keras training script would (unfused batch norms, separate ReLUs, dropouts,
// Flatten), so quantizing it exercises the importers and the clean-up. HDF5 is written with
// h5wasm (WebAssembly shipped in the npm package).
// Usage: node scripts/run-ts.mjs scripts/make-quant-fixtures.ts [FLOAT.tflite] [OUT_DIR]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { writeFilesAtomic } from '../shared/fsutil/atomic';
import { prepareFloatModel } from '../shared/quant/quantize';
import { loadModelFile } from '../shared/tflite';
import {
  exportKeras,
  exportTfjs,
  keras3Config,
  type ExportedWeight,
} from '../test/quant/tfjs-export';

interface H5Group {
  create_group(name: string): H5Group;
  create_dataset(args: {
    name: string;
    data: Float32Array;
    shape: number[];
    dtype: string;
  }): unknown;
  create_attribute(name: string, value: string | string[]): unknown;
}
interface H5File extends H5Group {
  close(): void;
}
interface H5Module {
  ready: Promise<unknown>;
  File: new (file: string, mode: string) => H5File;
}

/** h5wasm is ESM-only: load it by file URL from the repo's node_modules (run from the repo root). */
async function loadH5wasm(): Promise<H5Module> {
  const entry = path.resolve('node_modules/h5wasm/dist/node/hdf5_hl.js');
  if (!fs.existsSync(entry))
    throw new Error(`${entry} not found: run from the repo root after npm install`);
  const mod = (await import(pathToFileURL(entry).href)) as { default?: H5Module } & H5Module;
  const h5 = mod.default ?? mod;
  await h5.ready;
  return h5;
}

function byLayer(weights: ExportedWeight[]): Map<string, ExportedWeight[]> {
  const out = new Map<string, ExportedWeight[]>();
  for (const w of weights) {
    const layer = w.name.split('/')[0];
    out.set(layer, [...(out.get(layer) ?? []), w]);
  }
  return out;
}

async function main(): Promise<void> {
  const source = process.argv[2] ?? 'action-fixtures/models/digits_float32.tflite';
  const outDir = process.argv[3] ?? 'action-fixtures/keras';
  if (!fs.existsSync(source)) {
    console.error(
      `${source} not found: run scripts/make-fixtures.ts first (it trains the float digits model), or pass a float .tflite.`,
    );
    process.exit(1);
  }
  const float = prepareFloatModel(loadModelFile(source).model).model;
  const { modelJson, bin } = exportTfjs(float);
  const { modelConfig, weights } = exportKeras(float);
  const layers = byLayer(weights);
  const h5 = await loadH5wasm();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-h5-'));
  try {
    // Keras 2 .h5
    const h5Path = path.join(tmp, 'model.h5');
    const f = new h5.File(h5Path, 'w');
    f.create_attribute('model_config', JSON.stringify(modelConfig));
    f.create_attribute('keras_version', '2.15.0');
    f.create_attribute('backend', 'tensorflow');
    const mw = f.create_group('model_weights');
    for (const [layer, ws] of layers) {
      const inner = mw.create_group(layer).create_group(layer);
      for (const w of ws)
        inner.create_dataset({
          name: `${w.name.split('/')[1]}:0`,
          data: Float32Array.from(w.values),
          shape: w.shape,
          dtype: '<f',
        });
    }
    f.close();
    // Keras 3 .keras
    const weightsPath = path.join(tmp, 'model.weights.h5');
    const g = new h5.File(weightsPath, 'w');
    const root = g.create_group('layers');
    for (const [layer, ws] of layers) {
      const vars = root.create_group(layer).create_group('vars');
      ws.forEach((w, i) =>
        vars.create_dataset({
          name: String(i),
          data: Float32Array.from(w.values),
          shape: w.shape,
          dtype: '<f',
        }),
      );
    }
    g.close();
    const keras = zipSync({
      'metadata.json': strToU8(
        JSON.stringify({ keras_version: '3.6.0', date_saved: '2026-01-01@00:00:00' }),
      ),
      'config.json': strToU8(JSON.stringify(keras3Config(modelConfig))),
      'model.weights.h5': new Uint8Array(fs.readFileSync(weightsPath)),
    });
    writeFilesAtomic([
      { path: path.join(outDir, 'model.json'), data: `${JSON.stringify(modelJson, null, 1)}\n` },
      { path: path.join(outDir, 'group1-shard1of1.bin'), data: bin },
      { path: path.join(outDir, 'model.h5'), data: new Uint8Array(fs.readFileSync(h5Path)) },
      { path: path.join(outDir, 'model.keras'), data: keras },
    ]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(
    `wrote model.json (+ ${bin.length} B shard), model.h5 and model.keras to ${outDir} from ${source}`,
  );
}

void main();
