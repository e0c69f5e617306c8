/**
 * Model analysis: per-op cost, tensor lifetimes, the arena plan with its lower bound, TFLite
 * Micro's arena beside it, op support per runtime, fit and latency per board. Everything here is
 * computed from the model alone (no build), so figures are estimates where they say so.
 */
import { TinyOpsError } from '../errors';
import type { Model } from '../tflite/ir';
import { BOARDS, findBoard, type Board } from './boards';
import { costTotals, opCosts, type CostTotals, type OpCost } from './cost';
import { boardFit, type BoardFit } from './fit';
import { estimateLatency, type LatencyEstimate } from './latency';
import { ARENA_ALIGNMENT, arenaBuffers, tensorLifetimes, type TensorKind } from './lifetimes';
import {
  bestPlan,
  greedyBySizePlan,
  liveProfile,
  memoryLowerBound,
  offlineAllocationValues,
  verifyPlan,
} from './planner';
import { allRuntimeSupport, type RuntimeSupport } from './support';
import { estimateTflmArena, type TflmArenaEstimate } from './tflm-estimate';

export * from './boards';
export * from './cost';
export * from './fit';
export * from './latency';
export * from './lifetimes';
export * from './planner';
export * from './support';
export * from './tflm-estimate';
export * from './offline-plan';

export interface PlannedTensor {
  tensor: number;
  name: string;
  kind: TensorKind;
  bytes: number;
  alignedBytes: number;
  first: number;
  last: number;
  /** Arena offset, or null for tensors outside the arena (constants, unused). */
  offset: number | null;
}

export interface MemoryReport {
  alignment: number;
  /** Our plan: the best of several orderings, never worse than TFLite Micro's greedy planner. */
  planBytes: number;
  strategy: string;
  /** No plan of these lifetimes can be smaller: the most aligned bytes live at one op step. */
  lowerBound: number;
  gapBytes: number;
  /** (plan - bound) / bound. */
  gapFraction: number;
  /** TFLite Micro's GreedyMemoryPlanner on the same buffers (variables included; TFLite Micro
   * itself keeps variables in its persistent tail, see the TFLM estimate). */
  tflmGreedyBytes: number;
  /** Live aligned bytes at each op step (the per-op profile). */
  profile: number[];
  tensors: PlannedTensor[];
  variableTensors: number[];
  /** The plan as OfflineMemoryAllocation values (per tensor offset, -1 outside the arena). */
  offlineAllocation: number[];
}

export interface BoardReport {
  board: Board;
  fit: BoardFit;
  /** TFLite Micro (reference kernels, or the core's optimized library) and the TinyOps runtime. */
  latency: { reference: LatencyEstimate; optimized: LatencyEstimate; tinyops: LatencyEstimate };
}

export interface AnalysisReport {
  schemaVersion: 1;
  model: { source: string | null; bytes: number; subgraphs: number; tensors: number; ops: number };
  ops: Array<OpCost & { liveBytes: number }>;
  totals: CostTotals;
  memory: MemoryReport;
  tflm: { mcu32: TflmArenaEstimate; host64: TflmArenaEstimate };
  support: RuntimeSupport[];
  boards: BoardReport[];
  notes: string[];
}

export interface AnalyzeOptions {
  /** Analyze for this board only (id or alias); all boards otherwise. */
  board?: string;
  source?: string;
}

/** The arena plan and its bound for subgraph 0. */
export function planMemory(model: Model): MemoryReport {
  const lifetimes = tensorLifetimes(model);
  const buffers = arenaBuffers(lifetimes);
  const lowerBound = memoryLowerBound(buffers);
  const plan = bestPlan(buffers, lowerBound);
  const problems = verifyPlan(buffers, plan);
  if (problems.length) throw new Error(`memory planner produced an invalid plan: ${problems[0]}`);
  const steps = model.subgraphs[0].operators.length;
  return {
    alignment: ARENA_ALIGNMENT,
    planBytes: plan.size,
    strategy: plan.strategy,
    lowerBound,
    gapBytes: plan.size - lowerBound,
    gapFraction: lowerBound > 0 ? (plan.size - lowerBound) / lowerBound : 0,
    tflmGreedyBytes: greedyBySizePlan(buffers).size,
    profile: liveProfile(buffers, steps),
    tensors: lifetimes.map((l) => ({ ...l, offset: plan.offsets.get(l.tensor) ?? null })),
    variableTensors: lifetimes.filter((l) => l.kind === 'variable').map((l) => l.tensor),
    offlineAllocation: offlineAllocationValues(lifetimes, plan),
  };
}

export function analyzeModel(
  model: Model,
  modelBytes: number,
  options: AnalyzeOptions = {},
): AnalysisReport {
  const boards = options.board !== undefined ? [findBoard(options.board)] : [...BOARDS];
  if (model.subgraphs.length === 0)
    throw new TinyOpsError('MODEL_EMPTY', 'The model has no subgraph to analyze', {
      where: options.source,
      hint: 'Give a model made by the TFLite converter; an empty model has nothing to run.',
    });
  const sg = model.subgraphs[0];
  const costs = opCosts(model);
  const memory = planMemory(model);
  const notes: string[] = [];
  if (model.subgraphs.length > 1)
    notes.push(
      `The model has ${model.subgraphs.length} subgraphs; costs and the plan cover subgraph 0 only.`,
    );
  if (memory.variableTensors.length)
    notes.push(
      `${memory.variableTensors.length} variable tensor(s) hold state across invocations: live for the whole run in our plan; TFLite Micro keeps them in its persistent tail.`,
    );
  return {
    schemaVersion: 1,
    model: {
      source: options.source ?? null,
      bytes: modelBytes,
      subgraphs: model.subgraphs.length,
      tensors: sg.tensors.length,
      ops: sg.operators.length,
    },
    ops: costs.map((c) => ({ ...c, liveBytes: memory.profile[c.index] ?? 0 })),
    totals: costTotals(model, costs),
    memory,
    tflm: { mcu32: estimateTflmArena(model, 4), host64: estimateTflmArena(model, 8) },
    support: allRuntimeSupport(model),
    boards: boards.map((board) => ({
      board,
      fit: boardFit(
        board,
        'tinyops',
        modelBytes,
        memory.planBytes,
        sg.tensors.length,
        sg.operators.length,
      ),
      latency: {
        reference: estimateLatency(costs, board, 'reference'),
        optimized: estimateLatency(costs, board, 'optimized'),
        tinyops: estimateLatency(costs, board, 'tinyops'),
      },
    })),
    notes,
  };
}
