import { UsageError } from '../../errors';
import type { CalibrationMethod } from '../../quant/calibrate';
import { interpreterRunner } from '../../quant/int8-runner';
import { runQuantize, type QuantizeReport } from '../../quant/pipeline';
import { integerOption, parseCommandLine } from '../args';
import type { CliCommand } from '../types';

const METHODS: CalibrationMethod[] = ['minmax', 'percentile', 'mse'];

function summary(r: QuantizeReport): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
  const e = r.evaluation;
  const lines = [
    `Quantized ${r.source.path} -> ${r.output.path} (full int8, ${r.options.floatIo ? 'float32' : 'int8'} I/O, ${r.options.perChannel ? 'per-channel' : 'per-tensor'} weights)`,
    `  size: ${r.source.bytes} B -> ${r.output.bytes} B (${(r.sizeRatio * 100).toFixed(1)}%)`,
    `  calibration: ${r.calibration.method}${r.calibration.percentile !== null ? ` ${r.calibration.percentile}` : ''} over ${r.calibration.samples} samples of ${r.calibration.dataset}`,
    `  float vs int8 on ${e.samples} samples: output mean |err| ${e.outputMeanAbsError.toPrecision(4)}, max ${e.outputMaxAbsError.toPrecision(4)}, top-1 agreement ${pct(e.top1Agreement)}`,
  ];
  if (e.floatAccuracy !== null)
    lines.push(
      `  accuracy: float ${pct(e.floatAccuracy)}, int8 ${pct(e.int8Accuracy)} (drop ${pct(e.accuracyDrop)})`,
    );
  if (r.cleanup.length > 0) lines.push(`  clean-up: ${r.cleanup.join('; ')}`);
  if (r.worstTensors.length > 0) {
    lines.push('  lowest SQNR:');
    for (const l of r.worstTensors)
      lines.push(`    ${l.sqnrDb!.toFixed(1).padStart(6)} dB  ${l.op.padEnd(18)} ${l.name}`);
  }
  return lines.join('\n');
}

/** `tinyops quantize MODEL --dataset PATH --out FILE [...]`: float model -> full-integer int8. */
export const quantizeCommand: CliCommand = {
  summary:
    'quantize a float model (.tflite, Keras .h5/.keras, TF.js model.json) to full-integer int8',
  usage:
    'tinyops quantize MODEL --dataset PATH --out FILE [--method minmax|percentile|mse] [--percentile P] [--per-tensor] ' +
    '[--float-io] [--samples N] [--labels PATH] [--report FILE] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandLine(
      args,
      {
        dataset: { type: 'string' },
        out: { type: 'string' },
        method: { type: 'string' },
        percentile: { type: 'string' },
        'per-tensor': { type: 'boolean' },
        'float-io': { type: 'boolean' },
        samples: { type: 'string' },
        labels: { type: 'string' },
        report: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 1, max: 1, names: 'MODEL' },
    );
    if (!values.dataset)
      throw new UsageError('Missing --dataset PATH (the representative samples for calibration).');
    if (!values.out) throw new UsageError('Missing --out FILE (where to write the int8 .tflite).');
    const method = (values.method ?? 'minmax') as CalibrationMethod;
    if (!METHODS.includes(method))
      throw new UsageError(
        `--method must be one of ${METHODS.join(', ')}, got "${values.method}".`,
      );
    let percentile: number | undefined;
    if (values.percentile !== undefined) {
      percentile = Number(values.percentile);
      if (!(percentile > 50 && percentile <= 100))
        throw new UsageError(
          `--percentile takes a number in (50, 100], got "${values.percentile}".`,
        );
    }
    const samples = integerOption('samples', values.samples, 100);
    if (samples < 1) throw new UsageError('--samples must be at least 1.');
    let lastShown = -1;
    const report = runQuantize({
      modelPath: positionals[0],
      datasetPath: values.dataset,
      outPath: values.out,
      method,
      percentile,
      perChannel: !values['per-tensor'],
      floatIo: values['float-io'] ?? false,
      samples,
      labelsPath: values.labels,
      reportPath: values.report,
      makeInt8Runner: interpreterRunner,
      onProgress: (done, total) => {
        const step = Math.floor((done / total) * 10);
        if (step !== lastShown || done === total) {
          lastShown = step;
          io.stderr(`calibrating: ${done}/${total} samples`);
        }
      },
    });
    io.stdout(values.json ? JSON.stringify({ ok: true, ...report }, null, 2) : summary(report));
    return 0;
  },
};
