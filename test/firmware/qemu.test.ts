import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModelFile } from '../../shared/tflite';
import { m4Instructions, opCosts } from '../../shared/analyze';
import { HAVE_REFERENCE, goldenCases, referencePath } from '../helpers/reference';
import {
  buildFirmware,
  haveArmToolchain,
  haveQemu,
  parseSelftest,
  runQemu,
} from './firmware-build';

/** The firmware template cross-compiled with arm-none-eabi-gcc: run under QEMU (mps2-an386,
 * Cortex-M4F) against TFLite Micro's golden outputs, built for every board port, and refused at
 * link time when the model does not fit. */

const CAN_BUILD = haveArmToolchain() && HAVE_REFERENCE;
const CAN_RUN = CAN_BUILD && haveQemu();
if (!haveArmToolchain())
  console.warn('arm-none-eabi-gcc or cmake not found: firmware build tests skipped');
else if (!haveQemu()) console.warn('qemu-system-arm not found: QEMU firmware tests skipped');

const describeBuild = CAN_BUILD ? describe : describe.skip;
const describeRun = CAN_RUN ? describe : describe.skip;
const QEMU_TIMEOUT_MS = 60_000;

const model = (name: string) => referencePath('mlperf-tiny', `${name}.tflite`);
const golden = (name: string) => goldenCases().find((c) => c.name === name)!;

let root = '';
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tor-fw-'));
});
afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});
/** One build dir per board, reused across configurations. */
const dirFor = (board: string) => path.join(root, board);

describeRun('firmware on QEMU mps2-an386', () => {
  const qemu = () => dirFor('qemu-mps2-an386');

  function selftestBuild(name: string, input: string) {
    const b = buildFirmware(qemu(), {
      BOARD: 'qemu-mps2-an386',
      MODEL: model(name),
      SELFTEST_INPUT: input,
      FAULT_SELFTEST: 'OFF',
    });
    if (!b.ok) throw new Error(`build failed:\n${b.output}`);
    return b.elf;
  }

  test('kws01_ref_int8: the five golden inputs give the golden outputs, deterministically', async () => {
    const gc = golden('kws01_ref_int8');
    const counts: number[] = [];
    for (let k = 0; k < gc.inputs.length; k++) {
      const input = path.join(root, `kws-in${k}.bin`);
      fs.writeFileSync(input, gc.inputs[k][0]);
      const elf = selftestBuild('kws01_ref_int8', input);
      const run = await runQemu(elf, QEMU_TIMEOUT_MS);
      expect(run.timedOut).toBe(false);
      expect(run.code).toBe(0);
      const r = parseSelftest(run.stdout);
      expect(r.hex).toBe(gc.outputs[k].toString('hex'));
      expect(r.instructions).toBeGreaterThan(1e6);
      counts.push(r.instructions!);
      if (k === 0) {
        // -icount makes the count exact: a second run gives the same number.
        const again = parseSelftest((await runQemu(elf, QEMU_TIMEOUT_MS)).stdout);
        expect(again.instructions).toBe(r.instructions);
      }
    }
    console.log(`kws01 instructions per inference on QEMU: ${counts.join(', ')}`);
    const modelled = m4Instructions(
      opCosts(loadModelFile(model('kws01_ref_int8')).model),
      'tinyops',
    );
    expect(Math.abs(modelled / counts[0] - 1)).toBeLessThan(0.08);
  });

  test.each(['vww01_96_int8', 'ic01_resnet_quant', 'ad01_int8'])(
    '%s: golden input 0 gives the golden output',
    async (name) => {
      const gc = golden(name);
      const input = path.join(root, `${name}-in0.bin`);
      fs.writeFileSync(input, gc.inputs[0][0]);
      const run = await runQemu(selftestBuild(name, input), QEMU_TIMEOUT_MS);
      expect(run.code).toBe(0);
      const r = parseSelftest(run.stdout);
      expect(r.hex).toBe(gc.outputs[0].toString('hex'));
      console.log(
        `${name} instructions per inference on QEMU: ${r.instructions}, arena ${r.arena} B`,
      );
      // The gate's latency estimate for this runtime is fitted to these counts
      // (scripts/calibrate-latency.ts): a kernel change that moves them needs a new fit.
      const modelled = m4Instructions(opCosts(loadModelFile(model(name)).model), 'tinyops');
      expect(Math.abs(modelled / r.instructions! - 1)).toBeLessThan(0.08);
    },
  );

  test('MLPerf Tiny harness over the UART: db load, db, infer, results', async () => {
    const gc = golden('kws01_ref_int8');
    const b = buildFirmware(qemu(), {
      BOARD: 'qemu-mps2-an386',
      MODEL: model('kws01_ref_int8'),
      SELFTEST_INPUT: '',
      MODEL_ID: 'kws01',
      FAULT_SELFTEST: 'OFF',
    });
    expect(b.ok).toBe(true);
    const replies: Record<string, string> = {};
    const run = await runQemu(b.elf, QEMU_TIMEOUT_MS, async ({ send, waitFor }) => {
      await waitFor(/m-init-done\r\nm-ready\r\n/);
      const cmd = async (c: string) => {
        send(`${c}%`);
        return (replies[c] = await waitFor(/m-ready\r\n/));
      };
      await cmd('name');
      await cmd('profile');
      await cmd('frobnicate');
      await cmd(`db load ${gc.inputs[1][0].length}`);
      const hex = gc.inputs[1][0].toString('hex');
      let last = '';
      for (let i = 0; i < hex.length; i += 62) last = await cmd(`db ${hex.slice(i, i + 62)}`); // 31-byte chunks
      replies.lastdb = last;
      await cmd('infer 2 1');
      await cmd('results');
    });
    expect(run.timedOut).toBe(false);
    expect(replies.name).toContain('m-name-dut-[tinyops]');
    expect(replies.profile).toContain('m-model-[kws01]');
    expect(replies.frobnicate).toContain('e-[Unknown command: frobnicate]');
    expect(replies[`db load ${gc.inputs[1][0].length}`]).toContain('m-[Expecting 490 bytes]');
    expect(replies.lastdb).toContain('m-load-done');
    expect(replies['infer 2 1']).toMatch(
      /m-warmup-start-1\r\nm-warmup-done\r\nm-infer-start-2\r\nm-lap-us-\d+\r\nm-lap-us-\d+\r\nm-infer-done\r\nm-results-\[/,
    );
    // The results are golden output 1, dequantized with the output tensor's parameters.
    const { model: ir } = loadModelFile(model('kws01_ref_int8'));
    const sg = ir.subgraphs[0];
    const q = sg.tensors[sg.outputs[0]].quantization!;
    const expected = [
      ...new Int8Array(gc.outputs[1].buffer, gc.outputs[1].byteOffset, gc.outputs[1].length),
    ].map((v) => ((v - q.zeroPoint[0]) * q.scale[0]).toFixed(3));
    const results = /m-results-\[([^\]]*)\]/.exec(replies.results)![1].split(',');
    expect(results).toEqual(expected);
  });

  test('RUNTIME_OPS builds only the listed operators; a model needing another is refused', async () => {
    const gc = golden('kws01_ref_int8');
    const input = path.join(root, 'kws-ops-in0.bin');
    fs.writeFileSync(input, gc.inputs[0][0]);
    const vars = {
      BOARD: 'qemu-mps2-an386',
      MODEL: model('kws01_ref_int8'),
      SELFTEST_INPUT: input,
    };
    const seven = 'CONV_2D;DEPTHWISE_CONV_2D;AVERAGE_POOL_2D;RESHAPE;FULLY_CONNECTED;SOFTMAX;ADD';
    try {
      const ok = buildFirmware(qemu(), { ...vars, RUNTIME_OPS: seven });
      expect(ok.ok).toBe(true);
      expect(parseSelftest((await runQemu(ok.elf, QEMU_TIMEOUT_MS)).stdout).hex).toBe(
        gc.outputs[0].toString('hex'),
      );
      const few = buildFirmware(qemu(), { ...vars, RUNTIME_OPS: 'CONV_2D' });
      expect(few.ok).toBe(true);
      const run = await runQemu(few.elf, QEMU_TIMEOUT_MS);
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('e-[init: unsupported operator op=1]'); // op 1 is DEPTHWISE_CONV_2D
    } finally {
      buildFirmware(qemu(), { ...vars, RUNTIME_OPS: '' });
    }
  });

  test('a HardFault prints the faulting PC and CFSR over the UART and exits non-zero', async () => {
    const b = buildFirmware(qemu(), {
      BOARD: 'qemu-mps2-an386',
      MODEL: model('kws01_ref_int8'),
      SELFTEST_INPUT: '',
      FAULT_SELFTEST: 'ON',
    });
    expect(b.ok).toBe(true);
    const run = await runQemu(b.elf, QEMU_TIMEOUT_MS);
    expect(run.code).toBe(99);
    // A precise bus fault (CFSR PRECISERR|BFARVALID) at the address the test hook reads.
    expect(run.stdout).toMatch(
      /e-\[hardfault pc=0x[0-9a-f]{8} lr=0x[0-9a-f]{8} cfsr=0x00008200 hfsr=0x40000000 bfar=0x5ffffff0\]/,
    );
  });
});

describeBuild('firmware builds for every board port', () => {
  const boards = ['qemu-mps2-an386', 'nrf52840', 'stm32f746', 'rp2040'];

  test.each(boards)('%s: kws01 and vww01 link', (board) => {
    for (const name of ['kws01_ref_int8', 'vww01_96_int8']) {
      const b = buildFirmware(dirFor(`${board}-boards`), {
        BOARD: board,
        MODEL: model(name),
        SELFTEST_INPUT: '',
        FAULT_SELFTEST: 'OFF',
        ARENA_SIZE: '81920',
      });
      if (!b.ok) throw new Error(`${board} ${name}: build failed\n${b.output}`);
      expect(fs.statSync(b.elf).size).toBeGreaterThan(0);
      expect(b.output).toMatch(/FLASH:\s+\d+ [KM]?B\s+\d+ [KM]?B/);
    }
  });

  test('a model larger than the flash fails at link time (nrf52840, 1 MB)', () => {
    const b = buildFirmware(dirFor('nrf52840-boards'), {
      BOARD: 'nrf52840',
      MODEL: model('ic01_resnet_large_float32'),
      SELFTEST_INPUT: '',
      ARENA_SIZE: '81920',
    });
    expect(b.ok).toBe(false);
    expect(b.output).toMatch(/region `FLASH' overflowed/);
  });

  test('an arena larger than the RAM fails at link time (nrf52840, 256 KB)', () => {
    const b = buildFirmware(dirFor('nrf52840-boards'), {
      BOARD: 'nrf52840',
      MODEL: model('kws01_ref_int8'),
      SELFTEST_INPUT: '',
      ARENA_SIZE: String(256 * 1024),
    });
    expect(b.ok).toBe(false);
    expect(b.output).toMatch(/region `RAM' overflowed/);
  });
});
