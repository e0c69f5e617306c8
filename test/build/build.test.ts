import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli';
import { describeWithReference, referencePath } from '../helpers/reference';
import { readReport } from '../../shared/report/io';
import { BUILD_REPORT_SCHEMA, type BuildReport } from '../../shared/build/build';
import { runGate } from '../../shared/gate/run';
import { prepareGate } from '../../shared/gate/prepare';

const HAVE_TOOLS =
  spawnSync('arm-none-eabi-gcc', ['--version']).status === 0 &&
  spawnSync('cmake', ['--version']).status === 0 &&
  spawnSync('ninja', ['--version']).status === 0;
if (!HAVE_TOOLS)
  console.warn(
    'arm-none-eabi-gcc, cmake or ninja missing: firmware build tests are skipped (bash scripts/setup.sh)',
  );

(HAVE_TOOLS ? describeWithReference : describe.skip)('tinyops build', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-build-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('builds the template for the QEMU board; the report equals arm-none-eabi-size and the gate uses it', async () => {
    const dir = path.join(out, 'qemu');
    const { code, stderr } = await runCli([
      'build',
      '--board',
      'qemu-mps2-an386',
      '--model',
      referencePath('mlperf-tiny/kws01_ref_int8.tflite'),
      '--out-dir',
      dir,
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = readReport<BuildReport>(
      path.join(dir, 'build-report.json'),
      BUILD_REPORT_SCHEMA,
      'build',
    );
    const [text, data, bss] = execFileSync(
      'arm-none-eabi-size',
      ['-B', path.join(dir, 'firmware.elf')],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')[1]
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(report.sizes).toEqual({ text, data, bss, flash: text + data, ram: data + bss });
    expect(report.capacity).toEqual({ flash: 4 * 1024 * 1024, ram: 4 * 1024 * 1024 });
    // The model's bytes are in the image: flash holds at least the .tflite.
    expect(report.sizes.flash).toBeGreaterThan(report.model!.bytes);
    const bin = fs.readFileSync(path.join(dir, 'firmware.bin'));
    expect(bin.length).toBeGreaterThan(report.model!.bytes);
    expect(fs.readFileSync(path.join(dir, 'firmware.hex'), 'utf8')).toMatch(/^:[0-9A-F]+\r?\n/);

    // The gate takes the measured figures over its estimates and says so.
    const input = prepareGate({
      model: referencePath('mlperf-tiny/kws01_ref_int8.tflite'),
      boards: ['qemu-mps2-an386'],
    });
    input.measured = [
      {
        flash: { value: report.sizes.flash, source: 'measured', basis: 'build report' },
        ram: { value: report.sizes.ram, source: 'measured', basis: 'build report' },
      },
    ];
    const flash = runGate(input).report.targets[0].checks.find((c) => c.id === 'flash')!;
    expect(flash.figure).toEqual({ value: text + data, source: 'measured', basis: 'build report' });
  });

  test("a model that cannot fit fails at link time with the linker's message, and writes nothing", async () => {
    const dir = path.join(out, 'too-big');
    const { code, stderr } = await runCli([
      'build',
      '--board',
      'nrf52840',
      '--model',
      referencePath('mlperf-tiny/ic01_resnet_large_float32.tflite'),
      '--out-dir',
      dir,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/does not fit: FLASH overflowed by \d+ bytes/);
    expect(stderr).toMatch(/region `FLASH' overflowed/);
    expect(fs.existsSync(path.join(dir, 'firmware.elf'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'build-report.json'))).toBe(false);
  });

  test('an unknown board names the template ports', async () => {
    const { code, stderr } = await runCli([
      'build',
      '--board',
      'esp32',
      '--model',
      referencePath('mlperf-tiny/kws01_ref_int8.tflite'),
      '--out-dir',
      path.join(out, 'x'),
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no port for board "esp32"/);
    expect(stderr).toMatch(/qemu-mps2-an386/);
  });
});
