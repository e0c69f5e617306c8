// `npm run demo`: the main job end to end on the embedded default — the bundled fixture model on
// the emulated Cortex-M4F (QEMU mps2-an386): quantize, analyze, tflite-to-c, build, run on the
// board, gate. Every step is the `tinyops` command a user runs, so the output is what they see.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../shared/cli/main';
import { loadModelFile } from '../shared/tflite';
import { Interpreter } from '../shared/interp';
import { parseNpy } from '../shared/data';
import { QEMU_MPS2_AN386_ARGS } from '../shared/build/qemu';

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

function runOnQemu(elf: string): string {
  const qemu = spawnSync(
    'qemu-system-arm',
    [...QEMU_MPS2_AN386_ARGS, '-no-reboot', '-kernel', elf],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (qemu.error)
    throw new Error(
      `qemu-system-arm could not run: ${qemu.error.message} (bash scripts/setup.sh installs it)`,
    );
  return qemu.stdout;
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

  // 4. Firmware that runs validation sample 0 once and prints the output bytes.
  const val = parseNpy(
    new Uint8Array(fs.readFileSync(`${FIX}/data/digits_val_int8.npy`)),
    'digits_val_int8.npy',
  );
  const sample = Int8Array.from(val.data.slice(0, 14 * 14));
  const sampleFile = path.join(OUT, 'sample0.bin');
  fs.writeFileSync(sampleFile, new Uint8Array(sample.buffer));
  await step('4. Cross-compile the firmware for the emulated board', [
    'build',
    '--board',
    BOARD,
    '--model',
    int8,
    '--out-dir',
    path.join(OUT, 'firmware'),
    '--selftest-input',
    sampleFile,
  ]);

  console.log(`\n━━ 5. Run it on the emulated board and compare with the host reference\n`);
  const log = runOnQemu(path.join(OUT, 'firmware', 'firmware.elf'));
  const device = /m-output-hex-\[([0-9a-f]*)\]/.exec(log)?.[1];
  const instructions = /m-instructions-(\d+)/.exec(log)?.[1];
  const host = Buffer.from(
    new Interpreter(loadModelFile(int8).model).invoke([new Uint8Array(sample.buffer)])[0],
  ).toString('hex');
  console.log(`device output ${device ?? '(none)'}\nhost output   ${host}`);
  console.log(`instructions per inference (QEMU -icount proxy): ${instructions ?? '?'}`);
  if (device !== host) {
    console.error('The device and the host reference disagree.');
    process.exit(1);
  }
  console.log('bit-exact: yes');

  await step('6. Gate it against the budgets (measured flash and RAM from the ELF)', [
    'gate',
    int8,
    '--config',
    `${FIX}/tinyops.yml`,
    '--build-report',
    path.join(OUT, 'firmware', 'build-report.json'),
    '--dataset',
    `${FIX}/data/digits_val.npy`,
    '--labels',
    `${FIX}/data/digits_val_labels.npy`,
    '--report',
    path.join(OUT, 'gate-report.json'),
  ]);
  console.log(`\nDone: everything is in ${path.relative(process.cwd(), OUT)}/`);
}

void demo();
