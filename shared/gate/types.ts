/** A figure the gate judges, and where it came from: measured on a build or a device, or
 * estimated from the model (with the basis of the estimate). */
export interface Figure {
  value: number;
  source: 'measured' | 'estimated';
  basis: string;
}

export type CheckId = 'flash' | 'ram' | 'latency' | 'accuracy' | 'accuracy-drop' | 'ops';
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Budgets {
  maxFlash?: number;
  maxRam?: number;
  maxLatencyMs?: number;
  minAccuracy?: number;
  maxAccuracyDrop?: number;
  /** Warn when a figure uses more than (1 - headroomWarning) of its limit. */
  headroomWarning: number;
}

export interface Check {
  id: CheckId;
  label: string;
  /** The limit applied: the budget, or the board's capacity when no budget is set. */
  limit: number | null;
  limitSource: 'budget' | 'board' | 'none';
  figure: Figure | null;
  /** The same figure for the baseline, when one is known. */
  baseline: number | null;
  /** Fraction of the limit still free (negative when over). */
  headroom: number | null;
  status: CheckStatus;
  message: string;
}

export interface TargetVerdict {
  target: string;
  board: string | null;
  passed: boolean;
  checks: Check[];
}
