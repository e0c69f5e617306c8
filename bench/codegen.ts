import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateC } from '../shared/codegen';
import { readModel } from '../shared/tflite';
import { referenceModels } from './reference';
import { timeIt, type BenchRow } from './table';

/** tflite-to-c on the largest reference model: parse time, C generation throughput, and
 * `xxd -i` on the same file for comparison. */
export async function benchCodegen(): Promise<BenchRow[]> {
  const files = referenceModels();
  if (files.length === 0) return [{ name: 'reference models', value: 'absent: skipped' }];
  const largest = files
    .map((f) => ({ f, size: fs.statSync(f).size }))
    .reduce((a, b) => (b.size > a.size ? b : a));
  const bytes = new Uint8Array(fs.readFileSync(largest.f));
  const mb = bytes.length / 1e6;
  const name = path.basename(largest.f);
  const parseMs = timeIt(() => readModel(bytes));
  const genMs = timeIt(() => generateC(bytes, { sourceName: name }), 1000, 3);
  const rows: BenchRow[] = [
    { name: `model: ${name}`, value: `${bytes.length.toLocaleString('en-US')} B` },
    { name: 'parse (verifying reader)', value: `${parseMs.toFixed(2)} ms` },
    {
      name: 'tflite-to-c .c/.h generation',
      value: `${genMs.toFixed(1)} ms (${(mb / (genMs / 1000)).toFixed(1)} MB/s)`,
    },
  ];
  if (spawnSync('xxd', ['-v']).status !== null) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyops-bench-'));
    const out = path.join(dir, 'model.c');
    const xxdMs = timeIt(
      () => execFileSync('sh', ['-c', `xxd -i "${largest.f}" > "${out}"`]),
      1000,
      3,
    );
    fs.rmSync(dir, { recursive: true, force: true });
    rows.push({
      name: 'xxd -i on the same file (process incl.)',
      value: `${xxdMs.toFixed(1)} ms (${(mb / (xxdMs / 1000)).toFixed(1)} MB/s)`,
    });
  } else {
    rows.push({ name: 'xxd -i', value: 'xxd not installed' });
  }
  return rows;
}
