import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAction } from '../helpers/run-action';
import { describeWithReference, referencePath } from '../helpers/reference';

describeWithReference('tflite-to-c action (bundled dist, run as the runner runs it)', () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-t2c-'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  test('writes the files, the outputs and the job summary', async () => {
    fs.copyFileSync(
      referencePath('mlperf-tiny/kws01_ref_int8.tflite'),
      path.join(work, 'kws.tflite'),
    );
    const run = await runAction(
      'tflite-to-c',
      { model: 'kws.tflite', 'out-dir': 'src/model', name: 'kws_model' },
      { cwd: work },
    );
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({
      'source-path': 'src/model/kws_model.c',
      'header-path': 'src/model/kws_model.h',
      'array-name': 'kws_model',
      'length-name': 'kws_model_len',
      'model-bytes': '53936',
      'model-sha256': 'aeea436800704fce17b17292e4412630ad856e9d777c044c64ef748a880bd0ae',
      'arena-bytes': '16000',
    });
    expect(fs.readFileSync(path.join(work, 'src/model/kws_model.c'), 'utf8')).toContain(
      'const unsigned char kws_model[KWS_MODEL_LEN]',
    );
    expect(run.summary).toContain('52.7 KiB (53936 bytes)');
    expect(run.summary).toContain('CONV_2D ×5');
    expect(run.summary).toContain('`const unsigned char kws_model[]`');
  });

  test('a missing model fails with a clear message and writes nothing', async () => {
    const run = await runAction(
      'tflite-to-c',
      { model: 'models/missing.tflite', 'out-dir': 'out' },
      { cwd: work },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::Model file not found: models\/missing.tflite/);
    expect(run.stdout).not.toMatch(/\n\s+at .*\(.*\.js:\d+/); // no stack trace
    expect(fs.existsSync(path.join(work, 'out'))).toBe(false);
  });

  test('a file that is not a TFLite model fails with a clear message and writes nothing', async () => {
    fs.writeFileSync(
      path.join(work, 'model.tflite'),
      'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 9\n',
    );
    const run = await runAction(
      'tflite-to-c',
      { model: 'model.tflite', 'out-dir': 'out' },
      { cwd: work },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/is not a TFLite model/);
    expect(run.stdout).toMatch(/Git LFS/);
    expect(fs.existsSync(path.join(work, 'out'))).toBe(false);
  });

  test('a bad input value names the input', async () => {
    fs.copyFileSync(referencePath('mlperf-tiny/ad01_int8.tflite'), path.join(work, 'ad.tflite'));
    const run = await runAction(
      'tflite-to-c',
      { model: 'ad.tflite', 'xxd-naming': 'maybe' },
      { cwd: work },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Input "xxd-naming" must be true or false/);
  });
});
