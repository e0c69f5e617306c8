import type { HilReport } from './report';
import type { LatencyStats } from './stats';
import { formatPercent as pct } from '../config/units';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 10 ? n.toFixed(1) : n.toFixed(2));

function latencyLine(r: HilReport): string | null {
  const l = r.latency;
  if (!l) return null;
  const s = l.perInference;
  const unit = l.unit === 'us' ? 'µs' : l.unit;
  const est = l.estimatedMs
    ? ` ≈ ${ms(l.estimatedMs.median)} ms median at ${r.board}'s clock${l.proxy ? ' (proxy: 1 instruction per cycle)' : ''}`
    : '';
  return `${int(s.median)} ${unit} median, ${int(s.min)} min, ${int(s.p95)} p95 over ${l.samples} inferences${est}`;
}

function agreementLine(r: HilReport): string {
  const a = r.agreement;
  const what =
    a.mode === 'bytes' ? 'bit-exact with the host interpreter' : 'equal to the host to 3 decimals';
  return `${a.exact}/${a.samples} samples ${what} (${pct(a.exactFraction)}, required ${pct(a.required)}); top-1 agreement ${pct(a.top1)}`;
}

/** Plain text for the CLI. */
export function formatHilText(r: HilReport): string {
  const lines = [
    `hil-test ${r.status.toUpperCase()}: ${r.dataset.samples} samples through ${r.link} (${r.backend}, ${r.board})`,
    `  device: ${r.device.name ?? '?'}, model ${r.device.modelId ?? '?'}, ${r.device.protocol ? `TinyOps harness v${r.device.protocol}` : 'plain MLPerf Tiny harness'}`,
    `  agreement: ${agreementLine(r)}`,
  ];
  if (r.accuracy)
    lines.push(
      `  accuracy: device ${pct(r.accuracy.device)}, host ${pct(r.accuracy.host)} on ${r.accuracy.labelled} labelled samples`,
    );
  const lat = latencyLine(r);
  if (lat) lines.push(`  latency: ${lat}`);
  for (const m of r.agreement.mismatches.slice(0, 10))
    lines.push(
      `  mismatch: sample ${m.sample} (${m.name}) output[${m.index}]: device ${m.device}, host ${m.host}`,
    );
  if (r.agreement.mismatchedElements > 10)
    lines.push(`  ... ${r.agreement.mismatchedElements} mismatched elements in all`);
  lines.push(`  ${r.wallSeconds.toFixed(1)} s, ${r.samplesPerSecond.toFixed(1)} samples/s`);
  return lines.join('\n');
}

function statsRow(label: string, s: LatencyStats, f: (n: number) => string): string {
  return `| ${label} | ${f(s.min)} | ${f(s.median)} | ${f(s.p95)} | ${f(s.max)} |`;
}

/** Markdown for the job summary. */
export function renderHilSummary(r: HilReport): string {
  const icon = r.status === 'pass' ? '✅' : '❌';
  const out = [
    `### ${icon} TinyOps hil-test: ${r.board} (${r.backend})`,
    '',
    `${r.dataset.samples} samples of \`${r.dataset.path}\` through ${r.link}; firmware \`${r.firmware.path}\`, model \`${r.model.path}\`.`,
    '',
    `- **Agreement**: ${agreementLine(r)}`,
  ];
  if (r.accuracy)
    out.push(
      `- **Accuracy** (top-1): device ${pct(r.accuracy.device)}, host ${pct(r.accuracy.host)}`,
    );
  const l = r.latency;
  if (l) {
    const unit = l.unit === 'us' ? 'µs' : l.unit;
    out.push(
      '',
      `| Latency per inference | min | median | p95 | max |`,
      '|---|---:|---:|---:|---:|',
      statsRow(unit + (l.proxy ? ' (proxy)' : ''), l.perInference, int),
    );
    if (l.estimatedMs) out.push(statsRow(`ms at ${r.board}'s clock`, l.estimatedMs, ms));
    if (l.proxy)
      out.push(
        '',
        `_QEMU -icount counts executed instructions: deterministic and comparable between runs, but not cycles on silicon._`,
      );
  }
  if (r.agreement.mismatches.length) {
    out.push(
      '',
      '<details><summary>Mismatches</summary>',
      '',
      '| sample | output index | device | host |',
      '|---|---:|---:|---:|',
    );
    for (const m of r.agreement.mismatches)
      out.push(`| ${m.sample} \`${m.name}\` | ${m.index} | ${m.device} | ${m.host} |`);
    out.push('', '</details>');
  }
  out.push('');
  return out.join('\n');
}
