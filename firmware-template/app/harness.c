/* The MLPerf Tiny device-under-test protocol over the UART: '%'-terminated commands
 * (name, profile, timestamp, db load N, db HEX, infer N W, results), `m-` replies, each
 * command answered with a final `m-ready`. TinyOps adds three commands beside it (tinyops,
 * output-hex, counters; see ../PROTOCOL.md) and leaves the standard ones as they are. */
#include <string.h>

#include "app.h"
#include "board.h"
#include "print.h"

#define CMD_MAX 80 /* the harness keeps at most 80 characters of a command */

#define PROTOCOL_VERSION "1"

/* Boards whose debug link can read host files (db-host). */
#ifdef BOARD_QEMU
#define HOST_IO " hostio=semihosting"
#else
#define HOST_IO ""
#endif

/* 0 builds a plain MLPerf Tiny port (how the host meets third-party ports), for tests. */
#ifndef APP_HARNESS_EXTENSIONS
#define APP_HARNESS_EXTENSIONS 1
#endif

/* Test hook for the host's failure detection: 1 faults, 2 hangs, 3 answers noise on `infer`. */
#ifndef APP_INJECT_FAULT
#define APP_INJECT_FAULT 0
#endif

static uint8_t *db;            /* download buffer: the arena's free tail */
static uint32_t db_cap, db_expect, db_pos;
static uint64_t clock_base;
static uint32_t clock_last;
/* The last `infer`'s timed inferences: count, summed ticks, fastest and slowest. */
static uint32_t last_infers;
static uint64_t last_ticks_sum;
static uint32_t last_ticks_min, last_ticks_max;

/* Ticks since boot, across timer wraps (the board timer is 32 bits) and restarts. */
static uint64_t clock_ticks(void) {
  uint32_t t = board_timer_ticks();
  if (t < clock_last) clock_base += 0x100000000ull;
  clock_last = t;
  return clock_base + t;
}

static uint32_t now_us(void) { return (uint32_t)(clock_ticks() / (TIMER_HZ / 1000000u)); }

/* Restarts the timer right before measured code, folding the time so far into the clock: under
 * QEMU -icount the count then does not depend on when the command arrived (DESIGN.md). */
static void restart_timer(void) {
  clock_base = clock_ticks();
  clock_last = 0;
  board_timer_restart();
}

static void line(const char *a, const char *b, const char *c) {
  print_str(a);
  if (b) print_str(b);
  if (c) print_str(c);
  print_str("\r\n");
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static uint32_t parse_u32(const char *s, uint32_t dflt) {
  if (!s || !*s) return dflt;
  uint32_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (uint32_t)(*s++ - '0');
  return v;
}

/* Fixed 3 decimals, without printf's float support. */
static void print_fixed3(float v) {
  if (v < 0) {
    board_putc('-');
    v = -v;
  }
  uint32_t milli = (uint32_t)(v * 1000.0f + 0.5f);
  print_u32(milli / 1000);
  board_putc('.');
  board_putc((char)('0' + milli / 100 % 10));
  board_putc((char)('0' + milli / 10 % 10));
  board_putc((char)('0' + milli % 10));
}

void app_print_results(void) {
  uint32_t bytes;
  const uint8_t *out = tor_output(&app_interp, 0, &bytes);
  const tor_tensor *t = &app_interp.tensors[app_interp.outputs[0]];
  print_str("m-results-[");
  for (uint32_t i = 0; i < t->count; i++) {
    if (i) board_putc(',');
    float v;
    if (t->type == TOR_FLOAT32) memcpy(&v, out + 4 * i, 4);
    else v = ((float)(int8_t)out[i] - (float)t->zero_point) * t->scale;
    print_fixed3(v);
  }
  print_str("]\r\n");
  (void)bytes;
}

/* `output-hex%` (and the self-test): output tensor 0 as raw bytes, for bit-exact comparison. */
void app_print_output_hex(void) {
  uint32_t bytes;
  const uint8_t *out = tor_output(&app_interp, 0, &bytes);
  print_str("m-output-hex-[");
  for (uint32_t i = 0; i < bytes; i++) print_hex8(out[i]);
  print_str("]\r\n");
}

static void load_tensor(void) {
  uint32_t bytes;
  uint8_t *in = tor_input(&app_interp, 0, &bytes);
  memcpy(in, db, db_pos < bytes ? db_pos : bytes);
}

static void infer(uint32_t n, uint32_t warmup) {
  print_str("m-warmup-start-");
  print_u32(warmup);
  print_str("\r\n");
  for (uint32_t i = 0; i < warmup; i++) {
    load_tensor();
    tor_invoke(&app_interp);
  }
  line("m-warmup-done", 0, 0);
  print_str("m-infer-start-");
  print_u32(n);
  print_str("\r\n");
  uint32_t t0 = now_us();
  tor_status s = TOR_OK;
  last_infers = 0;
  last_ticks_sum = 0;
  last_ticks_min = 0xFFFFFFFFu;
  last_ticks_max = 0;
  for (uint32_t i = 0; i < n && s == TOR_OK; i++) {
    load_tensor();
    /* Ticks of tor_invoke() alone. */
    restart_timer();
    s = tor_invoke(&app_interp);
    uint32_t d = board_timer_ticks();
    last_infers++;
    last_ticks_sum += d;
    if (d < last_ticks_min) last_ticks_min = d;
    if (d > last_ticks_max) last_ticks_max = d;
  }
  uint32_t t1 = now_us();
  print_str("m-lap-us-");
  print_u32(t0);
  print_str("\r\nm-lap-us-");
  print_u32(t1);
  print_str("\r\n");
  if (s != TOR_OK) line("e-[inference failed: ", tor_status_name(s), "]");
  line("m-infer-done", 0, 0);
  app_print_results();
}

#if APP_HARNESS_EXTENSIONS
static const char *type_name(uint32_t t) {
  switch (t) {
    case TOR_INT8:
      return "int8";
    case TOR_UINT8:
      return "uint8";
    case TOR_INT16:
      return "int16";
    case TOR_FLOAT32:
      return "float32";
    default:
      return "other";
  }
}

/* `tinyops%`: the handshake. One line of space-separated key=value pairs; hosts ignore keys
 * they do not know, so later versions can add some. */
static void tinyops_hello(void) {
  const tor_tensor *in = &app_interp.tensors[app_interp.inputs[0]];
  const tor_tensor *out = &app_interp.tensors[app_interp.outputs[0]];
  uint32_t in_bytes, out_bytes;
  (void)tor_input(&app_interp, 0, &in_bytes);
  (void)tor_output(&app_interp, 0, &out_bytes);
  print_str("m-tinyops-[protocol=" PROTOCOL_VERSION " board=" APP_BOARD " model=" APP_MODEL_ID);
  print_str(" input=");
  print_str(type_name(in->type));
  board_putc(':');
  print_u32(in_bytes);
  print_str(" output=");
  print_str(type_name(out->type));
  board_putc(':');
  print_u32(out_bytes);
  print_str(" db=");
  print_u32(db_cap);
  print_str(" counter=" COUNTER_UNIT HOST_IO " arena=");
  print_u32(app_interp.arena_used);
  print_str("]\r\n");
}

/* `db-host N PATH%`: the download buffer filled from a host file through semihosting, where the
 * board has it (QEMU): a 27 KB image in one call instead of 700 `db` commands over the UART. */
static void db_host(char *args) {
  char *path = args ? strchr(args, ' ') : 0;
  if (path) *path++ = 0;
  uint32_t n = parse_u32(args, 0);
  if (!path || !*path || n == 0 || n > db_cap) {
    line("e-[db-host needs N (1..buffer size) and a path]", 0, 0);
    return;
  }
  if (board_host_read(path, db, n) != 0) {
    line("e-[db-host: cannot read ", path, "]");
    return;
  }
  db_expect = 0;
  db_pos = n;
  line("m-load-done", 0, 0);
}

/* `counters%`: the last `infer`'s timed inferences in the board's counter unit. */
static void counters(void) {
  print_str("m-counters-[unit=" COUNTER_UNIT " infers=");
  print_u32(last_infers);
  print_str(" total=");
  print_u64(TICKS_TO_COUNTER(last_ticks_sum));
  print_str(" min=");
  print_u64(last_infers ? TICKS_TO_COUNTER((uint64_t)last_ticks_min) : 0);
  print_str(" max=");
  print_u64(TICKS_TO_COUNTER((uint64_t)last_ticks_max));
  print_str("]\r\n");
}

#endif

#if APP_INJECT_FAULT
static void misbehave(void) {
#if APP_INJECT_FAULT == 1
  (void)*(volatile uint32_t *)0x5FFFFFF0u; /* a precise bus fault: the HardFault report */
#elif APP_INJECT_FAULT == 2
  for (;;) {
  }
#else
  uint32_t x = 12345u; /* line noise, as a wrong baud rate gives */
  for (int i = 0; i < 512; i++) {
    x = x * 1103515245u + 12345u;
    board_putc((char)(x >> 24));
  }
#endif
}
#endif

static void db_command(char *arg) {
  if (strncmp(arg, "load ", 5) == 0 || strcmp(arg, "load") == 0) {
    uint32_t n = parse_u32(arg[4] ? arg + 5 : "", 0);
    if (n == 0) {
      line("e-[Command 'db load' must be >0 bytes]", 0, 0);
      return;
    }
    if (n > db_cap) {
      print_str("e-[Supplied buffer size ");
      print_u32(n);
      print_str(" exceeds ");
      print_u32(db_cap);
      print_str("]\r\n");
      return;
    }
    db_expect = n;
    db_pos = 0;
    print_str("m-[Expecting ");
    print_u32(n);
    print_str(" bytes]\r\n");
    return;
  }
  size_t len = strlen(arg);
  if (len % 2) {
    line("e-[Insufficent number of hex digits]", 0, 0);
    return;
  }
  for (size_t i = 0; i < len; i += 2) {
    int hi = hexval(arg[i]), lo = hexval(arg[i + 1]);
    if (hi < 0 || lo < 0) {
      print_str("e-[Invalid hex digit '");
      board_putc(arg[i]);
      board_putc(arg[i + 1]);
      print_str("']\r\n");
      return;
    }
    if (db_pos < db_expect) db[db_pos++] = (uint8_t)(hi * 16 + lo);
  }
  if (db_expect && db_pos == db_expect) {
    line("m-load-done", 0, 0);
    db_expect = 0;
  }
}

static void command(char *cmd) {
  char *args = strchr(cmd, ' ');
  if (args) *args++ = 0;
  if (strcmp(cmd, "name") == 0) {
    line("m-name-dut-[tinyops]", 0, 0);
  } else if (strcmp(cmd, "profile") == 0) {
    line("m-profile-[ULPMark for tinyML Firmware V0.0.1]", 0, 0);
    line("m-model-[" APP_MODEL_ID "]", 0, 0);
  } else if (strcmp(cmd, "timestamp") == 0) {
    print_str("m-lap-us-");
    print_u32(now_us());
    print_str("\r\n");
  } else if (strcmp(cmd, "db") == 0 && args) {
    db_command(args);
  } else if (strcmp(cmd, "infer") == 0) {
#if APP_INJECT_FAULT
    misbehave();
#endif
    char *w = args ? strchr(args, ' ') : 0;
    if (w) *w++ = 0;
    uint32_t n = parse_u32(args, 1);
    infer(n ? n : 1, parse_u32(w, 10));
  } else if (strcmp(cmd, "results") == 0) {
    app_print_results();
#if APP_HARNESS_EXTENSIONS
  } else if (strcmp(cmd, "tinyops") == 0) {
    tinyops_hello();
  } else if (strcmp(cmd, "output-hex") == 0) {
    app_print_output_hex();
  } else if (strcmp(cmd, "counters") == 0) {
    counters();
  } else if (strcmp(cmd, "db-host") == 0) {
    db_host(args);
#endif
  } else if (cmd[0]) {
    line("e-[Unknown command: ", cmd, "]");
  }
  line("m-ready", 0, 0);
}

int app_harness(void) {
  uint32_t in_bytes;
  (void)tor_input(&app_interp, 0, &in_bytes);
  /* The download buffer is the arena's unplanned tail: no extra RAM. */
  uint32_t start = (app_interp.arena_used + 15u) & ~15u;
  db = app_arena + start;
  db_cap = app_interp.arena_size > start ? app_interp.arena_size - start : 0;
  if (db_cap < in_bytes) {
    line("e-[arena has no room for the input download buffer]", 0, 0);
    return 5;
  }
  line("m-timestamp-mode-performance", 0, 0);
  print_str("m-lap-us-");
  print_u32(now_us());
  print_str("\r\n");
  line("m-init-done", 0, 0);
  line("m-ready", 0, 0);
  char cmd[CMD_MAX + 1];
  unsigned len = 0;
  for (;;) {
    int c = board_getc();
    if (c == '%') {
      cmd[len] = 0;
      command(cmd);
      len = 0;
    } else if (c != '\r' && c != '\n' && len < CMD_MAX) {
      cmd[len++] = (char)c;
    }
  }
}
