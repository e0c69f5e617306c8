import { QEMU_MPS2_AN386_ARGS } from '../shared/build/qemu';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeModel, withOfflinePlan } from '../shared/analyze';
import { loadModelFile, writeModel } from '../shared/tflite';
import { HAVE_REFERENCE, REFERENCE_DIR } from './reference';
import type { BenchRow } from './table';
import { haveTool, missingTool } from './tools';

/** The firmware template on the emulated Cortex-M4F (QEMU mps2-an386, -icount shift=6): flash
 * and RAM of the firmware without the model, the runtime's own flash, and instructions per
 * inference (a proxy for cycles: QEMU counts instructions, not Cortex-M4 timing), beside
 * DESIGN.md's TFLite Micro figures measured the same way. */

// Bench entries are bundled to a temp file, so paths come from the working directory (the repo root).
const FIRMWARE_DIR = path.resolve(process.cwd(), 'firmware-template');
const QEMU_ARGS = [...QEMU_MPS2_AN386_ARGS];
/** DESIGN.md: TFLite Micro reference kernels / with CMSIS-NN, instructions per inference. */
const TFLM: Record<string, [number, number]> = {
  kws01_ref_int8: [133_971_200, 9_226_493],
  vww01_96_int8: [370_027_933, 28_557_750],
  ic01_resnet_quant: [539_000_860, 41_072_237],
  ad01_int8: [4_069_651, 843_707],
};

const n = (v: number) => v.toLocaleString('en-US');
const run = (cmd: string, args: string[], timeout = 300_000) =>
  spawnSync(cmd, args, { encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 16 << 20 });

/** text+data / data+bss per `arm-none-eabi-size` (Berkeley format), summed over its lines. */
function sizeOf(file: string): { text: number; data: number; bss: number } {
  const out = run('arm-none-eabi-size', ['-t', file]).stdout.trim().split('\n');
  const [text, data, bss] = out[out.length - 1].trim().split(/\s+/).map(Number);
  return { text, data, bss };
}

function symbolSize(elf: string, name: string): number {
  const out = run('arm-none-eabi-nm', ['-S', elf]).stdout;
  const m = new RegExp(`^[0-9a-f]+ ([0-9a-f]+) \\w ${name}$`, 'm').exec(out);
  return m ? parseInt(m[1], 16) : 0;
}

export async function benchFirmware(): Promise<BenchRow[]> {
  if (!HAVE_REFERENCE) return [{ name: 'reference models', value: 'absent: skipped' }];
  const missing = missingTool(['cmake', 'arm-none-eabi-gcc', 'qemu-system-arm']);
  if (missing) return missing;
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'tor-bench-'));
  const rows: BenchRow[] = [];
  try {
    for (const [name, [ref, cmsis]] of Object.entries(TFLM)) {
      const input = path.join(REFERENCE_DIR, 'golden', name, 'input-0.bin');
      // The model as the pipeline ships it: with the analyzer's offline arena plan embedded.
      const { model, bytes } = loadModelFile(
        path.join(REFERENCE_DIR, 'mlperf-tiny', `${name}.tflite`),
      );
      const memory = analyzeModel(model, bytes.length).memory;
      const planned = path.join(build, `${name}.planned.tflite`);
      fs.writeFileSync(planned, writeModel(withOfflinePlan(model, memory.offlineAllocation)));
      const conf = run('cmake', [
        '-S',
        FIRMWARE_DIR,
        '-B',
        build,
        ...(haveTool('ninja') ? ['-G', 'Ninja'] : []),
        `-DMODEL=${planned}`,
        `-DSELFTEST_INPUT=${input}`,
      ]);
      const made = conf.status === 0 ? run('cmake', ['--build', build]) : conf;
      if (made.status !== 0)
        throw new Error(`firmware build failed for ${name}: ${made.stderr || made.stdout}`);
      const elf = path.join(build, 'firmware.elf');
      const q = run('qemu-system-arm', [...QEMU_ARGS, '-kernel', elf], 600_000);
      const instr = Number(/m-instructions-(\d+)/.exec(q.stdout)?.[1] ?? NaN);
      const arena = Number(/m-arena-used-(\d+)/.exec(q.stdout)?.[1] ?? NaN);
      if (q.status !== 0 || !Number.isFinite(instr))
        throw new Error(`QEMU run failed for ${name}: ${q.stdout}`);
      rows.push({
        name: `${name}: instructions/inference (TFLM ref / CMSIS-NN)`,
        value: `${n(instr)} (${n(ref)} / ${n(cmsis)})`,
      });
      rows.push({
        name: `${name}: arena used, offline plan (lower bound)`,
        value: `${n(arena)} B (${n(memory.lowerBound)} B)`,
      });
      if (name === 'kws01_ref_int8') {
        const fw = sizeOf(elf);
        const model = symbolSize(elf, 'g_model');
        const inputBytes = symbolSize(elf, 'selftest_input');
        const arenaBytes = symbolSize(elf, 'app_arena');
        const rt = sizeOf(path.join(build, 'libtor_runtime.a'));
        rows.push({
          name: 'runtime flash, all 17 ops (libtor_runtime.a text+data, M4F)',
          value: `${n(rt.text + rt.data)} B`,
        });
        rows.push({
          name: 'firmware flash without model/input (runtime, app, libc, startup)',
          value: `${n(fw.text + fw.data - model - inputBytes)} B`,
        });
        rows.push({
          name: 'firmware RAM without arena (tables, 8 KB stack, data)',
          value: `${n(fw.data + fw.bss - arenaBytes)} B`,
        });
      }
    }
    // The runtime with only the 7 operators the MLPerf Tiny int8 models use (DESIGN.md's TFLite
    // Micro figure: 48.5 KB with reference kernels).
    const seven = 'CONV_2D;DEPTHWISE_CONV_2D;AVERAGE_POOL_2D;RESHAPE;FULLY_CONNECTED;SOFTMAX;ADD';
    const conf = run('cmake', ['-S', FIRMWARE_DIR, '-B', build, `-DRUNTIME_OPS=${seven}`]);
    const made =
      conf.status === 0 ? run('cmake', ['--build', build, '--target', 'tor_runtime']) : conf;
    if (made.status !== 0) throw new Error(`runtime build failed: ${made.stderr || made.stdout}`);
    const rt7 = sizeOf(path.join(build, 'libtor_runtime.a'));
    rows.push({
      name: 'runtime flash, 7 MLPerf Tiny ops only (TFLM reference: 48.5 KB)',
      value: `${n(rt7.text + rt7.data)} B`,
    });
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
  }
  return rows;
}
