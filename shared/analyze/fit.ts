/**
 * Does the model fit a board? Before a build these are estimates, built from:
 * - flash = the .tflite file (weights and graph, stored as-is in flash) + the runtime's code +
 *   APP_FLASH_BYTES for startup code, HAL, UART driver and newlib-nano;
 * - RAM = the arena + the runtime's static data + STACK_BYTES.
 * Runtime code sizes: TinyOps' C runtime is budgeted at 16 KiB (DESIGN.md's aim, to be replaced by
 * the ELF's figure once built); TFLite Micro's are DESIGN.md's linker-map figures for the 7 MLPerf
 * Tiny ops on Cortex-M4 (48.5 KB reference kernels, 94.7 KB with CMSIS-NN).
 */
import type { Board } from './boards';
import type { RuntimeId } from './support';

export const STACK_BYTES = 4 * 1024;
export const APP_FLASH_BYTES = 8 * 1024;

export const RUNTIME_FLASH_BYTES: Readonly<Record<RuntimeId, number>> = {
  tinyops: 16 * 1024,
  'tflm-reference': 48_500,
  'cmsis-nn': 94_700,
};

/** Static RAM of the runtime outside the arena: TinyOps keeps a small tensor/op table per model
 * (16 bytes per tensor, 16 per op) and 256 bytes of state; TFLite Micro keeps its interpreter,
 * op resolver and error reporter objects (about 1 KiB; its per-tensor structs are in the arena). */
export function runtimeStaticRam(runtime: RuntimeId, tensors: number, ops: number): number {
  return runtime === 'tinyops' ? 256 + 16 * tensors + 16 * ops : 1024;
}

export interface FitFigure {
  estimate: number;
  capacity: number;
  fits: boolean;
  /** Share of the capacity used. */
  used: number;
}

export interface BoardFit {
  board: string;
  runtime: RuntimeId;
  flash: FitFigure;
  ram: FitFigure;
  fits: boolean;
  basis: string;
}

const figure = (estimate: number, capacity: number): FitFigure => ({
  estimate,
  capacity,
  fits: estimate <= capacity,
  used: estimate / capacity,
});

export function boardFit(
  board: Board,
  runtime: RuntimeId,
  modelBytes: number,
  arenaBytes: number,
  tensors: number,
  ops: number,
): BoardFit {
  const flash = figure(
    modelBytes + RUNTIME_FLASH_BYTES[runtime] + APP_FLASH_BYTES,
    board.flashBytes,
  );
  const ram = figure(
    arenaBytes + runtimeStaticRam(runtime, tensors, ops) + STACK_BYTES,
    board.ramBytes,
  );
  const basis =
    `estimate before a build: flash = model ${modelBytes} B + ${runtime} runtime ${RUNTIME_FLASH_BYTES[runtime]} B + ` +
    `${APP_FLASH_BYTES} B startup/HAL; RAM = arena ${arenaBytes} B + runtime data + ${STACK_BYTES} B stack`;
  return { board: board.id, runtime, flash, ram, fits: flash.fits && ram.fits, basis };
}
