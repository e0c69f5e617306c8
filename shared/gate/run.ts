import { createHash } from 'node:crypto';
import type { Model } from '../tflite/ir';
import type { TinyOpsConfigFile } from '../config/tinyops-yml';
import { readModel } from '../tflite/model';
import {
  analyzeModel,
  boardFit,
  estimateLatency,
  runtimeSupport,
  type AnalysisReport,
} from '../analyze';
import { TINYOPS_VERSION } from '../version';
import { findBoard } from '../analyze/boards';
import { stickyMarker } from '../report/marker';
import { evaluateTarget, targetPasses, type BaselineFacts, type TargetFacts } from './evaluate';
import { renderTargetMarkdown, type LayerRow } from './markdown';
import type { GateTarget } from './targets';
import type { Check, Figure, TargetVerdict } from './types';

export type FailOn = 'error' | 'warning' | 'never';

/** Figures measured by later steps, which replace the estimates when given. */
export interface MeasuredFigures {
  /** The board the figures were measured on; they apply to that board's target only. Unset:
   * they apply to every target (the accuracy of firmware bit-exact with the host reference). */
  board?: string;
  flash?: Figure;
  ram?: Figure;
  latencyMs?: Figure;
  accuracy?: Figure;
}

/** What the gate compares against: another model (e.g. the file at the PR's base commit), or
 * the figures of an earlier gate report. */
export type Baseline =
  | { kind: 'model'; source: string; bytes: Uint8Array; accuracy?: number }
  | { kind: 'report'; source: string; report: GateReport };

export interface GateInput {
  /** tinyops.yml as read (empty when there is none). */
  config: TinyOpsConfigFile;
  modelPath: string;
  modelBytes: Uint8Array;
  model: Model;
  targets: GateTarget[];
  failOn: FailOn;
  /** From the build and hil-test reports, each scoped by its own board (later entries win). */
  measured?: MeasuredFigures[];
  /** Accuracy on the validation set, when one was given (host interpreter: an estimate of the
   * device's, which hil-test measures). */
  accuracy?: Figure;
  baseline?: Baseline;
}

export interface GateTargetReport extends TargetVerdict {
  arena: { planned: number; lowerBound: number; tflmEstimate: number | null } | null;
}

export interface GateReport {
  schemaVersion: 1;
  kind: 'gate';
  tool: { name: 'tinyops'; version: string };
  model: { path: string; sha256: string; bytes: number };
  baseline: { source: string; sha256: string | null } | null;
  failOn: FailOn;
  passed: boolean;
  targets: GateTargetReport[];
}

export interface GateResult {
  report: GateReport;
  /** Markdown per target, for the job summary and the sticky PR comments. */
  markdown: Map<string, string>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The estimated figures for one target from the model alone: fit and latency priced for the
 * target's own board and runtime (custom boards go through the same functions). */
function estimates(analysis: AnalysisReport, target: GateTarget, model: Model): TargetFacts {
  const sg = model.subgraphs[0];
  const fit = boardFit(
    target.board,
    target.runtime,
    analysis.model.bytes,
    analysis.memory.planBytes,
    sg.tensors.length,
    sg.operators.length,
  );
  const latency = estimateLatency(
    analysis.ops,
    target.board,
    target.runtime === 'cmsis-nn'
      ? 'optimized'
      : target.runtime === 'tinyops'
        ? 'tinyops'
        : 'reference',
  );
  return {
    flash: {
      value: fit.flash.estimate,
      source: 'estimated',
      basis: `model ${analysis.model.bytes} B + ${target.runtime} runtime and app code`,
    },
    ram: {
      value: fit.ram.estimate,
      source: 'estimated',
      basis: `arena ${analysis.memory.planBytes} B (offline plan) + runtime state + stack`,
    },
    latencyMs: { value: latency.ms, source: 'estimated', basis: latency.basis },
    accuracy: null,
    boardFlash: target.board.flashBytes,
    boardRam: target.board.ramBytes,
    unsupportedOps: runtimeSupport(model, target.runtime).unsupported,
  };
}

/** Per-op costs and the memory plan (board-independent; boards are priced in estimates()). */
function analyzeFor(model: Model, bytes: number, source: string): AnalysisReport {
  return analyzeModel(model, bytes, { board: 'qemu-mps2-an386', source });
}

/** Runs the gate: every target's checks, verdict, markdown and the JSON report. */
export function runGate(input: GateInput): GateResult {
  const baselineModel =
    input.baseline?.kind === 'model'
      ? readModel(input.baseline.bytes, input.baseline.source)
      : null;
  const analysis = analyzeFor(input.model, input.modelBytes.length, input.modelPath);
  const baselineAnalysis =
    baselineModel && input.baseline?.kind === 'model'
      ? analyzeFor(baselineModel, input.baseline.bytes.length, input.baseline.source)
      : null;
  const targets: GateTargetReport[] = [];
  const markdown = new Map<string, string>();
  for (const target of input.targets) {
    const facts = estimates(analysis, target, input.model);
    const m = measuredFor(input.measured, target);
    if (m.flash) facts.flash = m.flash;
    if (m.ram) facts.ram = m.ram;
    if (m.latencyMs) facts.latencyMs = m.latencyMs;
    facts.accuracy = m.accuracy ?? input.accuracy ?? null;

    let baseline: BaselineFacts | null = null;
    if (baselineModel && baselineAnalysis && input.baseline?.kind === 'model') {
      const b = estimates(baselineAnalysis, target, baselineModel);
      // Compare like with like: estimates against estimates; measured figures have no base twin.
      baseline = {
        flash: m.flash ? null : b.flash!.value,
        ram: m.ram ? null : b.ram!.value,
        latencyMs: m.latencyMs ? null : b.latencyMs!.value,
        accuracy: input.baseline.accuracy ?? null,
      };
    } else if (input.baseline?.kind === 'report') {
      const prior = input.baseline.report.targets.find((t) => t.target === target.name);
      const value = (id: Check['id']) =>
        prior?.checks.find((c) => c.id === id)?.figure?.value ?? null;
      if (prior)
        baseline = {
          flash: value('flash'),
          ram: value('ram'),
          latencyMs: value('latency'),
          accuracy: value('accuracy'),
        };
    }

    const checks = evaluateTarget(facts, target.budgets, baseline);
    const verdict: GateTargetReport = {
      target: target.name,
      board: target.custom ? null : target.board.id,
      passed: targetPasses(checks, input.failOn),
      checks,
      arena: {
        planned: analysis.memory.planBytes,
        lowerBound: analysis.memory.lowerBound,
        tflmEstimate: analysis.tflm.mcu32.totalBytes,
      },
    };
    targets.push(verdict);
    const layers: LayerRow[] = analysis.ops.map((op) => ({
      index: op.index,
      op: op.op,
      macs: op.macs,
      params: op.params,
      outputShape: parseShape(op.outputs[0]),
      liveBytes: op.liveBytes,
    }));
    markdown.set(
      target.name,
      renderTargetMarkdown({ verdict, layers, arena: verdict.arena }, gateMarker(target.name)),
    );
  }
  const report: GateReport = {
    schemaVersion: 1,
    kind: 'gate',
    tool: { name: 'tinyops', version: TINYOPS_VERSION },
    model: {
      path: input.modelPath,
      sha256: sha256(input.modelBytes),
      bytes: input.modelBytes.length,
    },
    baseline: input.baseline
      ? {
          source: input.baseline.source,
          sha256:
            input.baseline.kind === 'model'
              ? sha256(input.baseline.bytes)
              : input.baseline.report.model.sha256,
        }
      : null,
    failOn: input.failOn,
    passed: targets.every((t) => t.passed),
    targets,
  };
  return { report, markdown };
}

/** The measured figures that apply to a target: each set applies to the board it was measured
 * on (aliases and ports included), or to every target when it names no board. */
function measuredFor(measured: MeasuredFigures[] | undefined, target: GateTarget): MeasuredFigures {
  const applies = (m: MeasuredFigures) => {
    if (!m.board) return true;
    let board: string;
    try {
      board = findBoard(m.board).id;
    } catch {
      board = m.board;
    }
    return board === target.board.id || m.board === target.name;
  };
  return Object.assign({}, ...(measured ?? []).filter(applies)) as MeasuredFigures;
}

/** The hidden marker that finds this gate's sticky comment for a target. */
export function gateMarker(target: string): string {
  return stickyMarker('constraint-gate', target);
}

function parseShape(text: string | undefined): number[] {
  const m = /\[([\d,\s]*)\]/.exec(text ?? '');
  return m && m[1].trim() ? m[1].split(',').map((d) => Number(d.trim())) : [];
}
