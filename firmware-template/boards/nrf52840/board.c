/* nRF52840: legacy UART0 at 0x40002000 (115200 8N1; TX on P0.06, RX on P0.08 as on the
 * nRF52840-DK), TIMER0 at 0x40008000 as a 32-bit 1 MHz counter. */
#include "../board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define UART0 0x40002000u
#define UART_STARTRX REG(UART0 + 0x000)
#define UART_STARTTX REG(UART0 + 0x008)
#define UART_RXDRDY REG(UART0 + 0x108)
#define UART_TXDRDY REG(UART0 + 0x11C)
#define UART_ENABLE REG(UART0 + 0x500)
#define UART_PSELTXD REG(UART0 + 0x50C)
#define UART_PSELRXD REG(UART0 + 0x514)
#define UART_RXD REG(UART0 + 0x518)
#define UART_TXD REG(UART0 + 0x51C)
#define UART_BAUDRATE REG(UART0 + 0x524)

#define TIMER0 0x40008000u
#define TIMER_START REG(TIMER0 + 0x000)
#define TIMER_CLEAR REG(TIMER0 + 0x00C)
#define TIMER_CAPTURE0 REG(TIMER0 + 0x040)
#define TIMER_MODE REG(TIMER0 + 0x504)
#define TIMER_BITMODE REG(TIMER0 + 0x508)
#define TIMER_PRESCALER REG(TIMER0 + 0x510)
#define TIMER_CC0 REG(TIMER0 + 0x540)


void board_init(void) {
  UART_PSELTXD = 6;
  UART_PSELRXD = 8;
  UART_BAUDRATE = 0x01D7E000u; /* 115200 */
  UART_ENABLE = 4;
  UART_STARTTX = 1;
  UART_STARTRX = 1;
  TIMER_MODE = 0;      /* timer */
  TIMER_BITMODE = 3;   /* 32 bit */
  TIMER_PRESCALER = 4; /* 16 MHz / 2^4 = 1 MHz */
  TIMER_CLEAR = 1;
  TIMER_START = 1;
}

void board_putc(char c) {
  UART_TXD = (uint8_t)c;
  while (!UART_TXDRDY) {
  }
  UART_TXDRDY = 0;
}

int board_getc(void) {
  while (!UART_RXDRDY) {
  }
  UART_RXDRDY = 0;
  return (int)(UART_RXD & 0xFFu);
}

void board_timer_restart(void) { TIMER_CLEAR = 1; }

uint32_t board_timer_ticks(void) {
  TIMER_CAPTURE0 = 1;
  return TIMER_CC0;
}

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
