import type { CliCommand } from '../types';
import { parseCommandLine, integerOption } from '../args';
import { UsageError } from '../../errors';
import { buildFirmware } from '../../build/build';
import { formatBytes, parseSize } from '../../config/units';
import { defaultTemplateDir } from '../../build/template-dir';

export const buildCommand: CliCommand = {
  summary:
    'build firmware for a board with arm-none-eabi-gcc and report flash and RAM from the ELF',
  usage:
    'tinyops build --board BOARD --model MODEL --out-dir DIR [--arena N] [--selftest-input FILE] [--template DIR] ' +
    '[--build-command CMD --elf PATH --flash SIZE --ram SIZE] [--json]',
  async run(args, io) {
    const { values } = parseCommandLine(
      args,
      {
        board: { type: 'string' },
        model: { type: 'string' },
        'out-dir': { type: 'string' },
        arena: { type: 'string' },
        'selftest-input': { type: 'string' },
        template: { type: 'string' },
        'build-command': { type: 'string' },
        elf: { type: 'string' },
        flash: { type: 'string' },
        ram: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 0, max: 0, names: '' },
    );
    if (!values.board) throw new UsageError('--board is required.');
    if (!values['out-dir']) throw new UsageError('--out-dir is required.');
    const capacity =
      values.flash !== undefined && values.ram !== undefined
        ? { flash: parseSize(values.flash, '--flash'), ram: parseSize(values.ram, '--ram') }
        : undefined;
    const report = await buildFirmware({
      board: values.board,
      modelPath: values.model,
      outDir: values['out-dir'],
      templateDir: values.template ?? defaultTemplateDir(),
      buildCommand: values['build-command'],
      elfPath: values.elf,
      capacity,
      arenaSize: values.arena ? integerOption('arena', values.arena, 0) : undefined,
      selftestInput: values['selftest-input'],
      onLine: values.json ? undefined : (line) => io.stderr(line),
    });
    if (values.json) {
      io.stdout(JSON.stringify(report, null, 2));
      return 0;
    }
    const s = report.sizes;
    const cap = report.capacity;
    const used = (n: number, c: number | undefined) =>
      c ? ` of ${formatBytes(c)} (${((n / c) * 100).toFixed(1)}%)` : '';
    io.stdout(
      [
        `Built ${report.artifacts.elf} for ${report.board}${report.port ? ` (port ${report.port})` : ''} with ${report.toolchain}`,
        `  text ${s.text} B, data ${s.data} B, bss ${s.bss} B`,
        `  flash ${formatBytes(s.flash)}${used(s.flash, cap?.flash)}`,
        `  RAM   ${formatBytes(s.ram)}${used(s.ram, cap?.ram)}`,
        `  wrote firmware.elf, firmware.bin, firmware.hex, build-report.json in ${values['out-dir']}`,
      ].join('\n'),
    );
    return 0;
  },
};
