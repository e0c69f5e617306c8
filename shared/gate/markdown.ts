import type { Check, TargetVerdict } from './types';
import { formatBytes } from '../config/units';

export interface LayerRow {
  index: number;
  op: string;
  macs: number;
  params: number;
  outputShape: number[];
  liveBytes: number;
}

export interface TargetDetails {
  verdict: TargetVerdict;
  layers: LayerRow[];
  arena: { planned: number; lowerBound: number; tflmEstimate: number | null } | null;
}

const STATUS_ICON: Record<Check['status'], string> = {
  pass: '✅ pass',
  warn: '⚠️ warn',
  fail: '❌ fail',
  skip: '➖ skip',
};

function formatFigure(check: Check, value: number): string {
  switch (check.id) {
    case 'flash':
    case 'ram':
      return formatBytes(value);
    case 'latency':
      return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
    case 'accuracy':
    case 'accuracy-drop':
      return `${(value * 100).toFixed(2)}%`;
    default:
      return String(value);
  }
}

function change(check: Check): string {
  if (!check.figure || check.baseline === null || check.id === 'accuracy-drop') return '—';
  const delta = check.figure.value - check.baseline;
  if (delta === 0) return 'no change';
  const sign = delta > 0 ? '+' : '−';
  const pct =
    check.baseline !== 0 ? ` (${sign}${Math.abs((delta / check.baseline) * 100).toFixed(1)}%)` : '';
  return `${sign}${formatFigure(check, Math.abs(delta))}${pct}`;
}

/** The Markdown for one target: the verdict, a table of checks, the memory picture, the layers. */
export function renderTargetMarkdown(details: TargetDetails, marker?: string): string {
  const { verdict } = details;
  const lines: string[] = [];
  if (marker) lines.push(marker);
  lines.push(
    `### ${verdict.passed ? '✅' : '❌'} TinyOps constraint gate — ${verdict.target}${verdict.board && verdict.board !== verdict.target ? ` (${verdict.board})` : ''}`,
    '',
    '| Check | Limit | Figure | Change vs base | Headroom | Status |',
    '|---|---:|---:|---:|---:|---|',
  );
  for (const c of verdict.checks) {
    const limit =
      c.limit === null
        ? '—'
        : `${formatFigure(c, c.limit)}${c.limitSource === 'board' ? ' (board)' : ''}`;
    const figure = c.figure
      ? `${formatFigure(c, c.figure.value)} *(${c.figure.source === 'measured' ? 'measured' : 'est.'})*`
      : '—';
    const headroom =
      c.headroom === null
        ? '—'
        : c.id.startsWith('accuracy')
          ? `${(c.headroom * 100).toFixed(2)} pts`
          : `${(c.headroom * 100).toFixed(1)}%`;
    lines.push(
      `| ${c.label} | ${limit} | ${figure} | ${change(c)} | ${headroom} | ${STATUS_ICON[c.status]} |`,
    );
  }
  lines.push('');
  for (const c of verdict.checks.filter((c) => c.status === 'fail' || c.status === 'warn')) {
    lines.push(`- **${c.label}**: ${c.message}`);
  }
  const bases = verdict.checks
    .filter((c) => c.figure)
    .map((c) => `${c.label}: ${c.figure!.source}, ${c.figure!.basis}`);
  if (bases.length) lines.push('', `<sub>${bases.join(' · ')}</sub>`);
  if (details.arena) {
    const a = details.arena;
    lines.push(
      '',
      `**Arena**: ${formatBytes(a.planned)} planned, lower bound ${formatBytes(a.lowerBound)}` +
        `${a.tflmEstimate !== null ? `, TFLite Micro would need about ${formatBytes(a.tflmEstimate)}` : ''}.`,
    );
  }
  if (details.layers.length) {
    lines.push('', memoryChart(details.layers), '', layerTable(details.layers));
  }
  return lines.join('\n');
}

/** Live activation memory per op as a Mermaid bar chart (GitHub renders it). */
function memoryChart(layers: LayerRow[]): string {
  const kib = layers.map((l) => (l.liveBytes / 1024).toFixed(1));
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Live activation memory per op (KiB)"',
    `  x-axis [${layers.map((l) => `"${l.index}"`).join(', ')}]`,
    '  y-axis "KiB"',
    `  bar [${kib.join(', ')}]`,
    '```',
  ].join('\n');
}

function layerTable(layers: LayerRow[]): string {
  const rows = layers.map(
    (l) =>
      `| ${l.index} | ${l.op} | ${l.macs.toLocaleString('en-US')} | ${l.params.toLocaleString('en-US')} | [${l.outputShape.join(', ')}] | ${formatBytes(l.liveBytes)} |`,
  );
  return [
    `<details><summary>Per-layer figures (${layers.length} ops)</summary>`,
    '',
    '| # | Op | MACs | Params | Output | Live memory |',
    '|---:|---|---:|---:|---|---:|',
    ...rows,
    '',
    '</details>',
  ].join('\n');
}
