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

#endif
