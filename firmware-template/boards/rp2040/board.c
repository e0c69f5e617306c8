/* RP2040: UART0 (PL011) at 0x40034000, the 1 MHz TIMER at 0x40054000.
 * Not done here (so not yet runnable on a Pico): releasing UART0/IO_BANK0 from reset, the
 * clock setup (clk_peri), GPIO0/1 function select, and boot2. */
#include "../board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define UART0 0x40034000u
#define UART_DR REG(UART0 + 0x000)
#define UART_FR REG(UART0 + 0x018)
#define UART_IBRD REG(UART0 + 0x024)
#define UART_FBRD REG(UART0 + 0x028)
#define UART_LCR_H REG(UART0 + 0x02C)
#define UART_CR REG(UART0 + 0x030)
#define TIMER_TIMERAWL REG(0x40054028u)

static uint32_t timer_base;

void board_init(void) {
  UART_IBRD = 67; /* 115200 at a 125 MHz clk_peri */
  UART_FBRD = 52;
  UART_LCR_H = (3u << 5) | (1u << 4); /* 8 bit, FIFOs on */
  UART_CR = (1u << 9) | (1u << 8) | 1u; /* RXE, TXE, UARTEN */
}

void board_putc(char c) {
  while (UART_FR & (1u << 5)) { /* TXFF */
  }
  UART_DR = (uint8_t)c;
}

int board_getc(void) {
  while (UART_FR & (1u << 4)) { /* RXFE */
  }
  return (int)(UART_DR & 0xFFu);
}

void board_timer_restart(void) { timer_base = TIMER_TIMERAWL; }

uint32_t board_timer_ticks(void) { return TIMER_TIMERAWL - timer_base; }

/* No host I/O without a debugger: a semihosting call would fault. */
int board_host_read(const char *path, uint8_t *dst, uint32_t n) {
  (void)path;
  (void)dst;
  (void)n;
  return -1;
}

void board_exit(int code) {
  (void)code;
  for (;;) __asm__ volatile("wfi");
}
