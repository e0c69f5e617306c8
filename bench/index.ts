// `npm run bench`: every benchmark, printed as tables. Speed and memory goals live here, never in
// timed test assertions. `npm run bench -- interp` runs the suites whose title matches.
import { printTable, type BenchRow } from './table';
import { benchTflite } from './tflite';
import { benchCodegen } from './codegen';
import { benchAnalyze } from './analyze';
import { benchInterpreter } from './interp';
import { benchQuant } from './quant';
import { benchFirmware } from './firmware';
import { benchOta } from './ota';
import { benchGate } from './gate';
import { benchHil } from './hil';

const SUITES: Array<[string, () => Promise<BenchRow[]>]> = [
  ['TFLite reader/writer', benchTflite],
  ['tflite-to-c', benchCodegen],
  ['Model analysis', benchAnalyze],
  ['Interpreter', benchInterpreter],
  ['Quantization', benchQuant],
  ['Firmware (QEMU mps2-an386)', benchFirmware],
  ['hil-test (QEMU mps2-an386)', benchHil],
  ['Constraint gate (bundled action)', benchGate],
  ['OTA signing', benchOta],
];

async function main(): Promise<void> {
  const only = process.argv[2];
  for (const [title, run] of SUITES) {
    if (only && !title.toLowerCase().includes(only.toLowerCase())) continue;
    try {
      printTable(title, await run());
    } catch (err) {
      printTable(title, [{ name: 'error', value: (err as Error).message }]);
      process.exitCode = 1;
    }
  }
}

void main();
