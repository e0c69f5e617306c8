import { createHash } from 'node:crypto';
import { TinyOpsError } from '../errors';
import { formatPercent as pct } from '../config/units';

export const DEFAULT_STAGES = [1, 10, 50, 100];

export interface HealthThresholds {
  /** Fraction of reporting devices whose update succeeded, at least. */
  minUpdateSuccessRate: number;
  /** Fraction of reporting devices that crashed, at most. */
  maxCrashRate: number;
  /** Mean latency over baselineLatencyMs, as a fraction (0.1 = 10% slower), at most. */
  maxLatencyRegression: number;
  /** The latency before this release (e.g. the HIL report's); null skips the latency check. */
  baselineLatencyMs: number | null;
}

export const DEFAULT_HEALTH: HealthThresholds = {
  minUpdateSuccessRate: 0.95,
  maxCrashRate: 0.02,
  maxLatencyRegression: 0.1,
  baselineLatencyMs: null,
};

export interface RolloutPlan {
  stages: number[];
  minReportsPerStage: number;
  health: HealthThresholds;
}

/** Checks a stage list: increasing cumulative percentages in (0, 100], ending at 100. */
export function validateStages(stages: number[], where = '--stages'): number[] {
  const bad = (why: string): never => {
    throw new TinyOpsError('OTA_ROLLOUT', `Rollout stages ${stages.join(',')}: ${why}`, {
      where,
      hint: 'Give increasing percentages ending at 100, e.g. 1,10,50,100.',
    });
  };
  if (stages.length === 0) bad('none given');
  stages.forEach((s, i) => {
    if (!Number.isFinite(s) || s <= 0 || s > 100) bad(`${s} is not a percentage in (0, 100]`);
    if (i > 0 && s <= stages[i - 1]) bad('they must increase');
  });
  if (stages[stages.length - 1] !== 100) bad('the last stage must be 100');
  return stages;
}

/** A device's place in the fleet for one release: SHA-256(deviceId \n releaseId) -> [0, 1).
 * Deterministic, uniform, and reshuffled per release so the same devices are not always first. */
export function devicePosition(deviceId: string, releaseId: string): number {
  const digest = createHash('sha256').update(`${deviceId}\n${releaseId}`).digest();
  // 48 bits fit a double exactly.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The stage (index) whose cohort a device belongs to. */
export function deviceStage(deviceId: string, releaseId: string, stages: number[]): number {
  const p = devicePosition(deviceId, releaseId) * 100;
  const i = stages.findIndex((s) => p < s);
  return i === -1 ? stages.length - 1 : i;
}

export interface HealthReport {
  deviceId: string;
  stage: number;
  updated: boolean;
  crashed: boolean;
  latencyMs: number | null;
}

/** Parses one device message; returns null (ignored) for anything malformed. */
export function parseHealthReport(payload: string | Uint8Array): HealthReport | null {
  let data: unknown;
  try {
    data = JSON.parse(
      typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'),
    );
  } catch {
    return null;
  }
  const r = data as Record<string, unknown> | null;
  if (
    !r ||
    typeof r.deviceId !== 'string' ||
    !Number.isInteger(r.stage) ||
    typeof r.updated !== 'boolean' ||
    typeof r.crashed !== 'boolean'
  )
    return null;
  const latency =
    typeof r.latencyMs === 'number' && Number.isFinite(r.latencyMs) ? r.latencyMs : null;
  return {
    deviceId: r.deviceId,
    stage: r.stage as number,
    updated: r.updated,
    crashed: r.crashed,
    latencyMs: latency,
  };
}

export interface CohortHealth {
  stage: number;
  reports: number;
  updateSuccessRate: number | null;
  crashRate: number | null;
  meanLatencyMs: number | null;
  latencyRegression: number | null;
  /** null: too few reports to judge. */
  healthy: boolean | null;
  problems: string[];
}

export interface RolloutState {
  schemaVersion: 1;
  kind: 'ota-rollout';
  releaseId: string;
  version: string;
  stageIndex: number;
  percent: number;
  status: 'rolling' | 'complete' | 'halted';
  decision: 'start' | 'advance' | 'hold' | 'halt';
  reason: string;
  cohorts: CohortHealth[];
  decidedAt: string;
}

export function initialRolloutState(
  releaseId: string,
  version: string,
  plan: RolloutPlan,
  now = new Date(),
): RolloutState {
  return {
    schemaVersion: 1,
    kind: 'ota-rollout',
    releaseId,
    version,
    stageIndex: 0,
    percent: plan.stages[0],
    status: plan.stages.length === 1 ? 'complete' : 'rolling',
    decision: 'start',
    reason: `Rollout started at stage 1 (${plan.stages[0]}% of the fleet).`,
    cohorts: [],
    decidedAt: now.toISOString(),
  };
}

/** Health of each open cohort (stages 0..current) from device reports; the last report per device counts. */
export function cohortHealth(
  reports: HealthReport[],
  stageIndex: number,
  plan: RolloutPlan,
): CohortHealth[] {
  const latest = new Map<string, HealthReport>();
  for (const r of reports) latest.set(r.deviceId, r);
  const out: CohortHealth[] = [];
  for (let stage = 0; stage <= stageIndex; stage++) {
    const cohort = [...latest.values()].filter((r) => r.stage === stage);
    const n = cohort.length;
    if (n === 0) {
      out.push({
        stage,
        reports: 0,
        updateSuccessRate: null,
        crashRate: null,
        meanLatencyMs: null,
        latencyRegression: null,
        healthy: null,
        problems: [],
      });
      continue;
    }
    const success = cohort.filter((r) => r.updated).length / n;
    const crash = cohort.filter((r) => r.crashed).length / n;
    const latencies = cohort.map((r) => r.latencyMs).filter((x): x is number => x !== null);
    const meanLatency = latencies.length
      ? latencies.reduce((a, b) => a + b, 0) / latencies.length
      : null;
    const base = plan.health.baselineLatencyMs;
    const regression = meanLatency !== null && base ? (meanLatency - base) / base : null;
    const problems: string[] = [];
    if (success < plan.health.minUpdateSuccessRate)
      problems.push(`update success ${pct(success)} < ${pct(plan.health.minUpdateSuccessRate)}`);
    if (crash > plan.health.maxCrashRate)
      problems.push(`crash rate ${pct(crash)} > ${pct(plan.health.maxCrashRate)}`);
    if (regression !== null && regression > plan.health.maxLatencyRegression)
      problems.push(
        `latency ${meanLatency!.toFixed(2)} ms is ${pct(regression)} over the ${base} ms baseline (max ${pct(plan.health.maxLatencyRegression)})`,
      );
    const enough = n >= plan.minReportsPerStage;
    // A failing cohort halts only once it has enough reports to judge, so one early crash is not a verdict.
    out.push({
      stage,
      reports: n,
      updateSuccessRate: success,
      crashRate: crash,
      meanLatencyMs: meanLatency,
      latencyRegression: regression,
      healthy: enough ? problems.length === 0 : null,
      problems,
    });
  }
  return out;
}

/** Decides the next rollout state: halt on any failing cohort, hold while the current stage has
 * too few reports, advance otherwise. A halted or complete rollout stays as it is. */
export function decideRollout(
  current: RolloutState,
  reports: HealthReport[],
  plan: RolloutPlan,
  now = new Date(),
): RolloutState {
  const cohorts = cohortHealth(reports, current.stageIndex, plan);
  const base = { ...current, cohorts, decidedAt: now.toISOString() };
  if (current.status === 'halted')
    return { ...base, decision: 'halt', reason: `Rollout is halted: ${current.reason}` };
  const failing = cohorts.filter((c) => c.healthy === false);
  if (failing.length)
    return {
      ...base,
      status: 'halted',
      decision: 'halt',
      reason: `Halted at stage ${current.stageIndex + 1} (${current.percent}%): ${failing.map((c) => `stage ${c.stage + 1} cohort (${c.reports} reports): ${c.problems.join('; ')}`).join(' | ')}.`,
    };
  const open = cohorts[current.stageIndex];
  if (open.reports < plan.minReportsPerStage)
    return {
      ...base,
      decision: 'hold',
      reason: `Holding at stage ${current.stageIndex + 1} (${current.percent}%): ${open.reports} of the ${plan.minReportsPerStage} reports needed.`,
    };
  if (current.stageIndex >= plan.stages.length - 1)
    return {
      ...base,
      status: 'complete',
      decision: 'hold',
      reason: `Rollout complete at 100%; ${open.reports} healthy reports.`,
    };
  const next = current.stageIndex + 1;
  const summary = `update success ${pct(open.updateSuccessRate!)}, crash rate ${pct(open.crashRate!)}${open.meanLatencyMs !== null ? `, mean latency ${open.meanLatencyMs.toFixed(2)} ms` : ''}`;
  return {
    ...base,
    stageIndex: next,
    percent: plan.stages[next],
    status: next === plan.stages.length - 1 ? 'complete' : 'rolling',
    decision: 'advance',
    reason: `Advanced to stage ${next + 1} (${plan.stages[next]}%): stage ${current.stageIndex + 1} healthy with ${open.reports} reports (${summary}).`,
  };
}
