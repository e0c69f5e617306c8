/* nRF52840 (Cortex-M4F): vector table, reset, FPU enable, HardFault report over UART. */
#include <stdint.h>

#include "../common/cortexm_fault.h"
#include "../common/print.h"
#include "../common/startup_common.h"

#define CPACR (*(volatile uint32_t *)0xE000ED88u)
#define CFSR (*(volatile uint32_t *)0xE000ED28u)

static void board_early_init(void) {
  CPACR |= (0xFu << 20);
  __asm__ volatile("dsb\n isb" ::: "memory");
}

void board_fault_report(const uint32_t *frame) {
  print_str("\r\ne-[hardfault pc=");
  print_hex32(frame[6]);
  print_str(" cfsr=");
  print_hex32(CFSR);
  print_str("]\r\n");
  board_exit(99);
}
