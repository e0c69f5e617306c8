#include "print.h"

#include "../board.h"

void print_str(const char *s) {
  while (*s) board_putc(*s++);
}

void print_u32(uint32_t v) {
  char buf[11];
  int i = 10;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  print_str(buf + i);
}

void print_u64(uint64_t v) {
  char buf[21];
  int i = 20;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  print_str(buf + i);
}

void print_hex8(uint8_t v) {
  static const char digits[] = "0123456789abcdef";
  board_putc(digits[v >> 4]);
  board_putc(digits[v & 15]);
}

void print_hex32(uint32_t v) {
  print_str("0x");
  for (int s = 24; s >= 0; s -= 8) print_hex8((uint8_t)(v >> s));
}
