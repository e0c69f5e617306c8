/* The app's shared state: one interpreter over the model in flash, one static arena. */
#ifndef APP_H
#define APP_H

#include <stdint.h>

#include "tor.h"

extern tor_interp app_interp;
extern uint8_t app_arena[];
/* MLPerf Tiny harness over the UART (see shared/spec/mlperf-tiny-harness-protocol.md). */
int app_harness(void);
/* Prints an output tensor as `m-results-[v0,v1,...]` (dequantized, 3 decimals). */
void app_print_results(void);
/* Prints output tensor 0's raw bytes as `m-output-hex-[..]`. */
void app_print_output_hex(void);

/* The timer, and what its ticks count. Under QEMU -icount shift=6 an instruction takes 64 ns of
 * virtual time and the 25 MHz dual timer ticks every 40 ns: instructions = ticks x 40 / 64. */
#ifdef BOARD_QEMU
#define TIMER_HZ 25000000u
#define COUNTER_UNIT "instructions"
#define TICKS_TO_COUNTER(t) ((t) * 40u / 64u)
#elif defined(BOARD_STM32F746)
#define TIMER_HZ 16000000u
#define COUNTER_UNIT "cycles"
#define TICKS_TO_COUNTER(t) (t)
#else
#define TIMER_HZ 1000000u
#define COUNTER_UNIT "us"
#define TICKS_TO_COUNTER(t) (t)
#endif

#endif
