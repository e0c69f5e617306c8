/* What the app needs from a board port: a byte UART, a free-running 32-bit timer, a way out. */
#ifndef BOARD_H
#define BOARD_H

#include <stdint.h>

void board_init(void);
void board_putc(char c);
/* Blocking read of one byte from the UART. */
int board_getc(void);
/* Restart the timer at zero (call just before the measured code). */
void board_timer_restart(void);
/* Ticks since the last restart. */
uint32_t board_timer_ticks(void);
/* Reads n bytes of a host file into dst through the debug link (semihosting), for fast input
 * downloads on the emulator. 0 on success, -1 when the board has no host I/O or the read failed. */
int board_host_read(const char *path, uint8_t *dst, uint32_t n);
/* End the program: semihosting exit on the emulator, park the core on hardware. */
void board_exit(int code) __attribute__((noreturn));

#endif
