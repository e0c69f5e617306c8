import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildFirmware } from '../../shared/build/build';
import { defaultTemplateDir } from '../../shared/build/template-dir';
import { runHil, type HilOptions } from '../../shared/hil/run';
import type { HilReport } from '../../shared/hil/report';
import type { SerialBackendOptions } from '../../shared/hil/session';
import { haveTool } from '../firmware/helpers';

/** Builds the template's UART-harness firmware for the QEMU board and keeps a copy of the ELF
 * under `name`, so later builds in the same directory (other options) do not overwrite it. */
export async function buildHarnessFirmware(
  work: string,
  name: string,
  model: string,
  defines: Record<string, string> = {},
  selftestInput?: string,
): Promise<string> {
  const outDir = path.join(work, 'fw');
  await buildFirmware({
    board: 'qemu-mps2-an386',
    modelPath: model,
    outDir,
    templateDir: defaultTemplateDir(),
    selftestInput,
    // Cache variables persist in the reused build dir: reset every test hook each time.
    cmakeDefines: { INJECT_FAULT: 'none', HARNESS_EXTENSIONS: 'ON', ...defines },
  });
  const elf = path.join(work, `${name}.elf`);
  fs.copyFileSync(path.join(outDir, 'firmware.elf'), elf);
  return elf;
}

export const HAVE_FIRMWARE_TOOLS = ['arm-none-eabi-gcc', 'cmake', 'ninja', 'qemu-system-arm'].every(
  haveTool,
);

/** runHil on the emulated board, with the options every test repeats filled in. */
export function runOnQemu(
  firmware: string,
  model: string,
  dataset: string,
  extra: Partial<HilOptions> = {},
): Promise<HilReport> {
  return runHil({ backend: 'qemu', firmware, board: 'qemu-mps2-an386', model, dataset, ...extra });
}

/** runHil through the serial backend, to the emulated board on a pty. */
export function runOverSerial(
  serial: SerialBackendOptions,
  firmware: string,
  model: string,
  dataset: string,
  extra: Partial<HilOptions> = {},
): Promise<HilReport> {
  return runHil({
    backend: 'serial',
    serial,
    firmware,
    board: 'qemu-mps2-an386',
    model,
    dataset,
    ...extra,
  });
}

/** QEMU processes running this ELF, found by their command line (none must outlive a run). */
export function qemuProcessesFor(elf: string): number[] {
  const r = spawnSync('pgrep', ['-f', `qemu-system-arm.*${elf}`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}
