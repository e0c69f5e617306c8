/** One benchmark figure: what was measured and its value with units. */
export interface BenchRow {
  name: string;
  value: string;
}

/** Prints rows as a Markdown table (readable in a terminal and pasteable into a PR). */
export function printTable(title: string, rows: BenchRow[]): void {
  const width = Math.max(6, ...rows.map((r) => r.name.length));
  const valueWidth = Math.max(5, ...rows.map((r) => r.value.length));
  console.log(`\n### ${title}\n`);
  console.log(`| ${'figure'.padEnd(width)} | ${'value'.padStart(valueWidth)} |`);
  console.log(`|${'-'.repeat(width + 2)}|${'-'.repeat(valueWidth + 1)}:|`);
  for (const r of rows)
    console.log(`| ${r.name.padEnd(width)} | ${r.value.padStart(valueWidth)} |`);
}

/** Runs fn repeatedly for at least minMs (and at least minRuns times); returns ms per run (median). */
export function timeIt(fn: () => void, minMs = 300, minRuns = 3): number {
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}
