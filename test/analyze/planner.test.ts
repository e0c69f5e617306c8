import * as fs from 'node:fs';
import { loadModelFile, readModel, readModelMetadata, writeModel } from '../../shared/tflite';
import {
  arenaBuffers,
  bestPlan,
  greedyBySizePlan,
  lifetimesOverlap,
  liveProfile,
  memoryLowerBound,
  offlineAllocationValues,
  planMemory,
  tensorLifetimes,
  verifyPlan,
  withOfflinePlan,
  type PlanBuffer,
} from '../../shared/analyze';
import { describeWithReference, referencePath } from '../helpers/reference';
import { buildModel, prng, randomGraph } from './helpers';

describe('arena planner on random graphs', () => {
  it('never overlaps two live tensors, never beats the bound, never loses to greedy-by-size (400 graphs)', () => {
    let atBound = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const model = randomGraph(seed);
      const buffers = arenaBuffers(tensorLifetimes(model));
      const bound = memoryLowerBound(buffers);
      const greedy = greedyBySizePlan(buffers);
      const best = bestPlan(buffers, bound);
      expect({ seed, problems: verifyPlan(buffers, greedy) }).toEqual({ seed, problems: [] });
      expect({ seed, problems: verifyPlan(buffers, best) }).toEqual({ seed, problems: [] });
      expect(best.size).toBeGreaterThanOrEqual(bound);
      expect(best.size).toBeLessThanOrEqual(greedy.size);
      for (const b of buffers) expect(best.offsets.get(b.id)! % 16).toBe(0);
      if (best.size === bound) atBound++;
    }
    // The bound is not always reachable, but on most graphs it is.
    expect(atBound).toBeGreaterThan(380);
  });

  it('checks overlap independently of the planner on raw interval sets', () => {
    const rand = prng(99);
    for (let k = 0; k < 200; k++) {
      const buffers: PlanBuffer[] = Array.from({ length: 2 + Math.floor(rand() * 25) }, (_, id) => {
        const first = Math.floor(rand() * 20);
        return {
          id,
          size: 16 * (1 + Math.floor(rand() * 64)),
          first,
          last: first + Math.floor(rand() * 6),
        };
      });
      const plan = bestPlan(buffers);
      for (const a of buffers)
        for (const b of buffers) {
          if (a.id >= b.id || !lifetimesOverlap(a, b)) continue;
          const oa = plan.offsets.get(a.id)!;
          const ob = plan.offsets.get(b.id)!;
          expect(oa + a.size <= ob || ob + b.size <= oa).toBe(true);
        }
      expect(plan.size).toBeGreaterThanOrEqual(memoryLowerBound(buffers));
    }
  });

  it('the bound is the peak of the live profile', () => {
    const buffers: PlanBuffer[] = [
      { id: 0, size: 32, first: 0, last: 1 },
      { id: 1, size: 48, first: 1, last: 2 },
      { id: 2, size: 16, first: 2, last: 3 },
    ];
    expect(liveProfile(buffers, 4)).toEqual([32, 80, 64, 16]);
    expect(memoryLowerBound(buffers)).toBe(80);
  });
});

describe('tensor lifetimes', () => {
  it('inputs live from the start, outputs to the end, intermediates producer to last reader; constants are not arena', () => {
    // t0 (input) -> op0 -> t2 -> op1 -> t3 ; op1 also reads t0; t1 is a weight; t4 a variable; op2 reads t3 -> t5 (output)
    const model = buildModel({
      tensors: [
        { shape: [1, 10] },
        { shape: [10], constant: true },
        { shape: [1, 20] },
        { shape: [1, 30] },
        { shape: [1, 8], variable: true },
        { shape: [1, 5] },
      ],
      ops: [
        { op: 'ADD', inputs: [0, 1], outputs: [2] },
        { op: 'ADD', inputs: [2, 0, 4], outputs: [3] },
        { op: 'ADD', inputs: [3], outputs: [5] },
      ],
      inputs: [0],
      outputs: [5],
    });
    const lt = tensorLifetimes(model);
    expect(lt.map((l) => [l.kind, l.first, l.last])).toEqual([
      ['activation', 0, 1],
      ['constant', 0, 0],
      ['activation', 0, 1],
      ['activation', 1, 2],
      ['variable', 0, 2],
      ['activation', 2, 2],
    ]);
    expect(lt[2].alignedBytes).toBe(32);
    const values = offlineAllocationValues(lt, bestPlan(arenaBuffers(lt)));
    expect(values[1]).toBe(-1);
    expect(values.filter((v) => v >= 0)).toHaveLength(5);
  });
});

const PLAN_MODELS = [
  'mlperf-tiny/kws01_ref_int8.tflite',
  'mlperf-tiny/vww01_96_int8.tflite',
  'mlperf-tiny/ic01_resnet_quant.tflite',
  'mlperf-tiny/ad01_int8.tflite',
];

describeWithReference('arena plan on the reference models', () => {
  const index = JSON.parse(
    fs.readFileSync(referencePath('golden', 'index.json'), 'utf8'),
  ) as Record<string, { model: string; arena_head_bytes: number }>;
  const models = [...new Set([...PLAN_MODELS, ...Object.values(index).map((e) => e.model)])];

  it.each(models)('%s: valid plan within 5%% of the lower bound', (rel) => {
    const { model } = loadModelFile(referencePath(rel));
    const buffers = arenaBuffers(tensorLifetimes(model));
    const memory = planMemory(model);
    expect(memory.planBytes).toBeGreaterThanOrEqual(memory.lowerBound);
    expect(memory.planBytes).toBeLessThanOrEqual(memory.lowerBound * 1.05);
    expect(memory.planBytes).toBeLessThanOrEqual(memory.tflmGreedyBytes);
    const offsets = new Map(
      memory.tensors.filter((t) => t.offset !== null).map((t) => [t.tensor, t.offset!]),
    );
    expect(verifyPlan(buffers, { offsets, size: memory.planBytes })).toEqual([]);
  });

  it("our greedy-by-size reproduces TFLite Micro's planned head on every golden model", () => {
    for (const [name, entry] of Object.entries(index)) {
      const { model } = loadModelFile(referencePath(entry.model));
      const head = greedyBySizePlan(
        arenaBuffers(tensorLifetimes(model), { includeVariables: false }),
      ).size;
      expect({ name, head }).toEqual({ name, head: entry.arena_head_bytes });
    }
  });

  it("vww01: the best-of planner reaches the bound, 75% of TFLite Micro's head", () => {
    const { model } = loadModelFile(referencePath('mlperf-tiny/vww01_96_int8.tflite'));
    const memory = planMemory(model);
    expect(memory.tflmGreedyBytes).toBe(73728);
    expect(memory.planBytes).toBe(memory.lowerBound);
    expect(memory.planBytes).toBe(55296);
  });

  it('the plan written as OfflineMemoryAllocation metadata reads back from the .tflite', () => {
    const { model } = loadModelFile(referencePath('mlperf-tiny/kws01_ref_int8.tflite'));
    const memory = planMemory(model);
    const bytes = writeModel(withOfflinePlan(model, memory.offlineAllocation));
    const back = readModelMetadata(readModel(bytes));
    expect(back.offlineMemoryAllocation?.offsets).toEqual(memory.offlineAllocation);
    expect(back.offlineMemoryAllocation?.offsets.filter((o) => o >= 0).length).toBe(
      memory.tensors.filter((t) => t.offset !== null).length,
    );
  });
});
