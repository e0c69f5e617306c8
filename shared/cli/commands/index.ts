import type { CliCommand } from '../types';
import { analyzeCommand } from './analyze';
import { gateCommand } from './gate';

/** Every `tinyops` subcommand, by name. Each lives in its own module beside this one. */
export const COMMANDS: Record<string, CliCommand> = {
  analyze: analyzeCommand,
  gate: gateCommand,
};
