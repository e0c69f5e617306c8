import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildFirmware } from '../shared/build/build';
import { loadModelFile } from '../shared/tflite';
import { writeNpyFile } from '../shared/data';
import { runHil } from '../shared/hil/run';
import { seededBytes } from '../shared/util/prng';
import { openDevice } from '../shared/hil/session';
import { HAVE_REFERENCE, REFERENCE_DIR } from './reference';
import type { BenchRow } from './table';
import { missingTool } from './tools';

/** hil-test through QEMU mps2-an386: samples per second streamed end to end (download over the
 * emulated UART, one inference, output bytes, counters, the host reference alongside), and
 * inferences per second with the input already on the device (`infer N 0`). */

const MODELS: Array<{ name: string; samples: number }> = [
  { name: 'kws01_ref_int8', samples: 100 },
  { name: 'vww01_96_int8', samples: 20 },
];
const BATCH = 20;

const seededInt8 = (length: number, seed: number) =>
  new Int8Array(seededBytes(seed, length).buffer);

export async function benchHil(): Promise<BenchRow[]> {
  if (!HAVE_REFERENCE) return [{ name: 'reference models', value: 'absent: skipped' }];
  const missing = missingTool(['cmake', 'ninja', 'arm-none-eabi-gcc', 'qemu-system-arm']);
  if (missing) return missing;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-hil-bench-'));
  const rows: BenchRow[] = [];
  try {
    for (const { name, samples } of MODELS) {
      const model = path.join(REFERENCE_DIR, 'mlperf-tiny', `${name}.tflite`);
      const outDir = path.join(work, name);
      await buildFirmware({
        board: 'qemu-mps2-an386',
        modelPath: model,
        outDir,
        templateDir: path.resolve('firmware-template'),
      });
      const elf = path.join(outDir, 'firmware.elf');
      const sg = loadModelFile(model).model.subgraphs[0];
      const shape = sg.tensors[sg.inputs[0]].shape;
      const size = shape.reduce((a, b) => a * b, 1);
      const dataset = path.join(work, `${name}.npy`);
      writeNpyFile(dataset, {
        dtype: 'int8',
        shape: [samples, ...shape.slice(1)],
        data: seededInt8(samples * size, 11),
      });
      let median = 0;
      for (const download of ['auto', 'uart'] as const) {
        const report = await runHil({
          backend: 'qemu',
          firmware: elf,
          board: 'qemu-mps2-an386',
          model,
          dataset,
          download,
        });
        rows.push({
          name: `${name}: streamed samples/s, input by ${report.download} (${n(size)} B, ${samples} samples, bit-exact ${report.agreement.exact}/${samples})`,
          value: report.samplesPerSecond.toFixed(1),
        });
        if (download === 'auto') median = report.latency!.perInference.median;
      }
      // Inference alone: the input downloaded once, then `infer N 0` timed on the host.
      const session = await openDevice({
        backend: 'qemu',
        firmware: elf,
        board: 'qemu-mps2-an386',
        bootTimeoutMs: 10_000,
        commandTimeoutMs: 5000,
      });
      try {
        await session.link.commands([
          { command: 'db load 1', timeoutMs: 5000 },
          { command: 'db 00', timeoutMs: 5000 },
        ]);
        const t0 = process.hrtime.bigint();
        await session.link.command(`infer ${BATCH} 0`, 600_000);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        rows.push({
          name: `${name}: inferences/s on QEMU (infer ${BATCH} 0; ${n(median)} instructions each)`,
          value: (BATCH / seconds).toFixed(1),
        });
      } finally {
        await session.transport.close();
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

const n = (v: number) => v.toLocaleString('en-US');
