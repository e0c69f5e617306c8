/* QEMU mps2-an386 (Cortex-M4F): vector table, reset, FPU enable, HardFault report. */
#include <stdint.h>

#include "../common/cortexm_fault.h"
#include "../common/print.h"
#include "../common/startup_common.h"

#define CPACR (*(volatile uint32_t *)0xE000ED88u)
#define CFSR (*(volatile uint32_t *)0xE000ED28u)
#define HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define BFAR (*(volatile uint32_t *)0xE000ED38u)

static void board_early_init(void) {
  /* Full access to CP10/CP11: without it the first FP instruction faults (CFSR 0x00080000). */
  CPACR |= (0xFu << 20);
  __asm__ volatile("dsb\n isb" ::: "memory");
}

/* frame: r0 r1 r2 r3 r12 lr pc xpsr */
void board_fault_report(const uint32_t *frame) {
  print_str("\r\ne-[hardfault pc=");
  print_hex32(frame[6]);
  print_str(" lr=");
  print_hex32(frame[5]);
  print_str(" cfsr=");
  print_hex32(CFSR);
  print_str(" hfsr=");
  print_hex32(HFSR);
  print_str(" bfar=");
  print_hex32(BFAR);
  print_str("]\r\n");
  board_exit(99);
}
