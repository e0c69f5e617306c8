import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { liveQemuCount } from '../../shared/hil/qemu';
import { HIL_REPORT_SCHEMA } from '../../shared/hil/report';
import { QEMU_MPS2_AN386_ARGS } from '../../shared/build/qemu';
import { validateWithSchema } from '../../shared/config/validate';
import { readNpyFile, writeNpyFile } from '../../shared/data';
import type { TinyOpsError } from '../../shared/errors';
import { goldenCases, HAVE_REFERENCE, referencePath } from '../helpers/reference';
import { runCli } from '../helpers/cli';
import { seededBytes } from '../../shared/util/prng';
import {
  runOnQemu,
  runOverSerial,
  buildHarnessFirmware,
  HAVE_FIRMWARE_TOOLS,
  qemuProcessesFor,
} from './firmware';

/** hil-test against real firmware: the template's UART harness cross-compiled with
 * arm-none-eabi-gcc, run on QEMU's mps2-an386 (the qemu backend) and reached through a pty (the
 * serial backend, a real tty as a board's would be). Firmware built to fault, hang or send noise
 * must fail with a clear message, in time, with no QEMU left behind. */

if (!HAVE_FIRMWARE_TOOLS)
  console.warn(
    'arm-none-eabi-gcc, cmake, ninja or qemu-system-arm missing: hil device tests skipped',
  );
const describeDevice = HAVE_FIRMWARE_TOOLS ? describe : describe.skip;
const describeDeviceWithReference =
  HAVE_FIRMWARE_TOOLS && HAVE_REFERENCE ? describe : describe.skip;

const FIXTURES = path.resolve(__dirname, '../../action-fixtures');
const DIGITS = path.join(FIXTURES, 'models/digits_int8.tflite');
const DIGITS_VAL = path.join(FIXTURES, 'data/digits_val.npy');
const DIGITS_LABELS = path.join(FIXTURES, 'data/digits_val_labels.npy');

let work = '';
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-hil-'));
});
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function expectNoQemuLeft(elf: string) {
  expect(liveQemuCount()).toBe(0);
  expect(qemuProcessesFor(elf)).toEqual([]);
}

/** QEMU as "the board" for the serial backend: its UART on a new pty (a real tty, as a board's
 * would be), its monitor on a unix socket (for a reset command). Resolves to the pty's path. */
let board: ChildProcess | null = null;
async function startBoard(elf: string, monitor: string): Promise<string> {
  const args = QEMU_MPS2_AN386_ARGS.map((a) => (a === 'stdio' ? 'pty' : a));
  args[args.indexOf('-monitor') + 1] = `unix:${monitor},server,nowait`;
  const qemu = spawn('qemu-system-arm', [...args, '-kernel', elf], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  board = qemu;
  return new Promise((resolve, reject) => {
    let text = '';
    const take = (d: Buffer) => {
      text += d.toString();
      const found = /redirected to (\/dev\/pts\/\d+)/.exec(text);
      if (found) resolve(found[1]);
    };
    qemu.stdout!.on('data', take);
    qemu.stderr!.on('data', take);
    qemu.on('exit', () => reject(new Error(`QEMU exited: ${text}`)));
  });
}

/** Seeded int8 samples: the same data on every run. */
const randomInt8 = (count: number, size: number, seed: number) =>
  new Int8Array(seededBytes(seed, count * size).buffer);

describeDeviceWithReference('kws01 on QEMU through the harness', () => {
  let elf = '';
  const gc = () => goldenCases().find((c) => c.name === 'kws01_ref_int8')!;
  /** The five golden inputs, then 100 seeded ones. */
  let dataset = '';
  beforeAll(async () => {
    elf = await buildHarnessFirmware(
      work,
      'kws01',
      referencePath('mlperf-tiny/kws01_ref_int8.tflite'),
    );
    const golden = gc();
    const size = golden.inputs[0][0].length;
    const data = new Int8Array(105 * size);
    golden.inputs.forEach((inp, k) =>
      data.set(new Int8Array(inp[0].buffer, inp[0].byteOffset, size), k * size),
    );
    data.set(randomInt8(100, size, 7), 5 * size);
    dataset = path.join(work, 'kws-105.npy');
    writeNpyFile(dataset, { dtype: 'int8', shape: [105, 49, 10, 1], data });
  });

  test('the five golden inputs and 100 unseen ones: every output bit-exact, the goldens equal TFLite Micro', async () => {
    const golden = gc();
    const outputs = path.join(work, 'kws-out.npy');
    const report = await runOnQemu(
      elf,
      referencePath('mlperf-tiny/kws01_ref_int8.tflite'),
      dataset,
      {
        outputsPath: outputs,
      },
    );
    validateWithSchema(HIL_REPORT_SCHEMA, report, { code: 'T', source: 'report' });
    expect(report.status).toBe('pass');
    expect(report.agreement).toMatchObject({
      mode: 'bytes',
      samples: 105,
      exact: 105,
      mismatchedElements: 0,
    });
    expect(report.agreement.mismatches).toEqual([]);
    expect(report.download).toBe('host-file');
    expect(report.device).toMatchObject({
      name: 'tinyops',
      modelId: 'kws01_ref_int8',
      protocol: 1,
    });
    // The device's own outputs for the golden inputs are TFLite Micro's, byte for byte.
    const dev = readNpyFile(outputs);
    expect(dev.shape).toEqual([105, 12]);
    golden.outputs.forEach((out, k) => {
      expect(Buffer.from(Int8Array.from(dev.data.slice(k * 12, k * 12 + 12)).buffer)).toEqual(out);
    });
    // -icount: instructions, labelled as a proxy, the same order as the self-test's count.
    expect(report.latency!.unit).toBe('instructions');
    expect(report.latency!.proxy).toBe(true);
    expect(report.latency!.samples).toBe(105);
    // 2.66M MACs: millions of instructions (the next test pins the count to the self-test's).
    expect(report.latency!.perInference.min).toBeGreaterThan(2.66e6);
    expect(report.latency!.perInference.max).toBeLessThan(1e8);
    expect(report.latency!.estimatedMs!.median).toBeCloseTo(
      report.latency!.perInference.median / 25_000,
      6,
    );
    expectNoQemuLeft(elf);
  });

  test("the harness's instruction count matches the self-test's for the same input", async () => {
    const input = path.join(work, 'kws-golden0.bin');
    fs.writeFileSync(input, gc().inputs[0][0]);
    const one = path.join(work, 'kws-golden0.npy');
    writeNpyFile(one, {
      dtype: 'int8',
      shape: [1, 49, 10, 1],
      data: new Int8Array(gc().inputs[0][0]),
    });
    const model = referencePath('mlperf-tiny/kws01_ref_int8.tflite');
    const report = await runOnQemu(elf, model, one);
    const selftest = await buildHarnessFirmware(work, 'kws01-selftest', model, {}, input);
    const run = spawnSync('qemu-system-arm', [...QEMU_MPS2_AN386_ARGS, '-kernel', selftest], {
      encoding: 'latin1',
      timeout: 60_000,
    });
    const counted = Number(/m-instructions-(\d+)/.exec(run.stdout)?.[1]);
    // The self-test also reads the timer around every operator (its per-op profile); the harness
    // does not, so it counts a few instructions per operator fewer.
    const harness = report.latency!.perInference.median;
    expect(harness).toBeLessThanOrEqual(counted);
    expect(counted - harness).toBeLessThan(20 * 13);
  });

  test('the same 105 inputs through the serial backend: a pty to the QEMU board', async () => {
    const port = await startBoard(elf, path.join(work, 'kws-monitor.sock'));
    try {
      const report = await runOverSerial(
        { port },
        elf,
        referencePath('mlperf-tiny/kws01_ref_int8.tflite'),
        dataset,
      );
      expect(report.link).toBe(`${port} at 115200 baud`);
      expect(report.download).toBe('uart');
      expect(report.agreement).toMatchObject({ mode: 'bytes', samples: 105, exact: 105 });
    } finally {
      board?.kill('SIGKILL');
      board = null;
    }
  });

  test('a firmware built for another model is refused before streaming, naming both sizes', async () => {
    const err = (await runOnQemu(elf, DIGITS, DIGITS_VAL).catch((e) => e)) as TinyOpsError;
    expect(err.code).toBe('HIL_MISMATCH');
    expect(err.message).toMatch(
      /firmware's model input is int8 490 bytes but the --model's is int8 196 bytes/,
    );
    expectNoQemuLeft(elf);
  });
});

describeDeviceWithReference(
  'the MLPerf Tiny models on QEMU: every DSP kernel path bit-exact',
  () => {
    // vww01 (MobileNet: a 3-channel first conv, strided depthwise, 1x1 convs), ic01 (ResNet: 3x3
    // convs of up to 576-element fields, ADD) and ad01 (fully connected, units in pairs): seeded
    // inputs through the harness, compared byte for byte with the host.
    test.each([
      ['vww01_96_int8', [96, 96, 3]],
      ['ic01_resnet_quant', [32, 32, 3]],
      ['ad01_int8', [640]],
    ])('%s', async (name, shape) => {
      const model = referencePath(`mlperf-tiny/${name}.tflite`);
      const elf = await buildHarnessFirmware(work, name as string, model);
      const size = (shape as number[]).reduce((a, b) => a * b, 1);
      const dataset = path.join(work, `${name}-8.npy`);
      writeNpyFile(dataset, {
        dtype: 'int8',
        shape: [8, ...(shape as number[])],
        data: randomInt8(8, size, 3),
      });
      const report = await runOnQemu(elf, model, dataset);
      expect(report.agreement.mismatches).toEqual([]);
      expect(report.agreement.exact).toBe(8);
      expectNoQemuLeft(elf);
    });
  },
);

describeDevice(
  'the digits fixture on QEMU: accuracy, the CLI, the serial backend and failures',
  () => {
    let elf = '';
    beforeAll(async () => {
      elf = await buildHarnessFirmware(work, 'digits', DIGITS);
    });

    test('tinyops hil: accuracy on the device equals the host, report written and valid', async () => {
      const reportPath = path.join(work, 'hil-report.json');
      const r = await runCli([
        'hil',
        '--firmware',
        elf,
        '--board',
        'qemu-mps2-an386',
        '--model',
        DIGITS,
        '--dataset',
        DIGITS_VAL,
        '--labels',
        DIGITS_LABELS,
        '--limit',
        '120',
        // The harness's own download (db load + db HEX) rather than the semihosting shortcut.
        '--download',
        'uart',
        '--report',
        reportPath,
      ]);
      expect(r.stderr).toMatch(/hil 120\/120 \(100%\)/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/hil-test PASS: 120 samples through QEMU mps2-an386/);
      expect(r.stdout).toMatch(/120\/120 samples bit-exact with the host interpreter/);
      const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
      validateWithSchema(HIL_REPORT_SCHEMA, report, { code: 'T', source: reportPath });
      expect(report.download).toBe('uart');
      expect(report.accuracy.labelled).toBe(120);
      expect(report.accuracy.device).toBe(report.accuracy.host);
      expect(report.accuracy.device).toBeGreaterThan(0.85);
      expectNoQemuLeft(elf);
    });

    test('a plain MLPerf Tiny port (no TinyOps commands): compared on its printed values, timed by m-lap-us', async () => {
      const plain = await buildHarnessFirmware(work, 'digits-plain', DIGITS, {
        HARNESS_EXTENSIONS: 'OFF',
      });
      const report = await runOnQemu(plain, DIGITS, DIGITS_VAL, {
        labels: DIGITS_LABELS,
        limit: 30,
      });
      expect(report.device.protocol).toBeNull();
      expect(report.status).toBe('pass');
      expect(report.agreement).toMatchObject({ mode: 'printed', exact: 30, top1: 1 });
      expect(report.latency).toMatchObject({ unit: 'us', proxy: true, samples: 30 });
      // Virtual microseconds under -icount (64 ns per instruction): the extended build's
      // instruction count, plus the input copy and loop inside the timed m-lap-us span.
      const counted = await runOnQemu(elf, DIGITS, DIGITS_VAL, {
        limit: 30,
      });
      const expectedUs = (counted.latency!.perInference.median * 64) / 1000;
      expect(report.latency!.perInference.median).toBeGreaterThanOrEqual(Math.floor(expectedUs));
      expect(report.latency!.perInference.median).toBeLessThan(expectedUs * 1.1);
      expectNoQemuLeft(plain);
    });

    describe('serial backend through a pty', () => {
      afterEach(() => {
        board?.kill('SIGKILL');
        board = null;
      });

      test('attaches to a running board, and after a reset command, with the same agreement', async () => {
        const monitor = path.join(work, 'monitor.sock');
        const port = await startBoard(elf, monitor);
        // A board that booted long ago: probed, no banner.
        const attached = await runOverSerial({ port }, elf, DIGITS, DIGITS_VAL, {
          labels: DIGITS_LABELS,
          limit: 100,
        });
        expect(attached.status).toBe('pass');
        expect(attached.agreement.exact).toBe(100);
        expect(attached.link).toBe(`${port} at 115200 baud`);
        // Flash (a real command: it checks the image exists) and reset through QEMU's monitor.
        const reset = `python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'system_reset\\n')" ${monitor}`;
        const afterReset = await runOverSerial(
          { port, flashCommand: 'test -s {elf}', resetCommand: reset },
          elf,
          DIGITS,
          DIGITS_VAL,
          { labels: DIGITS_LABELS, limit: 20 },
        );
        expect(afterReset.status).toBe('pass');
        expect(afterReset.accuracy).toEqual({
          ...attached.accuracy,
          labelled: 20,
          device: afterReset.accuracy!.host,
          host: afterReset.accuracy!.host,
        });
        // The figures do not depend on the link: the same instruction counts as over the pipe
        // (the timer restarts right before each inference; the check allows one count of slack).
        const overQemu = await runOnQemu(elf, DIGITS, DIGITS_VAL, {
          labels: DIGITS_LABELS,
          limit: 20,
        });
        const a = afterReset.latency!.perInference;
        const b = overQemu.latency!.perInference;
        for (const k of ['min', 'median', 'p95', 'max'] as const)
          expect(Math.abs(a[k] - b[k])).toBeLessThanOrEqual(1);
      });

      test('a flash command that fails stops the run with its output', async () => {
        const err = (await runOverSerial(
          { port: '/dev/null', flashCommand: 'echo "no probe found" >&2; exit 3' },
          elf,
          DIGITS,
          DIGITS_VAL,
        ).catch((e) => e)) as TinyOpsError;
        expect(err.code).toBe('HIL_FLASH');
        expect(err.message).toMatch(/exit 3/);
        expect(err.message).toMatch(/no probe found/);
      });

      test('a port that is not a terminal is refused', async () => {
        const err = (await runOverSerial({ port: DIGITS_VAL }, elf, DIGITS, DIGITS_VAL).catch(
          (e) => e,
        )) as TinyOpsError;
        expect(err.code).toBe('HIL_NO_PORT');
      });
    });

    describe('firmware that misbehaves fails with a clear message, in time, leaving no QEMU', () => {
      const run = (firmware: string, timeoutS = 3) =>
        runOnQemu(firmware, DIGITS, DIGITS_VAL, { sampleTimeoutMs: timeoutS * 1000 }).catch(
          (e) => e as TinyOpsError,
        );

      test('a HardFault: where (the function) and why (the fault status), for sample 0', async () => {
        const faulty = await buildHarnessFirmware(work, 'digits-fault', DIGITS, {
          INJECT_FAULT: 'fault',
        });
        const t0 = Date.now();
        const err = (await run(faulty)) as TinyOpsError;
        expect(Date.now() - t0).toBeLessThan(10_000);
        expect(err.code).toBe('HIL_FAULT');
        expect(err.message).toMatch(
          /The firmware crashed during `infer 1 0%` \(sample 0, .*digits_val\.npy\[0\]\)/,
        );
        // The symbol table names the function (the fault hook is inlined into the harness loop).
        expect(err.message).toMatch(
          /HardFault at pc=0x[0-9a-f]{8} in app_harness\+0x[0-9a-f]+ called from/,
        );
        expect(err.message).toMatch(/PRECISERR: precise data bus error at address 0x5ffffff0/);
        expect(err.hint).toMatch(/addr2line/);
        expectNoQemuLeft(faulty);
      });

      test('a hang: the per-sample timeout names the command and the sample', async () => {
        const hung = await buildHarnessFirmware(work, 'digits-hang', DIGITS, {
          INJECT_FAULT: 'hang',
        });
        const t0 = Date.now();
        const err = (await run(hung, 2)) as TinyOpsError;
        const took = Date.now() - t0;
        expect(err.code).toBe('HIL_TIMEOUT');
        expect(err.message).toMatch(/No reply to `infer 1 0%` \(sample 0, .*\) within 2\.0 s/);
        expect(took).toBeGreaterThanOrEqual(2000);
        expect(took).toBeLessThan(10_000);
        expectNoQemuLeft(hung);
      });

      test('a cancelled run (SIGTERM to the CLI) takes its QEMU with it', async () => {
        const hung = await buildHarnessFirmware(work, 'digits-hang2', DIGITS, {
          INJECT_FAULT: 'hang',
        });
        const cli = spawn(
          process.execPath,
          [
            path.resolve(__dirname, '../../bin/tinyops.js'),
            'hil',
            '--firmware',
            hung,
            '--board',
            'qemu-mps2-an386',
            '--model',
            DIGITS,
            '--dataset',
            DIGITS_VAL,
            '--timeout',
            '600',
          ],
          { stdio: 'ignore' },
        );
        const exited = new Promise<string | null>((resolve) =>
          cli.on('exit', (_code, signal) => resolve(signal)),
        );
        // Wait until its QEMU runs (the hang comes at the first inference).
        const deadline = Date.now() + 20_000;
        while (qemuProcessesFor(hung).length === 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        expect(qemuProcessesFor(hung)).toHaveLength(1);
        cli.kill('SIGTERM');
        expect(await exited).toBe('SIGTERM');
        const gone = Date.now() + 5000;
        while (qemuProcessesFor(hung).length > 0 && Date.now() < gone)
          await new Promise((r) => setTimeout(r, 50));
        expect(qemuProcessesFor(hung)).toEqual([]);
      });

      test('noise instead of the protocol', async () => {
        const noisy = await buildHarnessFirmware(work, 'digits-garbage', DIGITS, {
          INJECT_FAULT: 'garbage',
        });
        const err = (await run(noisy)) as TinyOpsError;
        expect(err.code).toBe('HIL_GARBAGE');
        expect(err.message).toMatch(
          /The device answered `infer 1 0%` \(sample 0, .*\) with (bytes that are not text|a line of over)/,
        );
        expect(err.hint).toMatch(/baud rate/);
        expectNoQemuLeft(noisy);
      });

      test('a self-test build is recognised and the fix named', async () => {
        const input = path.join(work, 'digit.bin');
        fs.writeFileSync(input, Buffer.alloc(196));
        const selftest = await buildHarnessFirmware(work, 'digits-selftest', DIGITS, {}, input);
        const err = (await run(selftest)) as TinyOpsError;
        expect(err.code).toBe('HIL_BOOT');
        expect(err.message).toMatch(/exited with code 0/);
        expect(err.hint).toMatch(/self-test build/);
        expectNoQemuLeft(selftest);
      });
    });
  },
);
