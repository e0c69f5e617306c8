import { lifetimesOverlap, type PlanBuffer, type TensorLifetime } from './lifetimes';

/** Arena offsets for a set of buffers, and what it costs. */
export interface ArenaPlan {
  /** Offset in bytes per buffer id (tensor index). */
  offsets: Map<number, number>;
  /** Bytes the plan needs: the highest end of any placed buffer. */
  size: number;
  /** The ordering that produced this plan. */
  strategy: string;
}

type Placement = 'first-fit' | 'best-fit';

/**
 * Places buffers one at a time, in the given order, at an offset that does not overlap any
 * already placed buffer whose lifetime overlaps. 'first-fit' takes the lowest such offset (TFLite
 * Micro's GreedyMemoryPlanner); 'best-fit' the smallest gap that holds it, else the lowest end.
 */
export function placeInOrder(
  order: PlanBuffer[],
  placement: Placement = 'first-fit',
): { offsets: Map<number, number>; size: number } {
  const placed: Array<{ b: PlanBuffer; offset: number }> = [];
  const offsets = new Map<number, number>();
  let size = 0;
  for (const b of order) {
    // Live neighbours in offset order; gaps between them are candidate slots.
    const live = placed
      .filter((p) => lifetimesOverlap(p.b, b))
      .sort((x, y) => x.offset - y.offset || x.b.size - y.b.size);
    let chosen = -1;
    let chosenWaste = Infinity;
    let cursor = 0;
    for (const p of live) {
      const gap = p.offset - cursor;
      if (gap >= b.size) {
        if (placement === 'first-fit') {
          chosen = cursor;
          break;
        }
        if (gap - b.size < chosenWaste) {
          chosenWaste = gap - b.size;
          chosen = cursor;
        }
      }
      cursor = Math.max(cursor, p.offset + p.b.size);
    }
    if (chosen < 0) chosen = cursor;
    placed.push({ b, offset: chosen });
    offsets.set(b.id, chosen);
    size = Math.max(size, chosen + b.size);
  }
  return { offsets, size };
}

/** TFLite Micro's ordering: largest first. It fills its sort array from the tail (so in reverse
 * tensor order) and sorts with a stable bubble sort, so equal sizes go highest tensor index first.
 * That tie order matters: on vww01 it is the difference between 64,512 and 73,728 bytes. */
export function bySizeDescending(buffers: PlanBuffer[]): PlanBuffer[] {
  return [...buffers].sort((a, b) => b.size - a.size || b.id - a.id);
}

const span = (b: PlanBuffer) => b.last - b.first + 1;

/** Orderings tried by the best-of planner. Each is a heuristic that wins on some graphs. */
const ORDERINGS: Record<string, (buffers: PlanBuffer[]) => PlanBuffer[]> = {
  size: (bs) => [...bs].sort((a, b) => b.size - a.size || a.id - b.id),
  'size*lifetime': (bs) =>
    [...bs].sort((a, b) => b.size * span(b) - a.size * span(a) || b.size - a.size || a.id - b.id),
  lifetime: (bs) => [...bs].sort((a, b) => span(b) - span(a) || b.size - a.size || a.id - b.id),
  'first-use': (bs) => [...bs].sort((a, b) => a.first - b.first || b.size - a.size || a.id - b.id),
  // Conflict weight: how much memory a buffer competes with; place the most constrained first.
  conflict: (bs) => {
    const weight = new Map<number, number>();
    for (const a of bs) {
      let w = 0;
      for (const c of bs) if (c !== a && lifetimesOverlap(a, c)) w += c.size;
      weight.set(a.id, w + a.size);
    }
    return [...bs].sort(
      (a, b) => weight.get(b.id)! - weight.get(a.id)! || b.size - a.size || a.id - b.id,
    );
  },
};

/** TFLite Micro's GreedyMemoryPlanner: by size (its tie order), first fit. */
export function greedyBySizePlan(buffers: PlanBuffer[]): ArenaPlan {
  const { offsets, size } = placeInOrder(bySizeDescending(buffers), 'first-fit');
  return { offsets, size, strategy: 'size/first-fit' };
}

/**
 * Tries every ordering with first-fit and best-fit placement and keeps the smallest plan (ties go
 * to the earlier strategy, so TFLite Micro's greedy-by-size wins ties and the result is never
 * worse than it). If no ordering meets the lower bound, a short local search swaps pairs in the
 * best order (seeded, so results are reproducible) and keeps swaps that do not make it worse.
 * Stops as soon as a plan meets the lower bound, which no plan can beat.
 */
export function bestPlan(
  buffers: PlanBuffer[],
  lowerBound = memoryLowerBound(buffers),
  searchSteps = 300,
): ArenaPlan {
  let best = greedyBySizePlan(buffers);
  let bestOrder = bySizeDescending(buffers);
  if (best.size <= lowerBound) return best;
  for (const [name, order] of Object.entries(ORDERINGS)) {
    const ordered = order(buffers);
    for (const placement of ['first-fit', 'best-fit'] as const) {
      const plan = placeInOrder(ordered, placement);
      if (plan.size < best.size) {
        best = { ...plan, strategy: `${name}/${placement}` };
        bestOrder = ordered;
      }
      if (best.size <= lowerBound) return best;
    }
  }
  // Local search: cost grows with n^2 per step, so large graphs get fewer steps.
  const steps = Math.min(
    searchSteps,
    Math.floor(2e6 / Math.max(1, buffers.length * buffers.length)),
  );
  let order = bestOrder;
  let size = placeInOrder(order, 'first-fit').size;
  let seed = 0x9e3779b9;
  const rand = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return seed / 4294967296;
  };
  for (let k = 0; k < steps && best.size > lowerBound; k++) {
    const i = Math.floor(rand() * order.length);
    const j = Math.floor(rand() * order.length);
    if (i === j) continue;
    const next = [...order];
    [next[i], next[j]] = [next[j], next[i]];
    const plan = placeInOrder(next, 'first-fit');
    if (plan.size <= size) {
      order = next;
      size = plan.size;
      if (plan.size < best.size) best = { ...plan, strategy: 'local-search/first-fit' };
    }
  }
  return best;
}

/** Bytes live at each op step: the sum of the sizes of buffers whose lifetime covers it. */
export function liveProfile(buffers: PlanBuffer[], steps: number): number[] {
  const profile = new Array<number>(Math.max(steps, 1)).fill(0);
  for (const b of buffers)
    for (let s = b.first; s <= b.last && s < profile.length; s++) profile[s] += b.size;
  return profile;
}

/** No plan can use fewer bytes than the most memory live at any one step. */
export function memoryLowerBound(buffers: PlanBuffer[]): number {
  const steps = buffers.reduce((m, b) => Math.max(m, b.last + 1), 1);
  return Math.max(0, ...liveProfile(buffers, steps));
}

/** Checks a plan: every buffer placed at a non-negative offset, no two live at once overlap in
 * memory, the size covers every buffer. Returns the problems found (empty when valid). */
export function verifyPlan(
  buffers: PlanBuffer[],
  plan: { offsets: Map<number, number>; size: number },
): string[] {
  const problems: string[] = [];
  for (const b of buffers) {
    const o = plan.offsets.get(b.id);
    if (o === undefined || o < 0) problems.push(`buffer ${b.id} is not placed`);
    else if (o + b.size > plan.size)
      problems.push(`buffer ${b.id} ends at ${o + b.size}, past the plan size ${plan.size}`);
  }
  for (let i = 0; i < buffers.length; i++)
    for (let j = i + 1; j < buffers.length; j++) {
      const a = buffers[i];
      const b = buffers[j];
      if (!lifetimesOverlap(a, b)) continue;
      const oa = plan.offsets.get(a.id)!;
      const ob = plan.offsets.get(b.id)!;
      if (oa < ob + b.size && ob < oa + a.size)
        problems.push(`buffers ${a.id} and ${b.id} are live together and overlap in memory`);
    }
  return problems;
}

/**
 * The plan as TFLite Micro's OfflineMemoryAllocation values: one arena offset per tensor of the
 * subgraph, -1 for tensors not in the arena (constants, unused), to be encoded with
 * encodeOfflineMemoryAllocation and written as the model's metadata.
 */
export function offlineAllocationValues(lifetimes: TensorLifetime[], plan: ArenaPlan): number[] {
  return lifetimes.map((l) => plan.offsets.get(l.tensor) ?? -1);
}
