// `node scripts/run-ts.mjs scripts/calibrate-latency.ts`: measures the TinyOps runtime's
// instructions per operator on the emulated Cortex-M4F (QEMU mps2-an386, -icount) for the four
// MLPerf Tiny int8 models and fits, per kernel family, instructions = a x MACs + b x outputs by
// least squares. shared/analyze/latency.ts holds the result (TINYOPS_M4); run this again when the
// kernels change. Needs ../shared/reference-models, arm-none-eabi-gcc, CMake, Ninja and QEMU.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildFirmware } from '../shared/build/build';
import { QEMU_MPS2_AN386_ARGS } from '../shared/build/qemu';
import { loadModelFile } from '../shared/tflite';
import { opCosts, type OpCost } from '../shared/analyze/cost';
import { REFERENCE_DIR } from '../bench/reference';

const MODELS = ['kws01_ref_int8', 'vww01_96_int8', 'ic01_resnet_quant', 'ad01_int8'];

interface Sample {
  model: string;
  cost: OpCost;
  instructions: number;
}

async function measure(work: string, name: string): Promise<Sample[]> {
  const model = path.join(REFERENCE_DIR, 'mlperf-tiny', `${name}.tflite`);
  const input = path.join(REFERENCE_DIR, 'golden', name, 'input-0.bin');
  const outDir = path.join(work, name);
  await buildFirmware({
    board: 'qemu-mps2-an386',
    modelPath: model,
    outDir,
    templateDir: path.resolve('firmware-template'),
    selftestInput: input,
  });
  const run = spawnSync(
    'qemu-system-arm',
    [...QEMU_MPS2_AN386_ARGS, '-kernel', path.join(outDir, 'firmware.elf')],
    {
      encoding: 'latin1',
      timeout: 120_000,
    },
  );
  const ticks = /m-op-ticks-\[([0-9,]*)\]/.exec(run.stdout)?.[1].split(',').map(Number);
  if (!ticks) throw new Error(`${name}: no per-op ticks in ${run.stdout}`);
  const costs = opCosts(loadModelFile(model).model);
  // -icount shift=6: the 25 MHz timer advances 1.6 ticks per instruction.
  return costs.map((cost, i) => ({ model: name, cost, instructions: (ticks[i] * 40) / 64 }));
}

/** Least squares for y = a x1 + b x2 (no intercept), weighted by 1/y: the big ops, which make up most of a model, count more. */
function fit(rows: Array<[number, number, number]>): [number, number] {
  let s11 = 0,
    s12 = 0,
    s22 = 0,
    s1y = 0,
    s2y = 0;
  for (const [x1, x2, y] of rows) {
    const w = 1 / y; // between relative (1/y²) and absolute (1) weighting: big ops count more
    s11 += w * x1 * x1;
    s12 += w * x1 * x2;
    s22 += w * x2 * x2;
    s1y += w * x1 * y;
    s2y += w * x2 * y;
  }
  if (s22 === 0) return [s1y / s11, 0];
  const det = s11 * s22 - s12 * s12;
  return [(s1y * s22 - s2y * s12) / det, (s2y * s11 - s1y * s12) / det];
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-calibrate-'));
  try {
    const samples = (await Promise.all(MODELS.map((m) => measure(work, m)))).flat();
    for (const family of ['conv', 'depthwise', 'fc'] as const) {
      const rows = samples
        .filter((s) => s.cost.family === family && s.cost.macs > 0)
        .map((s): [number, number, number] => [s.cost.macs, s.cost.outputBytes, s.instructions]);
      // Every depthwise layer here is 3x3 (MACs = 9 x outputs): the two terms cannot be told
      // apart, so that family gets one per-MAC figure.
      const [a, b] =
        family === 'depthwise' ? [fit(rows.map(([m, , y]) => [m, 0, y]))[0], 0] : fit(rows);
      console.log(
        `${family}: ${a.toFixed(3)} instructions per MAC + ${b.toFixed(1)} per output (${rows.length} ops)`,
      );
    }
    for (const family of ['pool', 'elementwise', 'softmax'] as const) {
      const rows = samples
        .filter((s) => s.cost.family === family && s.cost.elementOps > 0)
        .map((s): [number, number, number] => [s.cost.elementOps, 0, s.instructions]);
      if (rows.length)
        console.log(
          `${family}: ${fit(rows)[0].toFixed(2)} instructions per element (${rows.length} ops)`,
        );
    }
    for (const m of MODELS) {
      const total = samples.filter((s) => s.model === m).reduce((t, s) => t + s.instructions, 0);
      console.log(
        `${m}: ${Math.round(total).toLocaleString('en-US')} instructions in its operators`,
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main();
