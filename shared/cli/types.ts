/** Where a command writes: injectable so tests can run commands in-process. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Raw bytes to stdout (e.g. `tinyops run` without --output); process stdout when absent. */
  stdoutBinary?(data: Uint8Array): void;
}

export interface CliCommand {
  /** One line for `tinyops --help`. */
  summary: string;
  /** The usage line(s), shown on a usage error and by `tinyops CMD --help`. */
  usage: string;
  /** Runs the command; resolves to the exit code (0 success or pass, 1 failing verdict). Throws
   * UsageError for a bad command line (exit 2) and TinyOpsError for other failures (exit 1). */
  run(args: string[], io: CliIO): Promise<number>;
}
