import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TinyOpsError } from '../../shared/errors';
import { FloatExecutor } from '../../shared/quant/float-exec';
import { loadFloatModel } from '../../shared/quant/pipeline';
import { prepareFloatModel } from '../../shared/quant/quantize';
import { opName } from '../../shared/tflite';
import type { Model } from '../../shared/tflite/ir';
import { describeWithReference } from '../helpers/reference';
import { loadRef, ref as loadRefPath, uniformSamples } from './helpers';
import { exportTfjs } from './tfjs-export';

function writeTfjs(model: Model): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-tfjs-'));
  const { modelJson, bin } = exportTfjs(model);
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), bin);
  return path.join(dir, 'model.json');
}

const ops = (m: Model) =>
  m.subgraphs[0].operators.map(
    (op) => `${opName(m, op)}:${op.builtinOptions?.fused_activation_function ?? ''}`,
  );

describeWithReference('TF.js layers model import and converter clean-up', () => {
  // kws01 (conv, depthwise, pool, flatten, dense, softmax; hybrid weights dequantized first) and
  // ic01 (conv, residual ADD): written as a Keras-style graph with unfused batch norms, separate
  // ReLUs and dropouts, then imported back.
  test.each([
    ['kws01_ref_float32', 490, 1],
    ['ic01_resnet_float32', 3072, 255],
  ])('%s round-trips through model.json to the same graph and outputs', (name, size, scale) => {
    const original = prepareFloatModel(loadRef(`mlperf-tiny/${name}.tflite`)).model;
    const file = writeTfjs(original);
    const { model: imported, format } = loadFloatModel(file);
    expect(format).toBe('tfjs');
    const { model: cleaned, cleanup } = prepareFloatModel(imported);
    // Batch norms folded, ReLUs fused, dropouts gone: the converter's graph again.
    expect(ops(cleaned)).toEqual(ops(original));
    expect(cleanup.some((c) => c.startsWith('folded MUL'))).toBe(true);
    expect(cleanup.some((c) => c.startsWith('fused RELU'))).toBe(true);
    const a = new FloatExecutor(original);
    const b = new FloatExecutor(cleaned);
    for (const x of uniformSamples(size, 2, scale)) {
      const ya = a.run([x])[original.subgraphs[0].outputs[0]]!;
      const yb = b.run([x])[cleaned.subgraphs[0].outputs[0]]!;
      for (let i = 0; i < ya.length; i++)
        expect(Math.abs(ya[i] - yb[i])).toBeLessThan(1e-4 + 1e-3 * Math.abs(ya[i]));
    }
  });

  test('Keras 2 .h5 and Keras 3 .keras written by scripts/make-quant-fixtures.ts (h5wasm) import to the same graph and outputs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-keras-'));
    const source = path.join(dir, 'kws.tflite');
    fs.copyFileSync(loadRefPath('mlperf-tiny/kws01_ref_float32.tflite'), source);
    execFileSync(
      process.execPath,
      ['scripts/run-ts.mjs', 'scripts/make-quant-fixtures.ts', source, dir],
      { cwd: path.resolve(__dirname, '../..'), stdio: 'pipe' },
    );
    const original = prepareFloatModel(loadRef('mlperf-tiny/kws01_ref_float32.tflite')).model;
    const x = uniformSamples(490, 1, 1)[0];
    const want = new FloatExecutor(original).run([x])[original.subgraphs[0].outputs[0]]!;
    for (const [file, format] of [
      ['model.h5', 'keras-h5'],
      ['model.keras', 'keras'],
      ['model.json', 'tfjs'],
    ]) {
      const { model, format: got } = loadFloatModel(path.join(dir, file));
      expect(got).toBe(format);
      const cleaned = prepareFloatModel(model).model;
      expect(ops(cleaned)).toEqual(ops(original));
      const y = new FloatExecutor(cleaned).run([x])[cleaned.subgraphs[0].outputs[0]]!;
      for (let i = 0; i < y.length; i++)
        expect(Math.abs(y[i] - want[i])).toBeLessThan(1e-4 + 1e-3 * Math.abs(want[i]));
    }
  });

  test('a weight shard missing from disk is a TinyOpsError naming the fix', () => {
    const file = writeTfjs(
      prepareFloatModel(loadRef('tflm/examples/hello_world__hello_world_float.tflite')).model,
    );
    fs.rmSync(path.join(path.dirname(file), 'group1-shard1of1.bin'));
    expect(() => loadFloatModel(file)).toThrow(TinyOpsError);
  });

  test('files that are not HDF5 or zip are refused as such', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-bad-'));
    for (const name of ['model.h5', 'model.keras', 'model.json']) {
      fs.writeFileSync(path.join(dir, name), 'not a model');
      expect(() => loadFloatModel(path.join(dir, name))).toThrow(
        expect.objectContaining({ code: 'MODEL_FORMAT' }),
      );
    }
  });

  test('an unsupported layer is named', () => {
    const file = writeTfjs(
      prepareFloatModel(loadRef('tflm/examples/hello_world__hello_world_float.tflite')).model,
    );
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.modelTopology.config.layers[1].class_name = 'LSTM';
    fs.writeFileSync(file, JSON.stringify(json));
    try {
      loadFloatModel(file);
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(TinyOpsError);
      expect((err as TinyOpsError).message).toMatch(/LSTM is not supported/);
    }
  });
});
