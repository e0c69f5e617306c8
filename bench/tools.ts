import { spawnSync } from 'node:child_process';
import type { BenchRow } from './table';

/** True when `tool --version` runs. */
export const haveTool = (tool: string): boolean => spawnSync(tool, ['--version']).status === 0;

/** A table row saying which tool is missing (the suite then skips), or null when all are here. */
export function missingTool(tools: readonly string[]): BenchRow[] | null {
  const missing = tools.find((t) => !haveTool(t));
  return missing ? [{ name: missing, value: 'not installed: skipped' }] : null;
}
