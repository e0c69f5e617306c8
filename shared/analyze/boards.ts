/**
 * Boards TinyOps knows: memory and core figures from the vendors' datasheets and board manuals
 * (named beside each entry). Flash and RAM are what an application can use on the board: on-chip
 * flash plus the board's program flash where the chip has none (RP2040, ESP32), on-chip SRAM (not
 * the board's external SDRAM/PSRAM, which a TinyML arena rarely lives in).
 */
import { TinyOpsError } from '../errors';

export type CoreId =
  | 'cortex-m0+'
  | 'cortex-m4'
  | 'cortex-m7'
  | 'cortex-m33'
  | 'xtensa-lx6'
  | 'xtensa-lx7'
  | 'arc-em9d';

export interface Board {
  id: string;
  name: string;
  mcu: string;
  core: CoreId;
  /** Clock of the core that runs inference, MHz. */
  clockMhz: number;
  flashBytes: number;
  ramBytes: number;
  /** Hardware floating point: none, single precision, or double precision. */
  fpu: 'none' | 'sp' | 'dp';
  /** DSP/SIMD instructions the optimized kernels use (Armv7E-M/Armv8-M DSP extension, Xtensa PIE, ARC XY). */
  dsp: boolean;
  /** Emulated (QEMU), not hardware. */
  emulated?: boolean;
  note?: string;
}

const KiB = 1024;
const MiB = 1024 * 1024;

export const BOARDS: readonly Board[] = [
  // Arduino Nano 33 BLE: nRF52840 (Nordic nRF52840 Product Specification v1.7): Cortex-M4F 64 MHz,
  // 1 MB flash, 256 KB RAM.
  {
    id: 'nano33ble',
    name: 'Arduino Nano 33 BLE',
    mcu: 'nRF52840',
    core: 'cortex-m4',
    clockMhz: 64,
    flashBytes: 1 * MiB,
    ramBytes: 256 * KiB,
    fpu: 'sp',
    dsp: true,
  },
  // Arduino Nicla Vision: STM32H747AII6 (ST DS12930): Cortex-M7 480 MHz + Cortex-M4 240 MHz,
  // 2 MB flash, 1 MB SRAM (board adds 16 MB QSPI flash, not counted). Inference on the M7.
  {
    id: 'nicla-vision',
    name: 'Arduino Nicla Vision',
    mcu: 'STM32H747AII6',
    core: 'cortex-m7',
    clockMhz: 480,
    flashBytes: 2 * MiB,
    ramBytes: 1 * MiB,
    fpu: 'dp',
    dsp: true,
    note: 'dual core; figures for the M7',
  },
  // ESP32-DevKitC (ESP32-WROOM-32, Espressif ESP32 datasheet v4.x): dual Xtensa LX6 240 MHz,
  // 520 KB SRAM, 4 MB SPI flash on the module. Single-precision FPU; no SIMD.
  {
    id: 'esp32',
    name: 'ESP32-DevKitC (WROOM-32)',
    mcu: 'ESP32',
    core: 'xtensa-lx6',
    clockMhz: 240,
    flashBytes: 4 * MiB,
    ramBytes: 520 * KiB,
    fpu: 'sp',
    dsp: false,
  },
  // ESP32-S3-DevKitC-1 N8 (Espressif ESP32-S3 datasheet v1.x): dual Xtensa LX7 240 MHz with
  // 128-bit SIMD (PIE), 512 KB SRAM, 8 MB flash on the module.
  {
    id: 'esp32s3',
    name: 'ESP32-S3-DevKitC-1 (N8)',
    mcu: 'ESP32-S3',
    core: 'xtensa-lx7',
    clockMhz: 240,
    flashBytes: 8 * MiB,
    ramBytes: 512 * KiB,
    fpu: 'sp',
    dsp: true,
  },
  // 32F746GDISCOVERY: STM32F746NG (ST DS10916): Cortex-M7 216 MHz, 1 MB flash, 320 KB SRAM
  // (incl. 64 KB DTCM); the board's 8 MB SDRAM and 16 MB QSPI flash are not counted.
  {
    id: 'stm32f746-disco',
    name: 'STM32F746G-DISCO',
    mcu: 'STM32F746NG',
    core: 'cortex-m7',
    clockMhz: 216,
    flashBytes: 1 * MiB,
    ramBytes: 320 * KiB,
    fpu: 'sp',
    dsp: true,
  },
  // NUCLEO-H743ZI2: STM32H743ZI (ST DS12110): Cortex-M7 480 MHz, 2 MB flash, 1 MB SRAM (incl. TCM).
  {
    id: 'stm32h743',
    name: 'NUCLEO-H743ZI2',
    mcu: 'STM32H743ZI',
    core: 'cortex-m7',
    clockMhz: 480,
    flashBytes: 2 * MiB,
    ramBytes: 1 * MiB,
    fpu: 'dp',
    dsp: true,
  },
  // NUCLEO-L4R5ZI: STM32L4R5ZI (ST DS12023): Cortex-M4F 120 MHz, 2 MB flash, 640 KB SRAM.
  {
    id: 'nucleo-l4r5zi',
    name: 'NUCLEO-L4R5ZI',
    mcu: 'STM32L4R5ZI',
    core: 'cortex-m4',
    clockMhz: 120,
    flashBytes: 2 * MiB,
    ramBytes: 640 * KiB,
    fpu: 'sp',
    dsp: true,
  },
  // Raspberry Pi Pico: RP2040 (RP2040 datasheet): dual Cortex-M0+ 133 MHz, 264 KB SRAM, no
  // on-chip flash; the board has 2 MB QSPI flash (W25Q16JV).
  {
    id: 'pico',
    name: 'Raspberry Pi Pico',
    mcu: 'RP2040',
    core: 'cortex-m0+',
    clockMhz: 133,
    flashBytes: 2 * MiB,
    ramBytes: 264 * KiB,
    fpu: 'none',
    dsp: false,
  },
  // Raspberry Pi Pico 2: RP2350 (RP2350 datasheet): dual Cortex-M33 150 MHz with FPU and DSP,
  // 520 KB SRAM; the board has 4 MB QSPI flash.
  {
    id: 'pico2',
    name: 'Raspberry Pi Pico 2',
    mcu: 'RP2350',
    core: 'cortex-m33',
    clockMhz: 150,
    flashBytes: 4 * MiB,
    ramBytes: 520 * KiB,
    fpu: 'sp',
    dsp: true,
  },
  // SparkFun Edge: Ambiq Apollo3 Blue (Apollo3 Blue datasheet): Cortex-M4F 48 MHz (96 MHz burst),
  // 1 MB flash, 384 KB SRAM.
  {
    id: 'sparkfun-edge',
    name: 'SparkFun Edge',
    mcu: 'Apollo3 Blue',
    core: 'cortex-m4',
    clockMhz: 48,
    flashBytes: 1 * MiB,
    ramBytes: 384 * KiB,
    fpu: 'sp',
    dsp: true,
    note: '96 MHz in TurboSPOT burst mode',
  },
  // nRF5340 DK: nRF5340 (Nordic nRF5340 Product Specification): application core Cortex-M33
  // 128 MHz with FPU and DSP, 1 MB flash, 512 KB RAM (network core not counted).
  {
    id: 'nrf5340dk',
    name: 'nRF5340 DK',
    mcu: 'nRF5340',
    core: 'cortex-m33',
    clockMhz: 128,
    flashBytes: 1 * MiB,
    ramBytes: 512 * KiB,
    fpu: 'sp',
    dsp: true,
    note: 'application core',
  },
  // Himax WE-I Plus EVB: HX6537-A (Himax WE-I Plus datasheet): ARC EM9D DSP 400 MHz with FPU,
  // 2 MB internal SRAM, 2 MB flash on the board.
  {
    id: 'himax-we1',
    name: 'Himax WE-I Plus EVB',
    mcu: 'HX6537-A',
    core: 'arc-em9d',
    clockMhz: 400,
    flashBytes: 2 * MiB,
    ramBytes: 2 * MiB,
    fpu: 'sp',
    dsp: true,
  },
  // QEMU mps2-an386 (Arm AN386 application note; QEMU 7.2 docs): Cortex-M4F, 4 MiB code memory at
  // 0 and 4 MiB SRAM at 0x20000000 as QEMU maps them. We give QEMU's sizes, because this board
  // runs tests, not products: a model that fits a real M4 part is gated on that part's entry.
  // Clock: 25 MHz, the AN386 FPGA image's system clock, for the latency estimate only.
  {
    id: 'qemu-mps2-an386',
    name: 'QEMU mps2-an386',
    mcu: 'Cortex-M4F (emulated)',
    core: 'cortex-m4',
    clockMhz: 25,
    flashBytes: 4 * MiB,
    ramBytes: 4 * MiB,
    fpu: 'sp',
    dsp: true,
    emulated: true,
    note: 'QEMU memory sizes; emulated timing is not real',
  },
];

export const BOARD_ALIASES: Readonly<Record<string, string>> = {
  nrf52840: 'nano33ble',
  stm32f746: 'stm32f746-disco',
  rp2040: 'pico',
};

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The board with this id or alias (case-insensitive); a TinyOpsError naming the closest id
 * and listing all of them otherwise. */
export function findBoard(id: string): Board {
  const key = id.trim().toLowerCase();
  const resolved = BOARD_ALIASES[key] ?? key;
  const board = BOARDS.find((b) => b.id === resolved);
  if (board) return board;
  const names = [...BOARDS.map((b) => b.id), ...Object.keys(BOARD_ALIASES)];
  const ranked = names
    .map((n) => ({ n, d: editDistance(key, n) }))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  const close = ranked[0];
  const suggestion =
    close && close.d <= Math.max(2, Math.floor(close.n.length / 3))
      ? (BOARD_ALIASES[close.n] ?? close.n)
      : null;
  throw new TinyOpsError(
    'UNKNOWN_BOARD',
    `Unknown board "${id}"${suggestion ? `: did you mean "${suggestion}"?` : '.'}`,
    {
      where: '--board',
      hint: `Use one of: ${BOARDS.map((b) => b.id).join(', ')} (aliases: ${Object.entries(
        BOARD_ALIASES,
      )
        .map(([a, b]) => `${a} -> ${b}`)
        .join(', ')}).`,
    },
  );
}
