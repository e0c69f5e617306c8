import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interpreter } from '../shared/interp';
import { loadModelFile } from '../shared/tflite';
import { HAVE_REFERENCE, REFERENCE_DIR } from './reference';
import { timeIt, type BenchRow } from './table';

/** The MLPerf Tiny int8 models DESIGN.md compares runtimes on. */
const MODELS = ['kws01_ref_int8', 'vww01_96_int8', 'ic01_resnet_quant', 'ad01_int8'];

/** Inferences per second of the reference interpreter on the host (one golden input each, after
 * a warm-up), and the time to load and prepare each model. */
export async function benchInterpreter(): Promise<BenchRow[]> {
  const golden = path.join(REFERENCE_DIR, 'golden');
  if (!HAVE_REFERENCE || !fs.existsSync(golden))
    return [{ name: 'reference models', value: 'absent: skipped' }];
  const rows: BenchRow[] = [];
  for (const name of MODELS) {
    const modelPath = path.join(
      REFERENCE_DIR,
      fs.readFileSync(path.join(golden, name, 'model-path'), 'utf8').trim(),
    );
    const input = new Uint8Array(fs.readFileSync(path.join(golden, name, 'input-0.bin')));
    const prepareMs = timeIt(() => new Interpreter(loadModelFile(modelPath).model), 200, 3);
    const interp = new Interpreter(loadModelFile(modelPath).model, { source: modelPath });
    for (let i = 0; i < 3; i++) interp.invoke([input]);
    const ms = timeIt(() => interp.invoke([input]), 1000, 5);
    rows.push({
      name: `interpreter ${name}: inferences/s`,
      value: `${(1000 / ms).toFixed(1)} (${ms.toFixed(2)} ms each)`,
    });
    rows.push({ name: `interpreter ${name}: load + prepare`, value: `${prepareMs.toFixed(1)} ms` });
  }
  return rows;
}
