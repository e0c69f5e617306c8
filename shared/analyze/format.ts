/** The analysis as plain-text tables for a terminal (the CLI's default output). */
import { formatBytes, formatPercent as pct } from '../config/units';
import type { AnalysisReport } from './index';
import type { TflmArenaEstimate } from './tflm-estimate';

const n = (v: number) => v.toLocaleString('en-US');

/** Left-aligned text columns, right-aligned numeric ones (those given in `right`). */
export function table(header: string[], rows: string[][], right: Set<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function tflmLines(label: string, e: TflmArenaEstimate): string[] {
  return [
    `${label}: ${n(e.totalBytes)} B = head ${n(e.headBytes)} B (its greedy plan) + tail ${n(e.tailBytes)} B (persistent)`,
    ...e.tail.map((t) => `    ${t.what}${t.count > 1 ? ` (${n(t.count)})` : ''}: ${n(t.bytes)} B`),
    ...e.caveats.map((c) => `    caveat: ${c}`),
  ];
}

export function formatAnalysis(r: AnalysisReport): string {
  const out: string[] = [];
  out.push(
    `Model: ${r.model.source ?? '(in memory)'}  ${n(r.model.bytes)} B, ${r.model.ops} ops, ${r.model.tensors} tensors${r.model.subgraphs > 1 ? `, ${r.model.subgraphs} subgraphs (subgraph 0 analyzed)` : ''}`,
  );
  out.push('');
  out.push('Ops');
  out.push(
    table(
      ['#', 'op', 'v', 'inputs', 'outputs', 'MACs', 'other ops', 'params', 'param B', 'live B'],
      r.ops.map((o) => [
        String(o.index),
        o.op,
        String(o.version),
        o.inputs.join(' '),
        o.outputs.join(' '),
        n(o.macs),
        n(o.elementOps),
        n(o.params),
        n(o.paramBytes),
        n(o.liveBytes),
      ]),
      new Set([0, 2, 5, 6, 7, 8, 9]),
    ),
  );
  out.push('');
  out.push(
    `Totals: ${n(r.totals.macs)} MACs, ${n(r.totals.elementOps)} other ops, ${n(r.totals.params)} parameters (${formatBytes(r.totals.paramBytes)}), activations ${formatBytes(r.totals.activationBytes)}`,
  );
  out.push('');
  const m = r.memory;
  out.push(`Memory plan (subgraph 0, ${m.alignment}-byte aligned buffers)`);
  out.push(`  arena plan:   ${n(m.planBytes)} B (${m.strategy})`);
  out.push(`  lower bound:  ${n(m.lowerBound)} B (most bytes live at one op)`);
  out.push(`  gap:          ${n(m.gapBytes)} B (${pct(m.gapFraction)})`);
  out.push(
    `  TFLite Micro greedy planner on the same lifetimes: ${n(m.tflmGreedyBytes)} B${m.tflmGreedyBytes > m.planBytes ? ` (ours is ${pct(m.planBytes / m.tflmGreedyBytes)} of it)` : ''}`,
  );
  out.push(...tflmLines('  TFLite Micro arena_used_bytes estimate, 32-bit MCU', r.tflm.mcu32));
  out.push(`  (same on a 64-bit host: ${n(r.tflm.host64.totalBytes)} B)`);
  out.push(`  ${r.tflm.mcu32.basis}`);
  if (m.variableTensors.length)
    out.push(`  variable tensors (live throughout): ${m.variableTensors.join(', ')}`);
  out.push('');
  out.push(
    table(
      ['tensor', 'kind', 'bytes', 'offset', 'live ops', 'name'],
      m.tensors
        .filter((t) => t.offset !== null)
        .sort((a, b) => a.offset! - b.offset! || a.tensor - b.tensor)
        .map((t) => [
          String(t.tensor),
          t.kind,
          n(t.bytes),
          n(t.offset!),
          `${t.first}-${t.last}`,
          t.name.length > 48 ? `${t.name.slice(0, 45)}...` : t.name,
        ]),
      new Set([0, 2, 3]),
    ),
  );
  out.push('');
  out.push('Op support');
  for (const s of r.support) {
    const optimized = s.ops.filter((o) => o.status === 'optimized').length;
    const summary = s.supported ? 'all ops supported' : `${s.unsupported.length} unsupported`;
    out.push(
      `  ${s.runtime}: ${summary}${s.runtime === 'cmsis-nn' ? ` (${optimized} of ${s.ops.length} op kinds optimized)` : ''}`,
    );
    for (const u of s.unsupported) out.push(`    - ${u}`);
  }
  out.push('');
  out.push('Fit per board (TinyOps runtime; estimates before a build)');
  out.push(
    table(
      [
        'board',
        'core',
        'MHz',
        'flash est',
        'flash',
        'RAM est',
        'RAM',
        'fits',
        'TFLM ref',
        'TFLM opt',
        'TinyOps',
      ],
      r.boards.map((b) => [
        b.board.id,
        b.board.core,
        String(b.board.clockMhz),
        formatBytes(b.fit.flash.estimate),
        formatBytes(b.fit.flash.capacity),
        formatBytes(b.fit.ram.estimate),
        formatBytes(b.fit.ram.capacity),
        b.fit.fits
          ? 'yes'
          : `NO (${[!b.fit.flash.fits && 'flash', !b.fit.ram.fits && 'RAM'].filter(Boolean).join(', ')})`,
        `${b.latency.reference.ms.toFixed(1)} ms`,
        `${b.latency.optimized.ms.toFixed(1)} ms`,
        `${b.latency.tinyops.ms.toFixed(1)} ms`,
      ]),
      new Set([2, 3, 4, 5, 6, 8, 9, 10]),
    ),
  );
  out.push(
    '  flash = model + runtime (16 KiB budget) + 8 KiB startup/HAL; RAM = arena plan + runtime tables + 4 KiB stack.',
  );
  out.push(
    '  latency: estimates from MACs and per-core cycles per MAC: TFLite Micro with reference or optimized kernels, and the TinyOps runtime; M4 calibrated to instruction counts under QEMU.',
  );
  if (r.boards.length === 1) out.push(`  basis: ${r.boards[0].latency.optimized.basis}`);
  for (const note of r.notes) out.push(`Note: ${note}`);
  return out.join('\n');
}
