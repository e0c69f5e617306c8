import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeModel } from '../shared/analyze';
import { loadModelFile } from '../shared/tflite';
import { REFERENCE_DIR, HAVE_REFERENCE } from './reference';
import { timeIt, type BenchRow } from './table';

/** DESIGN.md's TFLite Micro arena_used_bytes on the 32-bit Cortex-M4F. */
const DESIGN_ARENA_32: Record<string, number> = {
  kws01_ref_int8: 22772,
  vww01_96_int8: 100660,
  ic01_resnet_quant: 54340,
  ad01_int8: 2260,
};

const n = (v: number) => v.toLocaleString('en-US');

/** Per golden model: the full analysis time, and our arena beside the lower bound and TFLite
 * Micro's figures (its measured head and 64-bit total, our 32-bit estimate and DESIGN.md's). */
export async function benchAnalyze(): Promise<BenchRow[]> {
  const indexPath = path.join(REFERENCE_DIR, 'golden', 'index.json');
  if (!HAVE_REFERENCE || !fs.existsSync(indexPath))
    return [{ name: 'reference models', value: 'absent: skipped' }];
  const index = JSON.parse(fs.readFileSync(indexPath, 'utf8')) as Record<
    string,
    { model: string; arena_used_bytes_host64: number; arena_head_bytes: number }
  >;
  const rows: BenchRow[] = [];
  let ours = 0;
  let tflm = 0;
  for (const [name, entry] of Object.entries(index)) {
    const { model, bytes } = loadModelFile(path.join(REFERENCE_DIR, entry.model));
    const ms = timeIt(() => analyzeModel(model, bytes.length), 100, 3);
    const r = analyzeModel(model, bytes.length);
    const m = r.memory;
    ours += m.planBytes;
    tflm += entry.arena_head_bytes;
    rows.push({ name: `analyze ${name}`, value: `${ms.toFixed(2)} ms` });
    rows.push({
      name: `arena ${name}: plan / bound / TFLM head`,
      value: `${n(m.planBytes)} / ${n(m.lowerBound)} / ${n(entry.arena_head_bytes)} B (${((m.planBytes / entry.arena_head_bytes) * 100).toFixed(0)}% of TFLM)`,
    });
    const design = DESIGN_ARENA_32[name];
    rows.push({
      name: `TFLM arena_used ${name}: est 32-bit${design ? ' vs DESIGN' : ''}; est vs 64-bit host`,
      value: `${n(r.tflm.mcu32.totalBytes)}${design ? ` vs ${n(design)} (${(((r.tflm.mcu32.totalBytes - design) / design) * 100).toFixed(1)}%)` : ''}; ${n(r.tflm.host64.totalBytes)} vs ${n(entry.arena_used_bytes_host64)} B`,
    });
  }
  rows.push({
    name: 'planned activation memory, all golden models: ours / TFLM',
    value: `${n(ours)} / ${n(tflm)} B (${((ours / tflm) * 100).toFixed(1)}%)`,
  });
  return rows;
}
