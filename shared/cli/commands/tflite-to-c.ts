import type { CliCommand } from '../types';
import { integerOption, parseCommandLine } from '../args';
import { UsageError } from '../../errors';
import { tfliteToC } from '../../codegen';

export const tfliteToCCommand: CliCommand = {
  summary: 'turn a .tflite into a C source/header pair that compiles into firmware',
  usage:
    'tinyops tflite-to-c MODEL --out-dir DIR [--name NAME] [--align N] [--section S] [--xxd] [--incbin] [--embed-plan] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandLine(
      args,
      {
        'out-dir': { type: 'string' },
        name: { type: 'string' },
        align: { type: 'string' },
        section: { type: 'string' },
        xxd: { type: 'boolean' },
        incbin: { type: 'boolean' },
        'embed-plan': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      { min: 1, max: 1, names: 'MODEL' },
    );
    if (!values['out-dir']) throw new UsageError('--out-dir is required.');
    const result = tfliteToC(positionals[0], values['out-dir'], {
      name: values.name,
      align: integerOption('align', values.align, 16),
      section: values.section,
      xxdNaming: values.xxd,
      incbin: values.incbin,
      embedPlan: values['embed-plan'],
    });
    const summary = {
      files: result.paths,
      arrayName: result.arrayName,
      lengthName: result.lengthName,
      macroPrefix: result.macroPrefix,
      bytes: result.bytes,
      sha256: result.sha256,
      arenaBytes: result.arenaBytes,
      ops: result.ops,
    };
    if (values.json) io.stdout(JSON.stringify(summary, null, 2));
    else
      io.stdout(
        [
          `Wrote ${result.paths.join(', ')}`,
          `  ${result.arrayName}[${result.bytes}] and ${result.lengthName}; macros ${result.macroPrefix}_LEN, _SHA256, _ARENA_BYTES`,
          `  sha256 ${result.sha256}`,
        ].join('\n'),
      );
    return 0;
  },
};
