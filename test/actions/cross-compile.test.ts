import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runAction } from '../helpers/run-action';
import { describeWithReference, referencePath } from '../helpers/reference';

const HAVE_TOOLS = ['arm-none-eabi-gcc', 'cmake', 'ninja'].every(
  (c) => spawnSync(c, ['--version']).status === 0,
);

(HAVE_TOOLS ? describeWithReference : describe.skip)(
  'cross-compile action (bundled dist, run as the runner runs it)',
  () => {
    let work: string;
    beforeAll(() => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-xc-'));
      fs.copyFileSync(
        referencePath('mlperf-tiny/kws01_ref_int8.tflite'),
        path.join(work, 'kws.tflite'),
      );
      fs.copyFileSync(
        referencePath('mlperf-tiny/ic01_resnet_large_float32.tflite'),
        path.join(work, 'big.tflite'),
      );
    });
    afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

    test('builds the template for the QEMU board: artifacts, outputs, the matcher and the section table', async () => {
      const run = await runAction(
        'cross-compile',
        {
          board: 'qemu-mps2-an386',
          model: 'kws.tflite',
          'out-dir': 'fw',
          'install-toolchain': 'false',
        },
        { cwd: work },
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/::add-matcher::.*gcc-matcher\.json/);
      for (const f of ['firmware.elf', 'firmware.bin', 'firmware.hex', 'build-report.json'])
        expect(fs.existsSync(path.join(work, 'fw', f))).toBe(true);
      expect(run.outputs['report-path']).toBe('fw/build-report.json');
      // The plan's 16,000 B plus the harness's download buffer for one 490-byte input (to 16).
      expect(run.outputs['arena-bytes']).toBe('16496');
      expect(Number(run.outputs['flash-bytes'])).toBeGreaterThan(53936);
      expect(run.summary).toMatch(/\| Flash \(text \+ data\) \|/);
      expect(run.summary).toContain('`.text`');
    });

    test('a model that does not fit fails at link time with the linker message as an error', async () => {
      const run = await runAction(
        'cross-compile',
        {
          board: 'nrf52840',
          model: 'big.tflite',
          'out-dir': 'fw-big',
          'install-toolchain': 'false',
        },
        { cwd: work },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/region `FLASH' overflowed by \d+ bytes/); // the linker's line, for the matcher
      expect(run.stdout).toMatch(
        /::error::The firmware does not fit: FLASH overflowed by \d+ bytes/,
      );
      expect(fs.existsSync(path.join(work, 'fw-big', 'firmware.elf'))).toBe(false);
    });
  },
);
