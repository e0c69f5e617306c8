/* Reset handler and vector table shared by the ports' startup.c: copy .data, zero .bss,
 * (board hook: FPU enable etc.), main(), exit. */
#ifndef STARTUP_COMMON_H
#define STARTUP_COMMON_H

#include <stdint.h>

#include "../board.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void HardFault_Handler(void);
static void board_early_init(void);

void Reset_Handler(void) {
  board_early_init();
  const uint32_t *src = &_sidata;
  for (uint32_t *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  board_exit(main());
}

static void Default_Handler(void) {
  for (;;) {
  }
}

/* The 16 Cortex-M system exceptions; the app uses no peripheral interrupts. */
__attribute__((section(".isr_vector"), used)) static void (*const vector_table[16])(void) = {
    (void (*)(void))(&_estack), Reset_Handler, Default_Handler, HardFault_Handler,
    HardFault_Handler /* MemManage */, HardFault_Handler /* BusFault */,
    HardFault_Handler /* UsageFault */, 0, 0, 0, 0, Default_Handler /* SVCall */,
    Default_Handler /* DebugMon */, 0, Default_Handler /* PendSV */, Default_Handler /* SysTick */,
};

#endif
