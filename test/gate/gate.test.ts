import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { describeWithReference, referencePath } from '../helpers/reference';
import { loadModelFile } from '../../shared/tflite';
import { planMemory } from '../../shared/analyze';
import type { GateReport } from '../../shared/gate/run';

const KWS = referencePath('mlperf-tiny/kws01_ref_int8.tflite');
const VWW = referencePath('mlperf-tiny/vww01_96_int8.tflite');
const IC_LARGE_FLOAT = referencePath('mlperf-tiny/ic01_resnet_large_float32.tflite');
const IC = referencePath('mlperf-tiny/ic01_resnet_quant.tflite');
const AD = referencePath('mlperf-tiny/ad01_int8.tflite');

async function gateJson(
  args: string[],
): Promise<{ code: number; report: GateReport; stderr: string }> {
  const { code, stdout, stderr } = await runCli(['gate', ...args, '--json']);
  return { code, report: JSON.parse(stdout), stderr };
}

/** The estimate the gate documents (shared/analyze/fit.ts), worked out by hand from the file
 * size and the arena plan: flash = model + 12 KiB runtime + 6 KiB app; RAM = arena + 64 B +
 * 68 B per tensor + 48 B per op + 8 KiB stack. */
function handEstimate(file: string): { flash: number; ram: number } {
  const { model, bytes } = loadModelFile(file);
  const sg = model.subgraphs[0];
  return {
    flash: bytes.length + 12 * 1024 + 6 * 1024,
    ram:
      planMemory(model).planBytes + 64 + 68 * sg.tensors.length + 48 * sg.operators.length + 8192,
  };
}

describeWithReference('constraint gate on the MLPerf Tiny int8 models', () => {
  // Board capacities from the database: nano33ble 1 MiB / 256 KiB, pico 2 MiB / 264 KiB,
  // stm32f746-disco 1 MiB / 320 KiB, qemu 4 MiB / 4 MiB.
  test.each([
    [KWS, 'nano33ble', true],
    [VWW, 'nano33ble', true],
    [IC, 'pico', true],
    [AD, 'stm32f746-disco', true],
    // ic01_resnet_large_float32 is a 1.93 MB file: more than the nRF52840's 1 MiB of flash.
    [IC_LARGE_FLOAT, 'nano33ble', false],
  ])('%s on %s passes: %s (flash and RAM as worked out by hand)', async (file, board, passes) => {
    const { code, report } = await gateJson([file, '--board', board]);
    const hand = handEstimate(file);
    const checks = report.targets[0].checks;
    expect(checks.find((c) => c.id === 'flash')!.figure!.value).toBe(hand.flash);
    expect(checks.find((c) => c.id === 'ram')!.figure!.value).toBe(hand.ram);
    expect(report.passed).toBe(passes);
    expect(code).toBe(passes ? 0 : 1);
    if (!passes) expect(checks.find((c) => c.id === 'flash')!.status).toBe('fail');
  });

  test('a RAM budget below the estimate fails; fail-on never only reports', async () => {
    const hand = handEstimate(KWS);
    const over = await gateJson([KWS, '--board', 'nano33ble', '--max-ram', `${hand.ram - 1}`]);
    expect(over.code).toBe(1);
    const ram = over.report.targets[0].checks.find((c) => c.id === 'ram')!;
    expect(ram.status).toBe('fail');
    expect(ram.message).toMatch(/exceeds the budget .* by 1 B/);
    const never = await gateJson([
      KWS,
      '--board',
      'nano33ble',
      '--max-ram',
      `${hand.ram - 1}`,
      '--fail-on',
      'never',
    ]);
    expect(never.code).toBe(0);
  });

  test('inside the headroom margin warns; fail-on warning turns that into a failure', async () => {
    const hand = handEstimate(KWS);
    const budget = String(Math.ceil(hand.flash * 1.05));
    const warn = await gateJson([KWS, '--board', 'nano33ble', '--max-flash', budget]);
    expect(warn.report.targets[0].checks.find((c) => c.id === 'flash')!.status).toBe('warn');
    expect(warn.code).toBe(0);
    const strict = await gateJson([
      KWS,
      '--board',
      'nano33ble',
      '--max-flash',
      budget,
      '--fail-on',
      'warning',
    ]);
    expect(strict.code).toBe(1);
  });

  test('several boards are checked separately', async () => {
    const { report } = await gateJson([VWW, '--board', 'pico', '--board', 'esp32s3']);
    expect(report.targets.map((t) => t.target)).toEqual(['pico', 'esp32s3']);
  });

  test('a baseline model shows the change of every figure', async () => {
    const { report } = await gateJson([KWS, '--board', 'nano33ble', '--baseline', AD]);
    const flash = report.targets[0].checks.find((c) => c.id === 'flash')!;
    expect(flash.baseline).toBe(handEstimate(AD).flash);
    const { stdout } = await runCli(['gate', KWS, '--board', 'nano33ble', '--baseline', AD]);
    const delta = handEstimate(KWS).flash - handEstimate(AD).flash;
    expect(stdout).toContain(delta > 0 ? '+' : '−');
    expect(stdout).toMatch(/Change vs base/);
  });

  test('a baseline gate report works as well as a model, and the written report validates', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-gate-'));
    const reportPath = path.join(dir, 'gate-report.json');
    await runCli(['gate', AD, '--board', 'nano33ble', '--report', reportPath]);
    const { report } = await gateJson([KWS, '--board', 'nano33ble', '--baseline', reportPath]);
    expect(report.baseline?.source).toBe(reportPath);
    expect(report.targets[0].checks.find((c) => c.id === 'flash')!.baseline).toBe(
      handEstimate(AD).flash,
    );
    fs.rmSync(dir, { recursive: true });
  });

  test('a model with an op the runtime lacks fails the op-support check, naming the op', async () => {
    const { code, report } = await gateJson([
      referencePath('tflm/examples/keyword_scrambled.tflite'),
      '--board',
      'nano33ble',
    ]);
    const ops = report.targets[0].checks.find((c) => c.id === 'ops')!;
    expect(ops.status).toBe('fail');
    expect(ops.message).toMatch(/SVDF/);
    expect(code).toBe(1);
  });
});

describe('constraint gate: accuracy on the fixture model', () => {
  const FIX = path.resolve(__dirname, '../../action-fixtures');
  const model = path.join(FIX, 'models/digits_int8.tflite');
  const labels = path.join(FIX, 'data/digits_val_labels.npy');

  test('accuracy on the validation set against min-accuracy, and the drop against a baseline accuracy', async () => {
    const ok = await gateJson([
      model,
      '--board',
      'pico',
      '--dataset',
      path.join(FIX, 'data/digits_val.npy'),
      '--labels',
      labels,
      '--min-accuracy',
      '90%',
    ]);
    const acc = ok.report.targets[0].checks.find((c) => c.id === 'accuracy')!;
    expect(acc.figure!.value).toBeCloseTo(281 / 300, 10); // 93.7%, as the fixture script measured
    expect(ok.code).toBe(0);
    const strict = await gateJson([
      model,
      '--board',
      'pico',
      '--dataset',
      path.join(FIX, 'data/digits_val.npy'),
      '--labels',
      labels,
      '--min-accuracy',
      '95%',
    ]);
    expect(strict.code).toBe(1);
    const drop = await gateJson([
      model,
      '--board',
      'pico',
      '--dataset',
      path.join(FIX, 'data/digits_val.npy'),
      '--labels',
      labels,
      '--baseline',
      model,
      '--baseline-accuracy',
      '0.97',
      '--max-accuracy-drop',
      '1%',
    ]);
    expect(drop.report.targets[0].checks.find((c) => c.id === 'accuracy-drop')!.status).toBe(
      'fail',
    );
  });

  test('a dataset whose samples do not match the model input fails naming both sizes', async () => {
    const wrong = path.join(FIX, 'data/digits_val_labels.npy'); // 300 values: not a multiple of 196
    const { code, stderr } = await runCli([
      'gate',
      model,
      '--board',
      'pico',
      '--dataset',
      wrong,
      '--labels',
      labels,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /holds 300 values \(shape \[300\]\), not a whole number of samples of 196 values/,
    );
  });
});

describe('constraint gate: bad input', () => {
  test('an unknown board gets a close-match suggestion', async () => {
    const { code, stderr } = await runCli(['gate', KWS, '--board', 'nano33-ble']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Unknown board "nano33-ble": did you mean "nano33ble"\?/);
  });

  test('an ambiguous size unit is refused with the fix', async () => {
    const { code, stderr } = await runCli([
      'gate',
      KWS,
      '--board',
      'nano33ble',
      '--max-ram',
      '64K',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/"64K" is ambiguous/);
    expect(stderr).toMatch(/64KiB/);
  });

  test('a missing model and a file that is not TFLite', async () => {
    const missing = await runCli(['gate', '/nope/model.tflite', '--board', 'nano33ble']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Model file not found: \/nope\/model.tflite/);
    const notModel = await runCli([
      'gate',
      path.resolve(__dirname, 'gate.test.ts'),
      '--board',
      'nano33ble',
    ]);
    expect(notModel.stderr).toMatch(/is not a TFLite model/);
    expect(notModel.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  test('an invalid tinyops.yml names the key path and the line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-gate-'));
    const cfg = path.join(dir, 'tinyops.yml');
    fs.writeFileSync(
      cfg,
      `model: ${KWS}\ntargets:\n  - board: nano33ble\nbudgets:\n  max-ram: 64KiB\n  max-rom: 1MiB\n`,
    );
    const { code, stderr } = await runCli(['gate', '--config', cfg]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/budgets: unknown key "max-rom"; allowed: max-flash, max-ram/);
    expect(stderr).toMatch(/tinyops\.yml:6:3/);
    fs.rmSync(dir, { recursive: true });
  });

  test('no board anywhere is a clear error; a bad --fail-on is a usage error (exit 2)', async () => {
    const none = await runCli(['gate', KWS]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No target board/);
    const usage = await runCli(['gate', KWS, '--board', 'pico', '--fail-on', 'sometimes']);
    expect(usage.code).toBe(2);
  });
});
