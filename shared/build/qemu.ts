/** How TinyOps runs firmware on the emulated Cortex-M4F: QEMU's mps2-an386 with the UART on
 * stdio (not -nographic, whose monitor mux eats 0x01), semihosting so `exit(n)` ends QEMU with
 * code n, and -icount so timers count executed instructions: the same count on every run. */
export const QEMU_MACHINE = 'mps2-an386';
export const QEMU_ICOUNT_SHIFT = 6;

export const QEMU_MPS2_AN386_ARGS: readonly string[] = [
  '-M',
  QEMU_MACHINE,
  '-display',
  'none',
  '-monitor',
  'none',
  '-serial',
  'stdio',
  '-semihosting-config',
  'enable=on,target=native',
  '-icount',
  `shift=${QEMU_ICOUNT_SHIFT},align=off,sleep=off`,
];
