import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  output: string;
}

/** Runs a program (no shell unless asked), collecting stdout and stderr together, and streaming
 * lines to `onLine` as they come (progress for long builds). */
export function runCommand(
  file: string,
  args: string[],
  options: {
    cwd?: string;
    shell?: boolean;
    onLine?: (line: string) => void;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      shell: options.shell ?? false,
      env: options.env ?? process.env,
    });
    let output = '';
    let pending = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (!options.onLine) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach((l) => options.onLine!(l));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending && options.onLine) options.onLine(pending);
      resolve({ code: code ?? 1, output });
    });
  });
}
