import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runAction } from '../helpers/run-action';
import { buildFirmware } from '../../shared/build/build';
import { defaultTemplateDir } from '../../shared/build/template-dir';
import { HIL_REPORT_SCHEMA, type HilReport } from '../../shared/hil/report';
import { validateWithSchema } from '../../shared/config/validate';
import { loadModelFile } from '../../shared/tflite/load';
import { writeModel } from '../../shared/tflite/model';

// The bundled action against the real thing: the template's harness firmware for the digits
// fixture, cross-compiled and run on QEMU's mps2-an386.
const HAVE_TOOLS = ['arm-none-eabi-gcc', 'cmake', 'ninja', 'qemu-system-arm'].every(
  (c) => spawnSync(c, ['--version']).status === 0,
);
if (!HAVE_TOOLS)
  console.warn('arm-none-eabi-gcc, cmake, ninja or qemu-system-arm missing: hil-test skipped');

const FIXTURES = path.resolve(__dirname, '../../action-fixtures');

(HAVE_TOOLS ? describe : describe.skip)(
  'hil-test action (bundled dist, run as the runner runs it)',
  () => {
    let work: string;
    let elf: string;
    let skewedElf: string;
    const build = async (model: string, outDir: string) =>
      (
        await buildFirmware({
          board: 'qemu-mps2-an386',
          modelPath: model,
          outDir: path.join(work, outDir),
          templateDir: defaultTemplateDir(),
        })
      ).artifacts.elf;
    beforeAll(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-hil-action-'));
      elf = await build(path.join(FIXTURES, 'models/digits_int8.tflite'), 'fw');
      skewedElf = await build(skewedDigits(work), 'fw-skewed');
    });
    afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

    const inputs = (model: string, reportPath: string, firmware = elf) => ({
      firmware,
      model: path.join(FIXTURES, 'models', model),
      dataset: path.join(FIXTURES, 'data/digits_val.npy'),
      labels: path.join(FIXTURES, 'data/digits_val_labels.npy'),
      limit: '40',
      'report-path': reportPath,
      'install-qemu': 'false',
    });

    test('40 digits on QEMU: bit-exact with the host, outputs, a valid report and the summary', async () => {
      const run = await runAction('hil-test', inputs('digits_int8.tflite', 'hil.json'), {
        cwd: work,
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({
        status: 'pass',
        'report-path': 'hil.json',
        samples: '40',
        agreement: '1',
        'latency-unit': 'instructions',
      });
      expect(Number(run.outputs.accuracy)).toBeGreaterThan(0.85);
      expect(Number(run.outputs['latency-median'])).toBeGreaterThan(10_000);
      expect(Number(run.outputs['latency-ms'])).toBeGreaterThan(0);

      const report = JSON.parse(fs.readFileSync(path.join(work, 'hil.json'), 'utf8')) as HilReport;
      validateWithSchema(HIL_REPORT_SCHEMA, report, { code: 'TEST', source: 'hil.json' });
      expect(report.agreement).toMatchObject({ mode: 'bytes', samples: 40, exact: 40 });
      expect(report.accuracy!.device).toBe(report.accuracy!.host);
      expect(String(report.accuracy!.device)).toBe(run.outputs.accuracy);

      expect(run.summary).toContain(
        '- **Agreement**: 40/40 samples bit-exact with the host interpreter (100.0%, required 100.0%)',
      );
      expect(run.stdout).toMatch(/hil-test 40\/40 \(100%\)/); // progress in the log
      expect(run.stdout).toContain('hil-test PASS: 40 samples');
    });

    test('firmware whose outputs differ from the host: a failed step, the report still written', async () => {
      const run = await runAction(
        'hil-test',
        inputs('digits_int8.tflite', 'skewed.json', skewedElf),
        { cwd: work },
      );
      expect(run.code).toBe(1);
      expect(run.outputs.status).toBe('fail');
      expect(Number(run.outputs.agreement)).toBeLessThan(1);
      expect(run.stdout).toMatch(
        /::error::\d+ of 40 samples differ from the host reference on qemu-mps2-an386 \(agreement [\d.]+%25, required 100\.0%25\)/, // %: escaped as %25 in workflow commands
      );
      const report = JSON.parse(
        fs.readFileSync(path.join(work, 'skewed.json'), 'utf8'),
      ) as HilReport;
      expect(report.status).toBe('fail');
      expect(report.agreement.mismatches.length).toBeGreaterThan(0);
      expect(run.summary).toContain('<summary>Mismatches</summary>');
    });

    test('the float model with the int8 firmware: the mismatch named, a failed step, no report', async () => {
      const run = await runAction('hil-test', inputs('digits_float32.tflite', 'bad.json'), {
        cwd: work,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /::error::The firmware's model input is int8 196 bytes but the --model's is float32 784 bytes/,
      );
      expect(run.stdout).toMatch(/rebuild the firmware with this model/);
      expect(run.stdout).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
      expect(fs.existsSync(path.join(work, 'bad.json'))).toBe(false);
      expect(run.outputs).toEqual({});
    });

    test('a serial backend without a port is refused before anything runs', async () => {
      const run = await runAction(
        'hil-test',
        { ...inputs('digits_int8.tflite', 'serial.json'), backend: 'serial' },
        { cwd: work },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::error::The serial backend needs input "port"/);
      expect(fs.existsSync(path.join(work, 'serial.json'))).toBe(false);
    });
  },
);

/** The digits model with one output bias changed: the same shapes (the firmware's handshake
 * accepts it), different outputs (the host runs the original). */
function skewedDigits(dir: string): string {
  const { model } = loadModelFile(path.join(FIXTURES, 'models/digits_int8.tflite'));
  const sg = model.subgraphs[0];
  const fc = sg.operators.find(
    (op) => model.operatorCodes[op.opcodeIndex].name === 'FULLY_CONNECTED',
  )!;
  const bias = model.buffers[sg.tensors[fc.inputs[2]].buffer];
  const values = new Int32Array(bias.data.slice().buffer);
  values[0] += 5000;
  bias.data = new Uint8Array(values.buffer);
  const file = path.join(dir, 'digits_skewed.tflite');
  fs.writeFileSync(file, writeModel(model));
  return file;
}
