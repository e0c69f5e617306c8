import { tfliteToC } from '../../../shared/codegen';
import {
  booleanInput,
  input,
  integerInput,
  optionalInput,
  runAction,
  setOutputs,
  writeSummary,
} from '../../../shared/github/action';
import { formatBytes } from '../../../shared/config/units';

void runAction(async () => {
  const model = input('model');
  const result = tfliteToC(model, input('out-dir', '.'), {
    name: optionalInput('name'),
    align: integerInput('align', 16),
    section: optionalInput('section'),
    xxdNaming: booleanInput('xxd-naming', false),
    incbin: booleanInput('incbin', false),
    embedPlan: booleanInput('embed-plan', false),
  });
  const source = result.paths.find((p) => /\.(c|S)$/.test(p))!;
  const header = result.paths.find((p) => p.endsWith('.h'))!;
  setOutputs({
    'source-path': source,
    'header-path': header,
    'array-name': result.arrayName,
    'length-name': result.lengthName,
    'model-bytes': result.bytes,
    'model-sha256': result.sha256,
    'arena-bytes': result.arenaBytes,
  });
  await writeSummary(
    [
      `### TinyOps tflite-to-c: \`${model}\``,
      '',
      '| | |',
      '|---|---|',
      `| Model size | ${formatBytes(result.bytes)} (${result.bytes} bytes) |`,
      `| Ops | ${result.ops.map((o) => `${o.op} ×${o.count}`).join(', ')} |`,
      `| Array | \`const unsigned char ${result.arrayName}[]\` |`,
      `| Length | \`const unsigned int ${result.lengthName}\`, \`${result.macroPrefix}_LEN\` |`,
      `| Files | ${result.paths.map((p) => `\`${p}\``).join(', ')} |`,
      '',
    ].join('\n'),
  );
});
