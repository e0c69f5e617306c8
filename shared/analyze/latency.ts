/**
 * A latency estimate from op costs: cycles = sum over ops of (MACs x cycles per MAC of its kernel
 * family + other element operations x cycles per element + a per-op dispatch overhead), for the
 * board's core and kernel flavour, divided by the clock. It is an estimate: no caches, wait
 * states, memory placement or DMA are modelled.
 *
 * Basis: the Cortex-M4 figures are instructions per MAC fitted (least squares on relative error)
 * to DESIGN.md's QEMU instruction counts of TFLite Micro on the four MLPerf Tiny int8 models
 * (kws01 133,971,200 reference / 9,226,493 CMSIS-NN; vww01 370,027,933 / 28,557,750; ic01
 * 539,000,860 / 41,072,237; ad01 4,069,651 / 843,707). The fit reproduces the reference counts
 * within 1% and the CMSIS-NN counts within 5%. Pooling, elementwise and softmax per-element costs
 * and the per-op overhead are assumptions (they are under 1% of those models' work). Instructions
 * become cycles with a CPI per core (M4: 1.25 for reference C, 1.15 for the SIMD kernels: loads
 * take two cycles, taken branches up to three). Other cores scale the M4 figures by the
 * relative per-MAC throughput of their kernels, a judgement from their pipelines (M7 dual issue;
 * M0+ without SIMD, the optimized library falls back to plain C; LX7's 128-bit SIMD with esp-nn;
 * LX6 without SIMD; ARC EM9D with embARC MLI's XY-memory MACs). The TinyOps runtime's own
 * figures are fitted the same way to its counts (see TINYOPS_M4); the gate prices a target with
 * the runtime it names (TinyOps by default).
 */
import type { OpCost, KernelFamily } from './cost';
import type { Board, CoreId } from './boards';

/** TFLite Micro's reference kernels, TFLite Micro with the core's optimized library, or the
 * TinyOps runtime (the firmware template's). */
export type KernelFlavour = 'reference' | 'optimized' | 'tinyops';

/** Cortex-M4 instructions per MAC or per element, by kernel family (the calibrated basis). */
const M4_INSTRUCTIONS: Record<'reference' | 'optimized', Record<KernelFamily, number>> = {
  reference: {
    conv: 43.0,
    depthwise: 107.0,
    fc: 15.4,
    pool: 12,
    elementwise: 40,
    softmax: 60,
    move: 1,
    other: 40,
  },
  optimized: {
    conv: 3.27,
    depthwise: 6.54,
    fc: 3.18,
    pool: 2,
    elementwise: 8,
    softmax: 30,
    move: 0.5,
    other: 40,
  },
};
const PER_OP_INSTRUCTIONS = 300;

/** The TinyOps runtime on the Cortex-M4 (its DSP kernels): instructions = per MAC x MACs + per
 * output x outputs + per element x other element operations, fitted by
 * scripts/calibrate-latency.ts to its own per-operator counts under QEMU on the four MLPerf Tiny
 * int8 models (their depthwise layers are all 3x3, so that family has one per-MAC figure). Moves
 * and ops those models lack take the optimized library's figures. */
const TINYOPS_M4: Record<KernelFamily, { perMac: number; perOutput: number; perElement: number }> =
  {
    conv: { perMac: 1.515, perOutput: 62.7, perElement: 0 },
    depthwise: { perMac: 9.644, perOutput: 0, perElement: 0 },
    fc: { perMac: 1.996, perOutput: 122.8, perElement: 0 },
    pool: { perMac: 0, perOutput: 0, perElement: 12.66 },
    elementwise: { perMac: 0, perOutput: 0, perElement: 117.7 },
    softmax: { perMac: 0, perOutput: 0, perElement: 149.3 },
    move: { perMac: 0, perOutput: 0, perElement: 0.5 },
    other: { perMac: 40, perOutput: 0, perElement: 40 },
  };
const TINYOPS_PER_OP_INSTRUCTIONS = 60;
const M4_CPI: Record<KernelFlavour, number> = { reference: 1.25, optimized: 1.15, tinyops: 1.15 };

/** Cycles per MAC relative to the Cortex-M4, by core and flavour. */
/** Cycles per MAC relative to the Cortex-M4, by core and flavour. The TinyOps runtime's SIMD
 * path needs the Arm DSP extension; elsewhere its portable C path runs, about three times the
 * M4's SIMD cost (a judgement, like the other cores' figures). */
const CORE_FACTOR: Record<CoreId, Record<KernelFlavour, number>> = {
  'cortex-m4': { reference: 1.0, optimized: 1.0, tinyops: 1.0 },
  'cortex-m33': { reference: 1.0, optimized: 1.0, tinyops: 1.0 },
  'cortex-m7': { reference: 0.6, optimized: 0.6, tinyops: 0.6 },
  'cortex-m0+': { reference: 1.3, optimized: 4.0, tinyops: 4.0 },
  'xtensa-lx6': { reference: 1.1, optimized: 2.0, tinyops: 3.0 },
  'xtensa-lx7': { reference: 1.1, optimized: 0.5, tinyops: 3.0 },
  'arc-em9d': { reference: 1.0, optimized: 0.8, tinyops: 3.0 },
};

/** Cores with the Arm DSP extension, where the TinyOps runtime's SIMD kernels run. */
const DSP_CORES: ReadonlySet<CoreId> = new Set(['cortex-m4', 'cortex-m33', 'cortex-m7']);

/** The optimized library per core, named in the estimate's basis. */
const OPTIMIZED_LIBRARY: Record<CoreId, string> = {
  'cortex-m4': 'CMSIS-NN',
  'cortex-m33': 'CMSIS-NN',
  'cortex-m7': 'CMSIS-NN',
  'cortex-m0+': 'CMSIS-NN (plain C path, no DSP)',
  'xtensa-lx6': 'esp-nn',
  'xtensa-lx7': 'esp-nn (SIMD)',
  'arc-em9d': 'embARC MLI',
};

export interface LatencyEstimate {
  board: string;
  flavour: KernelFlavour;
  cycles: number;
  ms: number;
  basis: string;
}

/** M4-equivalent instructions for the model with a kernel flavour (the calibrated quantity). */
export function m4Instructions(costs: OpCost[], flavour: KernelFlavour): number {
  if (flavour === 'tinyops')
    return costs.reduce((s, c) => {
      const k = TINYOPS_M4[c.family];
      return (
        s +
        c.macs * k.perMac +
        c.outputBytes * k.perOutput +
        c.elementOps * k.perElement +
        TINYOPS_PER_OP_INSTRUCTIONS
      );
    }, 0);
  const k = M4_INSTRUCTIONS[flavour];
  return costs.reduce(
    (s, c) => s + c.macs * k[c.family] + c.elementOps * k[c.family] + PER_OP_INSTRUCTIONS,
    0,
  );
}

export function estimateLatency(
  costs: OpCost[],
  board: Board,
  flavour: KernelFlavour,
): LatencyEstimate {
  const cycles =
    m4Instructions(costs, flavour) * M4_CPI[flavour] * CORE_FACTOR[board.core][flavour];
  const library =
    flavour === 'optimized'
      ? OPTIMIZED_LIBRARY[board.core]
      : flavour === 'tinyops'
        ? `the TinyOps runtime (${DSP_CORES.has(board.core) ? 'SIMD kernels' : 'portable C kernels'})`
        : 'reference C kernels';
  const fitted =
    flavour === 'tinyops'
      ? 'per-MAC and per-output costs fitted to its own instruction counts on Cortex-M4 (QEMU)'
      : 'per-MAC costs fitted to TFLite Micro instruction counts on Cortex-M4 (QEMU)';
  return {
    board: board.id,
    flavour,
    cycles: Math.round(cycles),
    ms: cycles / (board.clockMhz * 1000),
    basis: `estimate: ${library} on ${board.core} at ${board.clockMhz} MHz; ${fitted}, scaled by core`,
  };
}
