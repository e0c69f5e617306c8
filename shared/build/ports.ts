import * as fs from 'node:fs';
import * as path from 'node:path';
import { TinyOpsError } from '../errors';
import { BOARD_ALIASES } from '../analyze/boards';

/** Board ids of the database that have a port in firmware-template/boards/<port>. */
const PORT_OF_BOARD: Record<string, string> = {
  'qemu-mps2-an386': 'qemu-mps2-an386',
  nano33ble: 'nrf52840',
  'stm32f746-disco': 'stm32f746',
  pico: 'rp2040',
};

/** The template's port folder for a board id or alias (nrf52840, stm32f746, rp2040 are both). */
export function firmwarePort(board: string, templateDir: string): string {
  const key = board.trim().toLowerCase();
  const port = PORT_OF_BOARD[key] ?? PORT_OF_BOARD[BOARD_ALIASES[key] ?? ''] ?? key;
  if (!fs.existsSync(path.join(templateDir, 'boards', port, 'board.cmake'))) {
    const ports = fs
      .readdirSync(path.join(templateDir, 'boards'), { withFileTypes: true })
      .filter(
        (e) =>
          e.isDirectory() && fs.existsSync(path.join(templateDir, 'boards', e.name, 'board.cmake')),
      )
      .map((e) => e.name);
    throw new TinyOpsError(
      'BUILD_NO_PORT',
      `The firmware template has no port for board "${board}"`,
      {
        hint: `Template ports: ${ports.join(', ')}. For another board, build your own project with build-command and give its ELF.`,
      },
    );
  }
  return port;
}

/** The FLASH and RAM lengths of a port's linker script: the real part's sizes. */
export function portMemory(templateDir: string, port: string): { flash: number; ram: number } {
  const text = fs.readFileSync(path.join(templateDir, 'boards', port, 'linker.ld'), 'utf8');
  const length = (region: string) => {
    const m = new RegExp(
      `\\b${region}\\s*\\([^)]*\\)\\s*:\\s*ORIGIN\\s*=\\s*\\w+\\s*,\\s*LENGTH\\s*=\\s*(\\d+)\\s*([KM]?)`,
    ).exec(text);
    if (!m) throw new Error(`no ${region} region in ${port}/linker.ld`);
    return Number(m[1]) * (m[2] === 'K' ? 1024 : m[2] === 'M' ? 1024 * 1024 : 1);
  };
  return { flash: length('FLASH'), ram: length('RAM') };
}
