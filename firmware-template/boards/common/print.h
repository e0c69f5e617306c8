/* Minimal formatted output over board_putc (no printf: keeps newlib's stdio out of flash). */
#ifndef BOARD_PRINT_H
#define BOARD_PRINT_H

#include <stdint.h>

void print_str(const char *s);
void print_u32(uint32_t v);
void print_u64(uint64_t v);
void print_hex32(uint32_t v);
void print_hex8(uint8_t v);

#endif
