/**
 * Does the model fit a board? Before a build these are estimates, built from:
 * - flash = the .tflite file (weights and graph, stored as-is in flash) + the runtime's code +
 *   APP_FLASH_BYTES for startup code, HAL, UART driver and newlib-nano;
 * - RAM = the arena + the runtime's static data + STACK_BYTES.
 * Runtime code sizes: TinyOps' C runtime as measured from the firmware template (the ELF's own
 * figure replaces the estimate once cross-compile has run); TFLite Micro's are DESIGN.md's linker-map figures for the 7 MLPerf
 * Tiny ops on Cortex-M4 (48.5 KB reference kernels, 94.7 KB with CMSIS-NN).
 */
import type { Board } from './boards';
import type { RuntimeId } from './support';

/** The firmware template's stack reservation (its STACK_SIZE default). */
export const STACK_BYTES = 8 * 1024;
/** Startup code, vector table, UART driver, harness and newlib-nano pieces: the template's app
 * without runtime and model measures 6.5 KB on Cortex-M4 (arm-none-eabi-gcc 12.2, -Os). */
export const APP_FLASH_BYTES = 6 * 1024;

export const RUNTIME_FLASH_BYTES: Readonly<Record<RuntimeId, number>> = {
  // The C runtime linked with the model's ops only: 12.2 KB for the 7 MLPerf Tiny ops, 16.7 KB
  // with all 17 (measured from the template's libtor_runtime.a, Cortex-M4F, -Os).
  tinyops: 12 * 1024,
  'tflm-reference': 48_500,
  'cmsis-nn': 94_700,
};

/** Static RAM of the runtime outside the arena: TinyOps' C runtime keeps a table sized to the
 * model (68 bytes per tensor, 48 per op, as tinyops build compiles it) and 64 bytes of state; TFLite Micro keeps its interpreter,
 * op resolver and error reporter objects (about 1 KiB; its per-tensor structs are in the arena). */
export function runtimeStaticRam(runtime: RuntimeId, tensors: number, ops: number): number {
  return runtime === 'tinyops' ? 64 + 68 * tensors + 48 * ops : 1024;
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
