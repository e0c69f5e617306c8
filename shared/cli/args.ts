import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with its errors turned into UsageError (exit 2) and positional count checks. */
export function parseCommandLine<T extends Options>(
  args: string[],
  options: T,
  positionals: { min: number; max: number; names: string },
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, '.'));
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) throw new UsageError(`Missing argument: ${positionals.names}.`);
  if (count > positionals.max)
    throw new UsageError(`Unexpected argument: ${parsed.positionals[positionals.max]}.`);
  return parsed;
}

/** Parses a whole number option, naming the option when it is not one. */
export function integerOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a whole number, got "${value}".`);
  return Number(value);
}
