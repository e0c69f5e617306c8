import { formatBytes } from '../config/units';
import type { QuantizeReport } from './pipeline';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);

/** The quantize job summary: sizes, accuracy, and the layers with the lowest SQNR. */
export function renderQuantizeSummary(r: QuantizeReport): string {
  const e = r.evaluation;
  const rows = [...r.layers]
    .filter((l) => l.sqnrDb !== null)
    .sort((a, b) => (a.sqnrDb ?? 0) - (b.sqnrDb ?? 0));
  return [
    `### TinyOps quantize: \`${r.source.path}\` → \`${r.output.path}\``,
    '',
    '| | Float | Int8 |',
    '|---|---:|---:|',
    `| Size | ${formatBytes(r.source.bytes)} | ${formatBytes(r.output.bytes)} (${(r.sizeRatio * 100).toFixed(1)}%) |`,
    `| Accuracy${e.floatAccuracy === null ? ' (no labels given)' : ''} | ${pct(e.floatAccuracy)} | ${pct(e.int8Accuracy)} |`,
    '',
    `Top-1 agreement ${pct(e.top1Agreement)}, output mean |error| ${e.outputMeanAbsError.toPrecision(3)} over ${e.samples} samples. ` +
      `Calibration: ${r.calibration.method} over ${r.calibration.samples} samples of \`${r.calibration.dataset}\`; ` +
      `${r.options.perChannel ? 'per-channel' : 'per-tensor'} weights, ${r.options.floatIo ? 'float32' : 'int8'} input/output.` +
      (r.cleanup.length ? ` Clean-up: ${r.cleanup.join('; ')}.` : ''),
    '',
    `<details><summary>SQNR per layer (${rows.length} tensors, lowest first)</summary>`,
    '',
    '| Tensor | Op | SQNR | Mean abs error |',
    '|---|---|---:|---:|',
    ...rows.map(
      (l) =>
        `| \`${l.name}\` | ${l.op} | ${l.sqnrDb!.toFixed(1)} dB | ${l.meanAbsError.toPrecision(3)} |`,
    ),
    '',
    '</details>',
    '',
  ].join('\n');
}
