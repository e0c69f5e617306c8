import * as fs from 'node:fs';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import * as hdf5 from 'jsfive';
import { TinyOpsError } from '../errors';
import type { Model } from '../tflite/ir';
import { kerasToTflite, type WeightSource } from './keras-graph';
import { readFloat16, readFloat32 } from './tensor-data';

/** Loading Keras (.h5, .keras) and TF.js layers models (model.json + .bin shards) as float
 * TFLite IR. */

export type ModelFormat = 'tflite' | 'keras-h5' | 'keras' | 'tfjs';

export function foreignFormat(file: string): ModelFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.h5' || ext === '.hdf5') return 'keras-h5';
  if (ext === '.keras') return 'keras';
  if (ext === '.json') return 'tfjs';
  return 'tflite';
}

type Json = Record<string, unknown>;

function readJson(text: string, where: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new TinyOpsError('MODEL_FORMAT', `${where} is not valid JSON`, {
      where,
      hint: 'Give the model.json written by tensorflowjs_converter or tfjs model.save().',
    });
  }
}

function readBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch {
    throw new TinyOpsError('MODEL_NOT_FOUND', `Model file not found: ${file}`, {
      hint: 'Check the path.',
    });
  }
}

export function loadForeignModel(file: string, format: ModelFormat): Model {
  if (format === 'tfjs') return loadTfjs(file);
  if (format === 'keras-h5') return loadKerasH5(file);
  return loadKeras3(file);
}

/** TF.js layers model: modelTopology (a Keras model config) and weightsManifest (shards). */
function loadTfjs(file: string): Model {
  const json = readJson(new TextDecoder().decode(readBytes(file)), file);
  const topology = json.modelTopology as Json | undefined;
  if (!topology || json.format === 'graph-model')
    throw new TinyOpsError(
      'MODEL_FORMAT',
      `${file} is not a TF.js layers model (no modelTopology)`,
      {
        where: file,
        hint: 'Graph models (from a SavedModel) carry no layer config: convert the Keras model with --output_format=tfjs_layers_model.',
      },
    );
  const modelConfig = (topology.model_config as Json | undefined) ?? topology;
  const weights = new Map<string, { values: Float32Array; shape: number[] }>();
  for (const group of (json.weightsManifest as Json[] | undefined) ?? []) {
    const shards = (group.paths as string[]).map((p) =>
      readBytes(path.join(path.dirname(file), p)),
    );
    const total = shards.reduce((s, b) => s + b.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const s of shards) {
      all.set(s, at);
      at += s.length;
    }
    let offset = 0;
    for (const w of group.weights as Json[]) {
      const shape = w.shape as number[];
      const count = shape.reduce((a, b) => a * b, 1);
      const dtype = w.dtype as string;
      const q = w.quantization as Json | undefined;
      if (dtype !== 'float32')
        throw new TinyOpsError('MODEL_FORMAT', `Weight ${w.name} has dtype ${dtype}`, {
          where: file,
          hint: 'Export float32 weights.',
        });
      let values: Float32Array;
      if (!q) {
        values = readFloat32(all.subarray(offset, offset + count * 4));
        offset += count * 4;
      } else if (q.dtype === 'float16') {
        values = readFloat16(all.subarray(offset, offset + count * 2));
        offset += count * 2;
      } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
        const bytes = q.dtype === 'uint8' ? 1 : 2;
        const view = new DataView(all.buffer, all.byteOffset + offset, count * bytes);
        const scale = q.scale as number;
        const min = q.min as number;
        values = Float32Array.from(
          { length: count },
          (_, i) => (bytes === 1 ? view.getUint8(i) : view.getUint16(i * 2, true)) * scale + min,
        );
        offset += count * bytes;
      } else
        throw new TinyOpsError('MODEL_FORMAT', `Weight ${w.name} uses quantization ${q.dtype}`, {
          where: file,
          hint: 'Export float32 weights.',
        });
      if (offset > total)
        throw new TinyOpsError(
          'MODEL_FORMAT',
          `The weight shards of ${file} are shorter than its manifest says`,
          {
            where: file,
            hint: 'Keep every .bin shard the manifest names beside model.json.',
          },
        );
      weights.set(w.name as string, { values, shape });
    }
  }
  const source: WeightSource = {
    get(layer, name) {
      for (const [key, w] of weights) {
        const k = key.replace(/:0$/, '');
        if (k === `${layer}/${name}` || k.endsWith(`/${layer}/${name}`)) return w;
      }
      return null;
    },
  };
  return kerasToTflite(modelConfig, source, file);
}

interface H5Node {
  keys?: string[];
  attrs: Record<string, unknown>;
  value?: ArrayLike<number>;
  shape?: number[];
  dtype?: string;
  get(name: string): H5Node | undefined;
}

function openH5(bytes: Uint8Array, where: string): H5Node {
  try {
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return new hdf5.File(buf as ArrayBuffer, where) as unknown as H5Node;
  } catch (err) {
    throw new TinyOpsError(
      'MODEL_FORMAT',
      `${where} is not a readable HDF5 file (${(err as Error).message})`,
      {
        where,
        hint: 'Give the .h5 written by Keras model.save().',
      },
    );
  }
}

/** Every dataset path under a group, recursively. */
function datasets(node: H5Node, prefix: string, out: Map<string, H5Node>): void {
  for (const key of Array.isArray(node.keys) ? node.keys : []) {
    const child = node.get(key);
    if (!child) continue;
    const p = prefix ? `${prefix}/${key}` : key;
    if (Array.isArray(child.keys)) datasets(child, p, out);
    else out.set(p, child);
  }
}

const asText = (v: unknown): string =>
  typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);

function h5Weights(root: H5Node): Map<string, { values: Float32Array; shape: number[] }> {
  const found = new Map<string, H5Node>();
  datasets(root, '', found);
  const out = new Map<string, { values: Float32Array; shape: number[] }>();
  for (const [p, d] of found)
    out.set(p, { values: Float32Array.from(d.value ?? []), shape: d.shape ?? [] });
  return out;
}

/** Keras 2 .h5 (model.save): root attribute model_config, weights under model_weights/<layer>/. */
function loadKerasH5(file: string): Model {
  const f = openH5(readBytes(file), file);
  const config = f.attrs.model_config;
  if (config === undefined)
    throw new TinyOpsError('MODEL_FORMAT', `${file} has no model_config (a weights-only file?)`, {
      where: file,
      hint: 'Save the whole model with model.save("model.h5"), not model.save_weights.',
    });
  const group = f.get('model_weights') ?? f;
  const all = h5Weights(group);
  const source: WeightSource = {
    get(layer, name) {
      for (const [p, w] of all) {
        const parts = p.split('/');
        if (parts[0] === layer && parts[parts.length - 1].replace(/:0$/, '') === name) return w;
      }
      return null;
    },
  };
  return kerasToTflite(readJson(asText(config), file), source, file);
}

/** Keras 3 .keras: a zip of config.json and model.weights.h5 (layers/<name>/vars/<i>). */
function loadKeras3(file: string): Model {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readBytes(file));
  } catch {
    throw new TinyOpsError('MODEL_FORMAT', `${file} is not a .keras (zip) archive`, {
      where: file,
      hint: 'Give the file Keras 3 model.save("model.keras") wrote.',
    });
  }
  if (!entries['config.json'] || !entries['model.weights.h5'])
    throw new TinyOpsError('MODEL_FORMAT', `${file} lacks config.json or model.weights.h5`, {
      where: file,
      hint: 'Give the file Keras 3 model.save("model.keras") wrote.',
    });
  const all = h5Weights(openH5(entries['model.weights.h5'], `${file}:model.weights.h5`));
  const source: WeightSource = {
    get(layer, _name, index) {
      for (const [p, w] of all)
        if (
          p.endsWith(`${layer}/vars/${index}`) &&
          (p === `layers/${layer}/vars/${index}` || p.includes(`/${layer}/vars/`))
        )
          return w;
      return null;
    },
  };
  return kerasToTflite(
    readJson(new TextDecoder().decode(entries['config.json']), `${file}:config.json`),
    source,
    file,
  );
}
