import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { TinyOpsError } from '../errors';
import { writeFilesAtomic } from '../fsutil/atomic';
import { parseElf32, sectionSizes, type SectionSizes } from '../elf/elf';
import { loadModelFile } from '../tflite/load';
import { writeModel } from '../tflite/model';
import { planMemory, withOfflinePlan } from '../analyze';
import { alignUp } from '../analyze/lifetimes';
import { tensorByteSize } from '../tflite/tensor';
import { writeFileAtomic } from '../fsutil/atomic';
import { TINYOPS_VERSION } from '../version';
import { firmwarePort, portMemory } from './ports';
import { runCommand } from './run-command';
import { validateWithSchema } from '../config/validate';
import BUILD_REPORT_SCHEMA from '../../schemas/build-report.schema.json';

export { BUILD_REPORT_SCHEMA };

export interface BuildOptions {
  board: string;
  /** The .tflite to embed (template builds). */
  modelPath?: string;
  outDir: string;
  templateDir: string;
  /** Build the user's own project with this shell command instead of the template... */
  buildCommand?: string;
  /** ...and read the ELF it writes here. */
  elfPath?: string;
  /** Capacities for a user's project (the template reads them from its linker script). */
  capacity?: { flash: number; ram: number };
  arenaSize?: number;
  /** Raw input bytes for a self-test build (runs once, prints the output, exits). */
  selftestInput?: string;
  /** Extra CMake definitions for the template (e.g. { FAULT_SELFTEST: 'ON' }). */
  cmakeDefines?: Record<string, string>;
  onLine?: (line: string) => void;
  toolchainPrefix?: string;
}

export interface BuildReport {
  schemaVersion: 1;
  kind: 'build';
  tool: { name: 'tinyops'; version: string };
  board: string;
  port: string | null;
  toolchain: string;
  model: { path: string; sha256: string; bytes: number } | null;
  /** The static tensor arena compiled in (the offline plan's size), for template builds. */
  arenaBytes: number | null;
  sizes: Omit<SectionSizes, 'sections'>;
  capacity: { flash: number; ram: number } | null;
  headroom: { flash: number; ram: number } | null;
  sections: SectionSizes['sections'];
  artifacts: { elf: string; bin: string; hex: string };
}

/** "region `RAM' overflowed by 1234 bytes": the linker's own words when a build cannot fit. */
const OVERFLOW = /region [`']?(\w+)'? overflowed by (\d+) bytes/;

export async function findToolchain(prefix = 'arm-none-eabi-'): Promise<string> {
  try {
    const { code, output } = await runCommand(`${prefix}gcc`, ['--version']);
    if (code === 0) return output.split('\n')[0].trim();
  } catch {
    // not on PATH: fall through to the error
  }
  throw new TinyOpsError('TOOLCHAIN_MISSING', `${prefix}gcc was not found on PATH`, {
    hint: 'Install it: `sudo apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi` (the cross-compile action does this on GitHub-hosted Ubuntu runners).',
  });
}

/** Builds firmware (the template or the user's project), measures it from the ELF, and writes
 * .elf, .bin, .hex and build-report.json (schemas/build-report.schema.json) into outDir. Nothing is written when the build fails. */
export async function buildFirmware(options: BuildOptions): Promise<BuildReport> {
  const prefix = options.toolchainPrefix ?? 'arm-none-eabi-';
  const toolchain = await findToolchain(prefix);
  const outDir = path.resolve(options.outDir);
  let port: string | null = null;
  let elfPath: string;
  let capacity = options.capacity ?? null;
  let arenaSize: number | null = null;
  const model = options.modelPath ? loadModelFile(options.modelPath) : null;

  if (options.buildCommand) {
    if (!options.elfPath)
      throw new TinyOpsError(
        'BUILD_NO_ELF',
        'A build-command needs the path of the ELF it produces',
        { hint: 'Give elf (action) or --elf (CLI).' },
      );
    await checked(
      await runCommand(options.buildCommand, [], { shell: true, onLine: options.onLine }),
      'your build command',
    );
    elfPath = path.resolve(options.elfPath);
  } else {
    if (!model)
      throw new TinyOpsError('BUILD_NO_MODEL', 'The firmware template needs a model', {
        hint: 'Give model (action) or --model (CLI).',
      });
    const templateDir = path.resolve(options.templateDir);
    port = firmwarePort(options.board, templateDir);
    capacity = portMemory(templateDir, port);
    const buildDir = path.join(outDir, `build-${port}`);
    // The arena is planned here, offline: the plan goes into the embedded model as TFLite Micro's
    // OfflineMemoryAllocation metadata (the runtime checks and uses it) and sizes the static arena.
    const plan = planMemory(model.model);
    const plannedModel = path.join(buildDir, 'model.planned.tflite');
    fs.mkdirSync(buildDir, { recursive: true });
    writeFileAtomic(plannedModel, writeModel(withOfflinePlan(model.model, plan.offlineAllocation)));
    // The UART harness downloads an input into the arena's unplanned tail before copying it into
    // the input tensor (whose bytes the plan may reuse mid-inference): leave room for one.
    const sg = model.model.subgraphs[0];
    const harnessBuffer = options.selftestInput
      ? 0
      : alignUp(tensorByteSize(sg.tensors[sg.inputs[0]]), 16);
    arenaSize = options.arenaSize ?? Math.max(16, alignUp(plan.planBytes, 16) + harnessBuffer);
    // Size the runtime to the model: only its ops are linked, its tables hold exactly its tensors.
    const ops = [
      ...new Set(sg.operators.map((op) => model.model.operatorCodes[op.opcodeIndex].name)),
    ].sort();
    const defs = [
      `-DBOARD=${port}`,
      `-DRUNTIME_OPS=${ops.join(';')}`,
      `-DMAX_TENSORS=${Math.max(1, sg.tensors.length)}`,
      `-DMAX_OPS=${Math.max(1, sg.operators.length)}`,
      `-DMODEL=${plannedModel}`,
      `-DSELFTEST_INPUT=${options.selftestInput ? path.resolve(options.selftestInput) : ''}`,
      `-DARENA_SIZE=${arenaSize}`,
      `-DMODEL_ID=${modelId(options.modelPath!)}`,
      ...Object.entries(options.cmakeDefines ?? {}).map(([k, v]) => `-D${k}=${v}`),
    ];
    await checked(
      await runCommand('cmake', ['-S', templateDir, '-B', buildDir, '-G', 'Ninja', ...defs], {
        onLine: options.onLine,
      }),
      'CMake configure',
    );
    await checked(
      await runCommand('cmake', ['--build', buildDir], { onLine: options.onLine }),
      'the firmware build',
    );
    elfPath = path.join(buildDir, 'firmware.elf');
  }
  if (!fs.existsSync(elfPath))
    throw new TinyOpsError('BUILD_NO_ELF', `The build finished but wrote no ELF at ${elfPath}`, {
      hint: 'Check the ELF path your build writes.',
    });

  const elfBytes = new Uint8Array(fs.readFileSync(elfPath));
  const sizes = sectionSizes(parseElf32(elfBytes, elfPath));
  const bin = await objcopy(prefix, elfPath, 'binary');
  const hex = await objcopy(prefix, elfPath, 'ihex');
  const artifacts = {
    elf: path.join(outDir, 'firmware.elf'),
    bin: path.join(outDir, 'firmware.bin'),
    hex: path.join(outDir, 'firmware.hex'),
  };
  const { sections, ...totals } = sizes;
  const report: BuildReport = {
    schemaVersion: 1,
    kind: 'build',
    tool: { name: 'tinyops', version: TINYOPS_VERSION },
    board: options.board,
    port,
    toolchain,
    model: model
      ? {
          path: options.modelPath!,
          sha256: createHash('sha256').update(model.bytes).digest('hex'),
          bytes: model.bytes.length,
        }
      : null,
    arenaBytes: arenaSize,
    sizes: totals,
    capacity,
    headroom: capacity
      ? { flash: capacity.flash - totals.flash, ram: capacity.ram - totals.ram }
      : null,
    sections,
    artifacts,
  };
  validateWithSchema(BUILD_REPORT_SCHEMA, report, {
    code: 'REPORT_INVALID',
    source: 'the build report',
    hint: 'This is a TinyOps bug: please report it.',
  });
  writeFilesAtomic([
    { path: path.join(outDir, 'build-report.json'), data: `${JSON.stringify(report, null, 2)}\n` },
    { path: artifacts.elf, data: elfBytes },
    { path: artifacts.bin, data: bin },
    { path: artifacts.hex, data: hex },
  ]);
  return report;
}

/** What `profile%` reports: the model file's stem, reduced to characters safe in a C string. */
function modelId(modelPath: string): string {
  const stem = path.basename(modelPath).replace(/\.[^.]*$/, '');
  return stem.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40) || 'model';
}

async function checked(result: { code: number; output: string }, what: string): Promise<void> {
  if (result.code === 0) return;
  const overflow = OVERFLOW.exec(result.output);
  if (overflow) {
    const line = result.output
      .split('\n')
      .find((l) => OVERFLOW.test(l))!
      .trim();
    throw new TinyOpsError(
      'BUILD_DOES_NOT_FIT',
      `The firmware does not fit: ${overflow[1]} overflowed by ${overflow[2]} bytes`,
      {
        where: line,
        hint: 'Shrink the model (quantize, prune, fewer channels), lower the arena or stack, or pick a board with more memory.',
      },
    );
  }
  const errors = result.output
    .split('\n')
    .filter((l) => /\berror\b/i.test(l))
    .slice(0, 10);
  throw new TinyOpsError(
    'BUILD_FAILED',
    `${what} failed (exit ${result.code})${errors.length ? `:\n${errors.join('\n')}` : ''}`,
    {
      hint: 'The compiler messages above name the file and line; the full log is in the step output.',
    },
  );
}

async function objcopy(
  prefix: string,
  elf: string,
  format: 'binary' | 'ihex',
): Promise<Uint8Array> {
  const tmp = `${elf}.${format}.tmp`;
  const { code, output } = await runCommand(`${prefix}objcopy`, ['-O', format, elf, tmp]);
  if (code !== 0)
    throw new TinyOpsError(
      'BUILD_OBJCOPY',
      `${prefix}objcopy -O ${format} failed: ${output.trim()}`,
      { hint: 'Check the toolchain install.' },
    );
  const data = new Uint8Array(fs.readFileSync(tmp));
  fs.rmSync(tmp);
  return data;
}
