/* HardFault entry shared by the ports: picks the faulting stack (MSP or PSP from EXC_RETURN)
 * and hands the stacked frame to board_fault_report(). Thumb-1 only, so it also builds for
 * Cortex-M0+. Include once, from a board's startup.c. */
#ifndef CORTEXM_FAULT_H
#define CORTEXM_FAULT_H

#include <stdint.h>

void board_fault_report(const uint32_t *frame);

__attribute__((naked)) void HardFault_Handler(void) {
  __asm__ volatile(
      "movs r0, #4\n"
      "mov r1, lr\n"
      "tst r0, r1\n"
      "beq 1f\n"
      "mrs r0, psp\n"
      "b 2f\n"
      "1: mrs r0, msp\n"
      "2: ldr r1, =board_fault_report\n"
      "bx r1\n");
}

#endif
