/* Firmware entry: load and verify the model, then either the self-test (run the compiled-in
 * input once, print output bytes and the instruction count, exit) or the UART harness. */
#include <string.h>

#include "app.h"
#include "board.h"
#include "model_data.h"
#include "print.h"

#ifndef TOR_ARENA_SIZE
#define TOR_ARENA_SIZE 65536
#endif

uint8_t app_arena[TOR_ARENA_SIZE] __attribute__((aligned(16)));
tor_interp app_interp;

static void print_failure(const char *what, tor_status s) {
  print_str("e-[");
  print_str(what);
  print_str(": ");
  print_str(tor_status_name(s));
  print_str(" op=");
  if (app_interp.failed_op >= 0) print_u32((uint32_t)app_interp.failed_op);
  else print_str("-");
  print_str("]\r\n");
}

#if APP_SELFTEST
static int selftest(void) {
  uint32_t in_bytes;
  uint8_t *in = tor_input(&app_interp, 0, &in_bytes);
  if (in_bytes != selftest_input_len) {
    print_str("e-[self-test input is ");
    print_u32(selftest_input_len);
    print_str(" bytes, the model wants ");
    print_u32(in_bytes);
    print_str("]\r\n");
    return 3;
  }
  memcpy(in, selftest_input, in_bytes);
  app_interp.clock = board_timer_ticks;
  board_timer_restart(); /* reload right before the measured code */
  tor_status s = tor_invoke(&app_interp);
  uint32_t ticks = board_timer_ticks();
  if (s != TOR_OK) {
    print_failure("invoke", s);
    return 4;
  }
  app_print_output_hex();
  print_str("m-ticks-");
  print_u32(ticks);
#ifdef BOARD_QEMU
  print_str("\r\nm-instructions-");
  print_u32((uint32_t)TICKS_TO_COUNTER((uint64_t)ticks));
#endif
  print_str("\r\nm-arena-used-");
  print_u32(app_interp.arena_used);
  print_str("\r\nm-op-ticks-[");
  for (unsigned i = 0; i < app_interp.nops; i++) {
    if (i) board_putc(',');
    print_u32(app_interp.op_ticks[i]);
  }
  print_str("]\r\n");
  app_print_results();
  print_str("m-selftest-done\r\n");
  return 0;
}
#endif

int main(void) {
  board_init();
#if APP_FAULT_SELFTEST
  /* Test hook for the HardFault report: a load from unmapped memory (a precise bus fault). */
  (void)*(volatile uint32_t *)0x5FFFFFF0u;
#endif
  tor_status s = tor_init(&app_interp, TOR_MODEL_ARRAY, TOR_MODEL_ARRAY_LEN, app_arena, TOR_ARENA_SIZE);
  if (s != TOR_OK) {
    print_failure("init", s);
    return 2;
  }
#if APP_SELFTEST
  return selftest();
#else
  return app_harness();
#endif
}
