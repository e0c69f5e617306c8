import type { Board, CoreId } from '../analyze/boards';
import { findBoard } from '../analyze/boards';
import type { RuntimeId } from '../analyze/support';
import { TinyOpsError } from '../errors';
import { parseDurationMs, parseFraction, parseSize } from '../config/units';
import type { BudgetsFile, TinyOpsConfigFile } from '../config/tinyops-yml';
import type { Budgets } from './types';

/** A target the gate checks: a board (from the database or described by the user), the runtime
 * its firmware uses, and the budgets that apply to it. */
export interface GateTarget {
  name: string;
  board: Board;
  custom: boolean;
  runtime: RuntimeId;
  budgets: Budgets;
}

const CONFIG_CORES: Record<string, CoreId> = {
  'cortex-m0plus': 'cortex-m0+',
  'cortex-m3': 'cortex-m4', // no M3 entry in the latency model: priced as an M4 without DSP
  'cortex-m4': 'cortex-m4',
  'cortex-m4f': 'cortex-m4',
  'cortex-m7': 'cortex-m7',
  'cortex-m33': 'cortex-m33',
  'cortex-m55': 'cortex-m33',
  'xtensa-lx6': 'xtensa-lx6',
  'xtensa-lx7': 'xtensa-lx7',
  riscv32: 'cortex-m0+',
};

export const DEFAULT_HEADROOM_WARNING = 0.1;

/** Budgets from the config's top level, overridden by the target's own, overridden by inputs. */
export function resolveBudgets(where: string, ...layers: Array<BudgetsFile | undefined>): Budgets {
  const merged: BudgetsFile = Object.assign({}, ...layers.filter(Boolean));
  const at = (key: string) => `${where}.${key}`;
  return {
    maxFlash:
      merged['max-flash'] !== undefined
        ? parseSize(merged['max-flash'], at('max-flash'))
        : undefined,
    maxRam:
      merged['max-ram'] !== undefined ? parseSize(merged['max-ram'], at('max-ram')) : undefined,
    maxLatencyMs:
      merged['max-latency'] !== undefined
        ? parseDurationMs(merged['max-latency'], at('max-latency'))
        : undefined,
    minAccuracy:
      merged['min-accuracy'] !== undefined
        ? parseFraction(merged['min-accuracy'], at('min-accuracy'))
        : undefined,
    maxAccuracyDrop:
      merged['max-accuracy-drop'] !== undefined
        ? parseFraction(merged['max-accuracy-drop'], at('max-accuracy-drop'))
        : undefined,
    headroomWarning:
      merged['headroom-warning'] !== undefined
        ? parseFraction(merged['headroom-warning'], at('headroom-warning'))
        : DEFAULT_HEADROOM_WARNING,
  };
}

/** The targets of a config, with budgets resolved; `overrides` are the action inputs / CLI flags. */
export function resolveTargets(
  config: TinyOpsConfigFile,
  overrides: { boards?: string[]; budgets?: BudgetsFile },
): GateTarget[] {
  const specs = overrides.boards?.length
    ? overrides.boards.map((board) => ({ board }))
    : (config.targets ?? []);
  if (specs.length === 0)
    throw new TinyOpsError(
      'GATE_NO_TARGET',
      'No target board: the gate needs at least one board to check against',
      {
        hint: 'Give `board` (action input) or --board (CLI), or list `targets:` in tinyops.yml.',
      },
    );
  return specs.map((spec, i) => {
    const where = `targets[${i}]`;
    const s = spec as NonNullable<TinyOpsConfigFile['targets']>[number];
    let board: Board;
    let custom = false;
    if (s.board) {
      board = findBoard(s.board);
    } else {
      if (s.flash === undefined || s.ram === undefined || !s.core)
        throw new TinyOpsError(
          'GATE_TARGET',
          `${where}: a custom target needs flash, ram and core (or a board id)`,
          {
            where,
            hint: 'Add `board: <id>` for a known board, or `flash:`, `ram:`, `core:` and `clock-mhz:` for your own.',
          },
        );
      custom = true;
      const core = CONFIG_CORES[s.core];
      board = {
        id: s.name ?? `custom-${i}`,
        name: s.name ?? `custom target ${i}`,
        mcu: `custom ${s.core}`,
        core,
        clockMhz: s['clock-mhz'] ?? 64,
        flashBytes: parseSize(s.flash, `${where}.flash`),
        ramBytes: parseSize(s.ram, `${where}.ram`),
        fpu:
          s.core.endsWith('f') || s.core === 'cortex-m7' || s.core === 'cortex-m33' ? 'sp' : 'none',
        dsp: !['cortex-m0plus', 'cortex-m3', 'riscv32'].includes(s.core),
      };
    }
    return {
      name: s.name ?? board.id,
      board,
      custom,
      runtime: s.runtime ?? 'tinyops',
      budgets: resolveBudgets(where, config.budgets, s.budgets, overrides.budgets),
    };
  });
}
