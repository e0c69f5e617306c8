import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli';
import { runAction } from '../helpers/run-action';
import { buildFirmware } from '../../shared/build/build';
import { defaultTemplateDir } from '../../shared/build/template-dir';
import { runHil } from '../../shared/hil/run';
import { HIL_REPORT_SCHEMA, type HilReport } from '../../shared/hil/report';
import { writeReport } from '../../shared/report/io';
import { measuredFromHilReport } from '../../shared/gate/measured';
import type { GateReport } from '../../shared/gate/run';

// The gate on a real hil-test report: the digits fixture's harness firmware run on QEMU.
const HAVE_TOOLS = ['arm-none-eabi-gcc', 'cmake', 'ninja', 'qemu-system-arm'].every(
  (c) => spawnSync(c, ['--version']).status === 0,
);
if (!HAVE_TOOLS)
  console.warn(
    'arm-none-eabi-gcc, cmake, ninja or qemu-system-arm missing: gate hil tests skipped',
  );

const FIX = path.resolve(__dirname, '../../action-fixtures');
const MODEL = path.join(FIX, 'models/digits_int8.tflite');

(HAVE_TOOLS ? describe : describe.skip)('constraint gate with a hil-test report', () => {
  let work: string;
  let hilPath: string;
  let buildPath: string;
  let hil: HilReport;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-gate-hil-'));
    const build = await buildFirmware({
      board: 'qemu-mps2-an386',
      modelPath: MODEL,
      outDir: path.join(work, 'fw'),
      templateDir: defaultTemplateDir(),
    });
    buildPath = path.join(work, 'fw', 'build-report.json');
    hil = await runHil({
      backend: 'qemu',
      firmware: build.artifacts.elf,
      board: 'qemu-mps2-an386',
      model: MODEL,
      dataset: path.join(FIX, 'data/digits_val.npy'),
      labels: path.join(FIX, 'data/digits_val_labels.npy'),
      limit: 20,
    });
    hilPath = path.join(work, 'hil.json');
    writeReport(hilPath, HIL_REPORT_SCHEMA, hil);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const gate = async (args: string[]) => {
    const { code, stdout, stderr } = await runCli(['gate', ...args, '--json']);
    return { code, stderr, report: (stdout ? JSON.parse(stdout) : null) as GateReport };
  };
  const check = (r: GateReport, target: string, id: string) =>
    r.targets.find((t) => t.target === target)!.checks.find((c) => c.id === id)!;

  test('the device accuracy applies to every target, its latency to the board it ran on', async () => {
    expect(hil.status).toBe('pass');
    expect(hil.agreement.exact).toBe(20);
    const device = hil.accuracy!.device;
    const { code, report } = await gate([
      MODEL,
      '--board',
      'nano33ble',
      '--board',
      'qemu-mps2-an386',
      '--hil-report',
      hilPath,
      '--min-accuracy',
      String(device),
    ]);
    expect(code).toBe(0);
    for (const target of ['nano33ble', 'qemu-mps2-an386']) {
      const acc = check(report, target, 'accuracy');
      expect(acc.status).toBe('pass');
      expect(acc.figure).toMatchObject({ value: device, source: 'measured' });
      expect(acc.figure!.basis).toMatch(
        /device top-1 on qemu-mps2-an386 \(qemu, 20 samples of .*digits_val\.npy\).*every target/,
      );
    }
    // QEMU counts instructions: a proxy, so the latency stays an estimate, with its basis.
    const qemuLatency = check(report, 'qemu-mps2-an386', 'latency').figure!;
    expect(qemuLatency).toEqual({
      value: hil.latency!.estimatedMs!.median,
      source: 'estimated',
      basis: expect.stringMatching(/^QEMU instruction count × 1 CPI at 25 MHz, median of 20/),
    });
    expect(qemuLatency.value).toBeCloseTo(hil.latency!.perInference.median / 25_000, 9);
    const nanoLatency = check(report, 'nano33ble', 'latency').figure!;
    expect(nanoLatency.basis).toMatch(/^estimate: /); // the model's, not the QEMU board's
  });

  test('a minimum accuracy above the device figure fails', async () => {
    const above = hil.accuracy!.device + 0.01;
    const { code, report } = await gate([
      MODEL,
      '--board',
      'pico',
      '--hil-report',
      hilPath,
      '--min-accuracy',
      String(above),
    ]);
    expect(code).toBe(1);
    const acc = check(report, 'pico', 'accuracy');
    expect(acc.status).toBe('fail');
    expect(acc.message).toMatch(/is below the minimum/);
  });

  test('a build report and a hil report together: each figure scoped by its own report', async () => {
    const { report } = await gate([
      MODEL,
      '--board',
      'pico',
      '--board',
      'qemu-mps2-an386',
      '--build-report',
      buildPath,
      '--hil-report',
      hilPath,
    ]);
    expect(check(report, 'qemu-mps2-an386', 'flash').figure!.source).toBe('measured');
    expect(check(report, 'pico', 'flash').figure!.source).toBe('estimated');
    expect(check(report, 'qemu-mps2-an386', 'accuracy').figure!.source).toBe('measured');
    expect(check(report, 'pico', 'accuracy').figure!.source).toBe('measured');
  });

  test('when the device disagreed with the host, its accuracy holds for its board only', () => {
    const disagreeing: HilReport = {
      ...hil,
      status: 'fail',
      agreement: { ...hil.agreement, exact: 19, exactFraction: 0.95 },
    };
    const file = path.join(work, 'hil-disagree.json');
    writeReport(file, HIL_REPORT_SCHEMA, disagreeing);
    const [accuracy] = measuredFromHilReport(file);
    expect(accuracy.board).toBe('qemu-mps2-an386');
    expect(accuracy.accuracy!.basis).toMatch(/1 outputs differ .* qemu-mps2-an386 only/);
  });

  test('a report of the wrong kind, or measured on another model, is refused', async () => {
    const wrongKind = await runCli(['gate', MODEL, '--board', 'pico', '--hil-report', buildPath]);
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toContain(`${buildPath} is not a hil report (kind: "build")`);
    const otherModel = await runCli([
      'gate',
      path.join(FIX, 'models/digits_float32.tflite'),
      '--board',
      'pico',
      '--hil-report',
      hilPath,
    ]);
    expect(otherModel.code).toBe(1);
    expect(otherModel.stderr).toMatch(/hil\.json was measured on another model \(.*digits_int8/);
  });

  test('the constraint-gate action takes the report through its hil-report input', async () => {
    const run = await runAction(
      'constraint-gate',
      {
        model: MODEL,
        board: 'nano33ble',
        'hil-report': hilPath,
        'min-accuracy': '99%',
        comment: 'false',
      },
      { cwd: work },
    );
    expect(run.code).toBe(1);
    expect(run.outputs.accuracy).toBe(String(hil.accuracy!.device));
    expect(run.summary).toMatch(/Accuracy/);
    expect(run.stdout).toMatch(
      /::error.*nano33ble: Accuracy: .* is below the minimum of 99\.00%25/,
    );
  });
});
