/**
 * The one error type users see. Every failure a person can fix carries what went wrong, where
 * (file, field, byte offset, key path) and how to fix it, so the CLI and the actions can print a
 * clear message instead of a stack trace.
 */
export class TinyOpsError extends Error {
  /** Stable machine-readable code, e.g. `TFLITE_MALFORMED`, `USAGE`, `DATASET_SHAPE`. */
  readonly code: string;
  /** Where: a file path, a key path, `field @ byte offset`. */
  readonly where?: string;
  /** How to fix it, one sentence. */
  readonly hint?: string;

  constructor(code: string, message: string, options: { where?: string; hint?: string } = {}) {
    super(message);
    this.name = 'TinyOpsError';
    this.code = code;
    this.where = options.where;
    this.hint = options.hint;
  }

  /** The message as shown to a person: what, where, how to fix. */
  describe(): string {
    const parts = [this.message];
    if (this.where) parts.push(`  at: ${this.where}`);
    if (this.hint) parts.push(`  fix: ${this.hint}`);
    return parts.join('\n');
  }
}

/** A command line that does not follow the CLI contract: exit code 2. */
export class UsageError extends TinyOpsError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, { hint });
    this.name = 'UsageError';
  }
}

/** Turns anything thrown into a message fit for a person (never a bare stack trace). */
export function describeError(err: unknown): string {
  if (err instanceof TinyOpsError) return err.describe();
  if (err instanceof Error) {
    const sys = err as NodeJS.ErrnoException;
    if (sys.code === 'ENOENT' && sys.path) return `No such file or directory: ${sys.path}`;
    if (sys.code === 'EACCES' && sys.path) return `Permission denied: ${sys.path}`;
    if (sys.code === 'EISDIR' && sys.path)
      return `Expected a file but found a directory: ${sys.path}`;
    return `Internal error: ${err.message} (please report this with the command that caused it)`;
  }
  return `Internal error: ${String(err)}`;
}
