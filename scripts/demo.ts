// `npm run demo`: the main job end to end on the embedded default — the bundled fixture model on
// the emulated Cortex-M4F (QEMU mps2-an386): quantize, analyze, tflite-to-c, build, stream the
// validation set through the board, gate. Every step is the `tinyops` command a user runs, so the output is what they see.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../shared/cli/main';

const OUT = path.resolve('demo-out');
const FIX = 'action-fixtures';
const BOARD = 'qemu-mps2-an386';

async function step(title: string, args: string[]): Promise<void> {
  console.log(`\n━━ ${title}\n$ tinyops ${args.join(' ')}\n`);
  const code = await main(args);
  if (code !== 0) {
    console.error(`\n${title} failed (exit ${code}).`);
    process.exit(code);
  }
}

async function demo(): Promise<void> {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const int8 = path.join(OUT, 'digits_int8.tflite');

  await step('1. Quantize the float model to full-integer int8', [
    'quantize',
    `${FIX}/models/digits_float32.tflite`,
    '--dataset',
    `${FIX}/data/digits_calib.npy`,
    '--out',
    int8,
    '--report',
    path.join(OUT, 'quantize-report.json'),
  ]);
  await step('2. Analyze it for the board', ['analyze', int8, '--board', BOARD]);
  await step('3. Turn it into C', [
    'tflite-to-c',
    int8,
    '--out-dir',
    path.join(OUT, 'model'),
    '--name',
    'digits_model',
  ]);

  await step(
    '4. Cross-compile the firmware (the MLPerf Tiny UART harness) for the emulated board',
    ['build', '--board', BOARD, '--model', int8, '--out-dir', path.join(OUT, 'firmware')],
  );
  await step(
    '5. Stream the validation set through it on QEMU: agreement with the host, accuracy, latency',
    [
      'hil',
      '--firmware',
      path.join(OUT, 'firmware', 'firmware.elf'),
      '--board',
      BOARD,
      '--model',
      int8,
      '--dataset',
      `${FIX}/data/digits_val.npy`,
      '--labels',
      `${FIX}/data/digits_val_labels.npy`,
      '--report',
      path.join(OUT, 'hil-report.json'),
    ],
  );

  await step(
    '6. Gate it against the budgets (flash and RAM from the ELF, accuracy and latency from the device)',
    [
      'gate',
      int8,
      '--config',
      `${FIX}/tinyops.yml`,
      '--build-report',
      path.join(OUT, 'firmware', 'build-report.json'),
      '--hil-report',
      path.join(OUT, 'hil-report.json'),
      '--report',
      path.join(OUT, 'gate-report.json'),
    ],
  );
  console.log(`\nDone: everything is in ${path.relative(process.cwd(), OUT)}/`);
}

void demo();
