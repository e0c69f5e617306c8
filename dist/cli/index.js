"use strict";

// shared/errors.ts
var TinyOpsError = class extends Error {
  /** Stable machine-readable code, e.g. `TFLITE_MALFORMED`, `USAGE`, `DATASET_SHAPE`. */
  code;
  /** Where: a file path, a key path, `field @ byte offset`. */
  where;
  /** How to fix it, one sentence. */
  hint;
  constructor(code, message, options = {}) {
    super(message);
    this.name = "TinyOpsError";
    this.code = code;
    this.where = options.where;
    this.hint = options.hint;
  }
  /** The message as shown to a person: what, where, how to fix. */
  describe() {
    const parts = [this.message];
    if (this.where) parts.push(`  at: ${this.where}`);
    if (this.hint) parts.push(`  fix: ${this.hint}`);
    return parts.join("\n");
  }
};
var UsageError = class extends TinyOpsError {
  constructor(message, hint) {
    super("USAGE", message, { hint });
    this.name = "UsageError";
  }
};
function describeError(err) {
  if (err instanceof TinyOpsError) return err.describe();
  if (err instanceof Error) {
    const sys = err;
    if (sys.code === "ENOENT" && sys.path) return `No such file or directory: ${sys.path}`;
    if (sys.code === "EACCES" && sys.path) return `Permission denied: ${sys.path}`;
    if (sys.code === "EISDIR" && sys.path) return `Expected a file but found a directory: ${sys.path}`;
    return `Internal error: ${err.message} (please report this with the command that caused it)`;
  }
  return `Internal error: ${String(err)}`;
}

// shared/cli/commands/index.ts
var COMMANDS = {};

// shared/version.ts
var TINYOPS_VERSION = "0.1.0";

// shared/cli/main.ts
var processIO = {
  stdout: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}
`),
  stderr: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}
`)
};
function overview() {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`
  );
  return [
    `tinyops ${TINYOPS_VERSION}: CI/CD for TinyML models on microcontrollers`,
    "",
    "Usage: tinyops <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `tinyops <command> --help` for a command's options.",
    "Exit codes: 0 success or passing verdict, 1 failing verdict or error, 2 usage error."
  ].join("\n");
}
async function main(argv, io = processIO) {
  const [name, ...rest] = argv;
  if (name === void 0 || name === "--help" || name === "-h" || name === "help") {
    io.stdout(overview());
    return name === void 0 ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(TINYOPS_VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`Unknown command "${name}".

${overview()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`Usage: ${command.usage}`);
    return 0;
  }
  const json = rest.includes("--json");
  try {
    return await command.run(rest, io);
  } catch (err) {
    const usage = err instanceof UsageError;
    if (json) {
      const e = err instanceof TinyOpsError ? err : void 0;
      io.stdout(
        JSON.stringify(
          { ok: false, error: { code: e?.code ?? "INTERNAL", message: describeError(err), where: e?.where, hint: e?.hint } },
          null,
          2
        )
      );
    }
    io.stderr(`tinyops ${name}: ${describeError(err)}${usage ? `

Usage: ${command.usage}` : ""}`);
    return usage ? 2 : 1;
  }
}

// shared/cli/entry.ts
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tinyops: internal error: ${String(err)}
`);
    process.exitCode = 1;
  }
);
