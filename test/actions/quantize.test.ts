import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAction } from '../helpers/run-action';
import { loadModelFile } from '../../shared/tflite';

const FIX = path.resolve(__dirname, '../../action-fixtures');

describe('quantize action (bundled dist, run as the runner runs it)', () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-quant-action-'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  test('quantizes the fixture model: an int8 model, outputs, report and summary', async () => {
    const run = await runAction(
      'quantize',
      {
        model: path.join(FIX, 'models/digits_float32.tflite'),
        dataset: path.join(FIX, 'data/digits_calib.npy'),
        out: 'digits_int8.tflite',
        labels: path.join(FIX, 'data/digits_calib_labels.npy'),
      },
      { cwd: work },
    );
    // The calibration set has no labels file: the action says so and writes nothing.
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Labels file not found/);
    expect(fs.existsSync(path.join(work, 'digits_int8.tflite'))).toBe(false);

    const ok = await runAction(
      'quantize',
      {
        model: path.join(FIX, 'models/digits_float32.tflite'),
        dataset: path.join(FIX, 'data/digits_calib.npy'),
        out: 'digits_int8.tflite',
      },
      { cwd: work },
    );
    expect(ok.code).toBe(0);
    const { model } = loadModelFile(path.join(work, 'digits_int8.tflite'));
    const sg = model.subgraphs[0];
    expect(sg.tensors.filter((t) => t.type === 'FLOAT32')).toEqual([]);
    expect(Number(ok.outputs['model-bytes'])).toBe(
      fs.statSync(path.join(work, 'digits_int8.tflite')).size,
    );
    expect(Number(ok.outputs['top1-agreement'])).toBeGreaterThan(0.95);
    expect(
      JSON.parse(fs.readFileSync(path.join(work, 'tinyops-quantize-report.json'), 'utf8')).kind,
    ).toBe('quantize');
    expect(ok.summary).toMatch(/SQNR per layer/);
    expect(ok.stdout).toMatch(/calibrating: 100\/100 samples/);
  });

  test('an unknown calibration method is refused naming the input', async () => {
    const run = await runAction(
      'quantize',
      {
        model: path.join(FIX, 'models/digits_float32.tflite'),
        dataset: path.join(FIX, 'data/digits_calib.npy'),
        out: 'x.tflite',
        method: 'kl',
      },
      { cwd: work },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Input "method" must be one of minmax, percentile, mse/);
  });
});
