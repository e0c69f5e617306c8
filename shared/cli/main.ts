import { describeError, TinyOpsError, UsageError } from '../errors';
import { COMMANDS } from './commands';
import type { CliIO } from './types';
import { TINYOPS_VERSION } from '../version';

const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`,
  );
  return [
    `tinyops ${TINYOPS_VERSION}: CI/CD for TinyML models on microcontrollers`,
    '',
    'Usage: tinyops <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run `tinyops <command> --help` for a command's options.",
    'Exit codes: 0 success or passing verdict, 1 failing verdict or error, 2 usage error.',
  ].join('\n');
}

/** Runs one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(TINYOPS_VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`Unknown command "${name}".\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`Usage: ${command.usage}`);
    return 0;
  }
  const json = rest.includes('--json');
  try {
    return await command.run(rest, io);
  } catch (err) {
    const usage = err instanceof UsageError;
    if (json) {
      const e = err instanceof TinyOpsError ? err : undefined;
      io.stdout(
        JSON.stringify(
          {
            ok: false,
            error: {
              code: e?.code ?? 'INTERNAL',
              message: describeError(err),
              where: e?.where,
              hint: e?.hint,
            },
          },
          null,
          2,
        ),
      );
    }
    io.stderr(
      `tinyops ${name}: ${describeError(err)}${usage ? `\n\nUsage: ${command.usage}` : ''}`,
    );
    return usage ? 2 : 1;
  }
}
