/* RP2040 (Cortex-M0+, no FPU): vector table, reset, HardFault report.
 * Link-size check only: a bootable image also needs the 256-byte second-stage boot loader
 * (boot2, with its CRC) at the start of flash, which this port does not provide. */
#include <stdint.h>

#include "../common/cortexm_fault.h"
#include "../common/print.h"
#include "../common/startup_common.h"

static void board_early_init(void) {}

void board_fault_report(const uint32_t *frame) {
  print_str("\r\ne-[hardfault pc=");
  print_hex32(frame[6]);
  print_str("]\r\n"); /* ARMv6-M has no CFSR */
  board_exit(99);
}
