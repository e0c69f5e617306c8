import { formatBytes } from '../config/units';
import type { BuildReport } from './build';

/** The job summary of a build: totals against the board, then the section table. */
export function renderBuildSummary(report: BuildReport): string {
  const s = report.sizes;
  const cap = report.capacity;
  const pct = (n: number, c?: number) => (c ? `${((n / c) * 100).toFixed(1)}%` : '—');
  return [
    `### TinyOps cross-compile: ${report.board}${report.port ? ` (port \`${report.port}\`)` : ''}`,
    '',
    `${report.toolchain}${report.model ? ` · model \`${report.model.path}\` (${formatBytes(report.model.bytes)})` : ''}${report.arenaBytes !== null ? ` · arena ${formatBytes(report.arenaBytes)} (offline plan)` : ''}`,
    '',
    '| | Used | Capacity | Used % | Free |',
    '|---|---:|---:|---:|---:|',
    `| Flash (text + data) | ${formatBytes(s.flash)} | ${cap ? formatBytes(cap.flash) : '—'} | ${pct(s.flash, cap?.flash)} | ${cap ? formatBytes(cap.flash - s.flash) : '—'} |`,
    `| RAM (data + bss) | ${formatBytes(s.ram)} | ${cap ? formatBytes(cap.ram) : '—'} | ${pct(s.ram, cap?.ram)} | ${cap ? formatBytes(cap.ram - s.ram) : '—'} |`,
    '',
    '<details><summary>Sections</summary>',
    '',
    '| Section | Kind | Address | Size |',
    '|---|---|---:|---:|',
    ...report.sections.map(
      (x) =>
        `| \`${x.name}\` | ${x.kind} | 0x${x.addr.toString(16).padStart(8, '0')} | ${x.size} |`,
    ),
    '',
    '</details>',
    '',
  ].join('\n');
}
