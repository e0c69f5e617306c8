import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel, writeModel } from '../shared/tflite';
import { referenceModels } from './reference';
import { timeIt, type BenchRow } from './table';

/** Parse and write times: the largest reference model, and all of them together. */
export async function benchTflite(): Promise<BenchRow[]> {
  const files = referenceModels();
  if (files.length === 0) return [{ name: 'reference models', value: 'absent: skipped' }];
  const sized = files.map((f) => ({ f, bytes: new Uint8Array(fs.readFileSync(f)) }));
  const largest = sized.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
  const model = readModel(largest.bytes);
  const parseMs = timeIt(() => readModel(largest.bytes));
  const writeMs = timeIt(() => writeModel(model));
  const allMs = timeIt(() => sized.forEach((s) => readModel(s.bytes)), 500, 2);
  const mb = largest.bytes.length / 1e6;
  return [
    {
      name: `parse ${path.basename(largest.f)} (${(mb * 1000).toFixed(0)} kB)`,
      value: `${parseMs.toFixed(2)} ms`,
    },
    {
      name: 'parse throughput (largest model)',
      value: `${(mb / (parseMs / 1000)).toFixed(0)} MB/s`,
    },
    { name: `write ${path.basename(largest.f)}`, value: `${writeMs.toFixed(2)} ms` },
    { name: `parse all ${files.length} reference models`, value: `${allMs.toFixed(1)} ms` },
  ];
}
