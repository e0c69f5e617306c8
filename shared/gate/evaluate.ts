import type { Budgets, Check, CheckId, CheckStatus, Figure } from './types';
import { formatBytes } from '../config/units';

export interface TargetFacts {
  flash: Figure | null;
  ram: Figure | null;
  latencyMs: Figure | null;
  accuracy: Figure | null;
  /** The board's physical capacity, a limit even without a budget. */
  boardFlash: number | null;
  boardRam: number | null;
  /** Ops the target runtime cannot run, each with the reason. */
  unsupportedOps: string[];
}

export interface BaselineFacts {
  flash: number | null;
  ram: number | null;
  latencyMs: number | null;
  accuracy: number | null;
}

const fmtMs = (ms: number) => `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
const fmtPct = (f: number) => `${(f * 100).toFixed(2)}%`;

/** Applies the budgets to one target's figures. Upper limits (flash, RAM, latency) fail when
 * exceeded and warn inside the headroom margin; accuracy fails below its floor. */
export function evaluateTarget(
  facts: TargetFacts,
  budgets: Budgets,
  baseline: BaselineFacts | null,
): Check[] {
  const checks: Check[] = [
    upperLimit(
      'flash',
      'Flash',
      facts.flash,
      budgets.maxFlash,
      facts.boardFlash,
      baseline?.flash ?? null,
      budgets.headroomWarning,
      formatBytes,
    ),
    upperLimit(
      'ram',
      'RAM',
      facts.ram,
      budgets.maxRam,
      facts.boardRam,
      baseline?.ram ?? null,
      budgets.headroomWarning,
      formatBytes,
    ),
    upperLimit(
      'latency',
      'Latency',
      facts.latencyMs,
      budgets.maxLatencyMs,
      null,
      baseline?.latencyMs ?? null,
      budgets.headroomWarning,
      fmtMs,
    ),
    accuracyFloor(facts.accuracy, budgets.minAccuracy, baseline?.accuracy ?? null),
    accuracyDrop(facts.accuracy, budgets.maxAccuracyDrop, baseline?.accuracy ?? null),
    {
      id: 'ops',
      label: 'Op support',
      limit: null,
      limitSource: 'none',
      figure: null,
      baseline: null,
      headroom: null,
      status: facts.unsupportedOps.length ? 'fail' : 'pass',
      message: facts.unsupportedOps.length
        ? `the runtime cannot run: ${facts.unsupportedOps.join('; ')}`
        : 'every op is supported by the runtime',
    },
  ];
  return checks;
}

function upperLimit(
  id: CheckId,
  label: string,
  figure: Figure | null,
  budget: number | undefined,
  capacity: number | null,
  baseline: number | null,
  headroomWarning: number,
  fmt: (n: number) => string,
): Check {
  // A budget is the team's own limit; without one the board's capacity still applies.
  const limit = budget ?? capacity ?? null;
  const limitSource = budget !== undefined ? 'budget' : capacity !== null ? 'board' : 'none';
  if (!figure)
    return skip(
      id,
      label,
      limit,
      limitSource,
      `no ${label.toLowerCase()} figure (give a build or hil-test report, or a board)`,
    );
  if (limit === null)
    return {
      id,
      label,
      limit,
      limitSource,
      figure,
      baseline,
      headroom: null,
      status: 'pass',
      message: `${fmt(figure.value)}, no limit set`,
    };
  const headroom = (limit - figure.value) / limit;
  let status: CheckStatus = 'pass';
  let message = `${fmt(figure.value)} of ${fmt(limit)} (${fmtPct(headroom)} free)`;
  if (figure.value > limit) {
    status = 'fail';
    message = `${fmt(figure.value)} exceeds the ${limitSource === 'budget' ? 'budget' : "board's capacity"} of ${fmt(limit)} by ${fmt(figure.value - limit)}`;
  } else if (capacity !== null && figure.value > capacity) {
    status = 'fail';
    message = `${fmt(figure.value)} exceeds the board's capacity of ${fmt(capacity)}`;
  } else if (headroom < headroomWarning) {
    status = 'warn';
    message = `${fmt(figure.value)} of ${fmt(limit)}: only ${fmtPct(headroom)} headroom left (warning below ${fmtPct(headroomWarning)})`;
  }
  return { id, label, limit, limitSource, figure, baseline, headroom, status, message };
}

function accuracyFloor(
  figure: Figure | null,
  min: number | undefined,
  baseline: number | null,
): Check {
  const base = {
    id: 'accuracy' as const,
    label: 'Accuracy',
    limit: min ?? null,
    limitSource: (min !== undefined ? 'budget' : 'none') as Check['limitSource'],
  };
  if (!figure)
    return skip(
      base.id,
      base.label,
      base.limit,
      base.limitSource,
      'no validation set or hil-test report',
    );
  if (min === undefined)
    return {
      ...base,
      figure,
      baseline,
      headroom: null,
      status: 'pass',
      message: `${fmtPct(figure.value)}, no minimum set`,
    };
  const ok = figure.value >= min;
  return {
    ...base,
    figure,
    baseline,
    headroom: figure.value - min,
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `${fmtPct(figure.value)} (minimum ${fmtPct(min)})`
      : `${fmtPct(figure.value)} is below the minimum of ${fmtPct(min)}`,
  };
}

function accuracyDrop(
  figure: Figure | null,
  maxDrop: number | undefined,
  baseline: number | null,
): Check {
  const base = {
    id: 'accuracy-drop' as const,
    label: 'Accuracy drop',
    limit: maxDrop ?? null,
    limitSource: (maxDrop !== undefined ? 'budget' : 'none') as Check['limitSource'],
  };
  if (maxDrop === undefined)
    return skip(base.id, base.label, null, 'none', 'no max-accuracy-drop set');
  if (!figure || baseline === null)
    return skip(
      base.id,
      base.label,
      maxDrop,
      'budget',
      'needs the accuracy of both this model and the baseline',
    );
  const drop = baseline - figure.value;
  const ok = drop <= maxDrop;
  return {
    ...base,
    figure: {
      value: drop,
      source: figure.source,
      basis: `baseline ${fmtPct(baseline)} minus ${fmtPct(figure.value)}`,
    },
    baseline,
    headroom: maxDrop - drop,
    status: ok ? 'pass' : 'fail',
    message: ok
      ? `${drop >= 0 ? 'dropped' : 'improved'} ${fmtPct(Math.abs(drop))} against the baseline (limit ${fmtPct(maxDrop)})`
      : `dropped ${fmtPct(drop)} against the baseline, more than the ${fmtPct(maxDrop)} allowed`,
  };
}

function skip(
  id: CheckId,
  label: string,
  limit: number | null,
  limitSource: Check['limitSource'],
  why: string,
): Check {
  return {
    id,
    label,
    limit,
    limitSource,
    figure: null,
    baseline: null,
    headroom: null,
    status: 'skip',
    message: why,
  };
}

/** Whether a target passes under the fail-on policy. */
export function targetPasses(checks: Check[], failOn: 'error' | 'warning' | 'never'): boolean {
  if (failOn === 'never') return true;
  return !checks.some((c) => c.status === 'fail' || (failOn === 'warning' && c.status === 'warn'));
}
