/**
 * Progress for long runs: domain code calls `update(done)`; the reporter forwards at most one
 * event per interval (plus the final one) to a callback, so the CLI can print to stderr a few
 * times per second without flooding logs.
 */
export interface ProgressEvent {
  done: number;
  total: number;
  /** Items per second since start. */
  rate: number;
  elapsedMs: number;
}

export interface ProgressReporter {
  update(done: number): void;
  finish(): void;
}

export function createProgress(
  total: number,
  onProgress: (e: ProgressEvent) => void,
  options: { intervalMs?: number; now?: () => number } = {},
): ProgressReporter {
  const now = options.now ?? (() => Date.now());
  const interval = options.intervalMs ?? 250;
  const start = now();
  let last = -Infinity;
  let lastDone = 0;
  let finished = false;
  const emit = (done: number) => {
    const t = now();
    const elapsedMs = t - start;
    last = t;
    onProgress({ done, total, rate: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0, elapsedMs });
  };
  return {
    update(done) {
      lastDone = done;
      if (now() - last >= interval) emit(done);
    },
    finish() {
      if (!finished) emit(Math.max(lastDone, total));
      finished = true;
    },
  };
}

/** A reporter that does nothing (for callers that don't show progress). */
export const NO_PROGRESS: ProgressReporter = { update() {}, finish() {} };

/** One-line stderr rendering used by the CLI: `label 120/500 (24%) 85.3/s`. */
export function formatProgress(label: string, e: ProgressEvent): string {
  const pct = e.total ? Math.floor((100 * e.done) / e.total) : 100;
  return `${label} ${e.done}/${e.total} (${pct}%) ${e.rate.toFixed(1)}/s`;
}

/** A reporter printing to stderr at most four times a second. */
export function stderrProgress(label: string, total: number): ProgressReporter {
  return createProgress(total, (e) => process.stderr.write(formatProgress(label, e) + '\n'));
}
