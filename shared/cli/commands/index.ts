import type { CliCommand } from '../types';
import { analyzeCommand } from './analyze';
import { tfliteToCCommand } from './tflite-to-c';
import { gateCommand } from './gate';
import { buildCommand } from './build';
import { runCommand } from './run';
import { quantizeCommand } from './quantize';
import { otaCommand } from './ota';
import { hilCommand } from './hil';

/** Every `tinyops` subcommand, by name. Each lives in its own module beside this one. */
export const COMMANDS: Record<string, CliCommand> = {
  'tflite-to-c': tfliteToCCommand,
  analyze: analyzeCommand,
  gate: gateCommand,
  build: buildCommand,
  run: runCommand,
  quantize: quantizeCommand,
  ota: otaCommand,
  hil: hilCommand,
};
