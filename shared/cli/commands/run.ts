import { writeFileAtomic } from '../../fsutil/atomic';
import { UsageError } from '../../errors';
import { Interpreter, typedView } from '../../interp';
import { readInputFile } from '../../interp/input-file';
import { loadModelFile } from '../../tflite';
import { parseCommandLine } from '../args';
import type { CliCommand, CliIO } from '../types';

/** A CliIO that can also take binary stdout (tests may provide it); otherwise the process's. */

/** `tinyops run MODEL --input FILE [--input FILE2] [--output FILE] [--json]`: one inference on
 * the reference interpreter; output 0's raw little-endian bytes go to --output (written
 * atomically) or to stdout, or with --json its values, shape and type. */
export const runCommand: CliCommand = {
  summary:
    'Run a model on the reference interpreter (TFLite Micro int8 arithmetic) and print output 0',
  usage: 'tinyops run MODEL --input FILE [--input FILE2 ...] [--output FILE] [--json]',
  async run(args, io: CliIO) {
    const { values, positionals } = parseCommandLine(
      args,
      {
        input: { type: 'string', multiple: true },
        output: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 1, max: 1, names: 'MODEL' },
    );
    const modelPath = positionals[0];
    const inputFiles = values.input ?? [];
    if (inputFiles.length === 0)
      throw new UsageError('Missing --input FILE (one per model input).');
    const { model } = loadModelFile(modelPath);
    const interp = new Interpreter(model, { source: modelPath });
    if (inputFiles.length !== interp.inputs.length)
      throw new UsageError(
        `The model takes ${interp.inputs.length} input${interp.inputs.length === 1 ? '' : 's'} (${interp.inputs
          .map((i) => `${i.name}: ${i.type} [${i.shape.join(', ')}]`)
          .join(
            '; ',
          )}); got ${inputFiles.length} --input file${inputFiles.length === 1 ? '' : 's'}.`,
      );
    const inputs = inputFiles.map((file, k) => readInputFile(file, interp.inputs[k]));
    const output = interp.invoke(inputs)[0];
    const info = interp.outputs[0];
    if (values.output !== undefined) writeFileAtomic(values.output, output);
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            ok: true,
            output: Array.from(typedView(output, info.type)),
            shape: info.shape,
            type: info.type,
            name: info.name,
            quantization: info.quantization,
            writtenTo: values.output ?? null,
          },
          null,
          2,
        ),
      );
    } else if (values.output === undefined) {
      if (io.stdoutBinary) io.stdoutBinary(output);
      else process.stdout.write(output);
    }
    return 0;
  },
};
