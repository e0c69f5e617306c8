import type { CliCommand } from '../types';

/** Every `tinyops` subcommand, by name. Each lives in its own module beside this one. */
export const COMMANDS: Record<string, CliCommand> = {};
