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

/** Installs Debian packages with apt-get (sudo unless root). Elsewhere it does nothing: the step
 * that needs the tool then says what is missing and how to install it. */
async function aptInstall(packages: string[]): Promise<void> {
  if (packages.length === 0) return;
  if (process.platform !== 'linux' || !(await found('apt-get'))) return;
  info(`Installing ${packages.join(' ')} with apt-get`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]) =>
    exec.exec(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } as Record<string, string>,
    });
  await run(['apt-get', 'update', '-qq']);
  await run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages]);
}

/** Makes sure arm-none-eabi-gcc, CMake and Ninja are on PATH: on a Debian/Ubuntu runner
 * (GitHub-hosted Ubuntu) missing ones are installed from the distribution's packages. */
export async function ensureToolchain(install: boolean): Promise<void> {
  const missing: string[] = [];
  if (!(await found('arm-none-eabi-gcc')))
    missing.push('gcc-arm-none-eabi', 'libnewlib-arm-none-eabi', 'binutils-arm-none-eabi');
  if (!(await found('cmake'))) missing.push('cmake');
  if (!(await found('ninja'))) missing.push('ninja-build');
  if (install) await aptInstall(missing);
}

/** Makes sure qemu-system-arm is on PATH (GitHub-hosted Ubuntu runners do not ship it). */
export async function ensureQemu(install: boolean): Promise<void> {
  if (install && !(await found('qemu-system-arm'))) await aptInstall(['qemu-system-arm']);
}
