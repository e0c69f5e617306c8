import * as exec from '@actions/exec';
import { info } from './action';

async function found(command: string): Promise<boolean> {
  try {
    return (
      (await exec.exec(command, ['--version'], { silent: true, ignoreReturnCode: true })) === 0
    );
  } catch {
    return false;
  }
}

/** Makes sure arm-none-eabi-gcc, CMake and Ninja are on PATH: on a Debian/Ubuntu runner
 * (GitHub-hosted Ubuntu) missing ones are installed from the distribution's packages. */
export async function ensureToolchain(install: boolean): Promise<void> {
  const missing: string[] = [];
  if (!(await found('arm-none-eabi-gcc')))
    missing.push('gcc-arm-none-eabi', 'libnewlib-arm-none-eabi', 'binutils-arm-none-eabi');
  if (!(await found('cmake'))) missing.push('cmake');
  if (!(await found('ninja'))) missing.push('ninja-build');
  if (missing.length === 0 || !install) return;
  if (process.platform !== 'linux' || !(await found('apt-get'))) return; // buildFirmware then says what is missing
  info(`Installing ${missing.join(' ')} with apt-get`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]) =>
    exec.exec(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } as Record<string, string>,
    });
  await run(['apt-get', 'update', '-qq']);
  await run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
}
