// The one place TinyOps touches the GitHub Actions runtime (@actions/*). Domain code in shared/
// never imports it; each action's main.ts uses these helpers to read inputs and write results.
import * as fs from 'node:fs';
import * as core from '@actions/core';
import { describeError, TinyOpsError } from '../errors';
import { parseFraction, parseSize } from '../config/units';

/** Runs an action body, turning every error into a failed step with a clear message (what, where,
 * how to fix) instead of a stack trace. */
export async function runAction(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const message = describeError(err);
    const file = err instanceof TinyOpsError ? fileAtFault(err.where) : undefined;
    if (file) {
      // One annotation, on the file at fault (setFailed would add a second, file-less one).
      core.error(message, { file, title: (err as TinyOpsError).code });
      process.exitCode = 1;
    } else {
      core.setFailed(message);
    }
  }
}

/** The file an error's `where` names (`model.tflite @ byte 12`, `tinyops.yml: budgets`), when it
 * is a model, config or source file that exists: annotations on absent files show nowhere. */
function fileAtFault(where: string | undefined): string | undefined {
  const file = where?.split(/[:@ ]/)[0];
  if (!file || !/\.(tflite|ya?ml|json|c|h)$/.test(file)) return undefined;
  return fs.existsSync(file) ? file : undefined;
}

export function input(name: string, fallback = ''): string {
  return core.getInput(name).trim() || fallback;
}

export function optionalInput(name: string): string | undefined {
  const value = core.getInput(name).trim();
  return value === '' ? undefined : value;
}

export function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name).trim().toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(value)) return true;
  if (['false', 'no', '0', 'off'].includes(value)) return false;
  throw new TinyOpsError('INPUT_INVALID', `Input "${name}" must be true or false, got "${value}"`, {
    where: `with: ${name}`,
    hint: `Set ${name}: true or ${name}: false in the workflow.`,
  });
}

export function integerInput(name: string, fallback: number): number {
  const value = core.getInput(name).trim();
  if (value === '') return fallback;
  if (!/^\d+$/.test(value))
    throw new TinyOpsError(
      'INPUT_INVALID',
      `Input "${name}" must be a whole number, got "${value}"`,
      {
        where: `with: ${name}`,
        hint: `Set ${name} to a number such as ${fallback}.`,
      },
    );
  return Number(value);
}

/** A byte size input: a whole number of bytes or a number with B, KiB, MiB or GiB (256KiB). */
export function sizeInput(name: string, fallback: number): number;
export function sizeInput(name: string, fallback?: undefined): number | undefined;
export function sizeInput(name: string, fallback?: number): number | undefined {
  const value = core.getInput(name).trim();
  if (value === '') return fallback;
  try {
    return parseSize(value, `input "${name}"`);
  } catch (err) {
    if (!(err instanceof TinyOpsError)) throw err;
    throw new TinyOpsError('INPUT_INVALID', `Input "${name}" must be a size, got "${value}"`, {
      where: `with: ${name}`,
      hint: err.hint ?? `Set ${name} to a number of bytes or a size such as 256KiB.`,
    });
  }
}

/** A positive number input (seconds, MHz): decimals allowed, unlike integerInput. */
export function positiveNumberInput(name: string): number | undefined {
  const value = core.getInput(name).trim();
  if (value === '') return undefined;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n))
    throw new TinyOpsError(
      'INPUT_INVALID',
      `Input "${name}" must be a positive number, got "${value}"`,
      {
        where: `with: ${name}`,
        hint: `Set ${name} to a number such as 30 or 0.5.`,
      },
    );
  return n;
}

/** A fraction input: 0.95 or 95%. */
export function fractionInput(name: string): number | undefined {
  const value = core.getInput(name).trim();
  if (value === '') return undefined;
  try {
    return parseFraction(value, `input "${name}"`);
  } catch (err) {
    if (!(err instanceof TinyOpsError)) throw err;
    throw new TinyOpsError('INPUT_INVALID', `Input "${name}" must be a fraction, got "${value}"`, {
      where: `with: ${name}`,
      hint: err.hint,
    });
  }
}

/** A list input: comma- or newline-separated, blanks dropped. */
export function listInput(name: string): string[] {
  return core
    .getInput(name)
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function setOutputs(
  outputs: Record<string, string | number | boolean | null | undefined>,
): void {
  for (const [key, value] of Object.entries(outputs)) {
    if (value !== null && value !== undefined) core.setOutput(key, String(value));
  }
}

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown, true).write();
}

export function annotate(
  level: 'error' | 'warning' | 'notice',
  message: string,
  file?: string,
  title?: string,
): void {
  const props = { file, title };
  if (level === 'error') core.error(message, props);
  else if (level === 'warning') core.warning(message, props);
  else core.notice(message, props);
}

export const info = (message: string) => core.info(message);
/** Shown only when the run has step debug logging on (ACTIONS_STEP_DEBUG). */
export const debug = (message: string) => core.debug(message);
/** Marks the step failed (exit code 1) with a message, after the outputs are written. */
export const failStep = (message: string) => core.setFailed(message);
/** Whether the workflow set an input at all (as opposed to leaving its default). */
export const inputGiven = (name: string, defaultValue: string) => {
  const value = core.getInput(name).trim();
  return value !== '' && value !== defaultValue;
};
export const secret = (value: string) => core.setSecret(value);

/** Registers a problem matcher file (e.g. gcc's) so compiler messages become annotations. */
export function addProblemMatcher(file: string): void {
  core.info(`::add-matcher::${file}`);
}
