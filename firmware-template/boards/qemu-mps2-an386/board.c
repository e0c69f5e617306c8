/* QEMU mps2-an386: CMSDK APB UART0 at 0x40004000, CMSDK dual timer at 0x40002000,
 * exit through Arm semihosting (QEMU: -semihosting-config enable=on,target=native). */
#include "../board.h"

#define UART0_BASE 0x40004000u
#define UART_DATA (*(volatile uint32_t *)(UART0_BASE + 0x00))
#define UART_STATE (*(volatile uint32_t *)(UART0_BASE + 0x04))
#define UART_CTRL (*(volatile uint32_t *)(UART0_BASE + 0x08))
#define UART_BAUDDIV (*(volatile uint32_t *)(UART0_BASE + 0x10))
#define UART_STATE_TXFULL 1u
#define UART_STATE_RXFULL 2u

#define TIMER1_BASE 0x40002000u
#define TIMER1_LOAD (*(volatile uint32_t *)(TIMER1_BASE + 0x00))
#define TIMER1_VALUE (*(volatile uint32_t *)(TIMER1_BASE + 0x04))
#define TIMER1_CTRL (*(volatile uint32_t *)(TIMER1_BASE + 0x08))
#define TIMER_CTRL_ENABLE 0x80u
#define TIMER_CTRL_32BIT 0x02u

void board_init(void) {
  UART_BAUDDIV = 16;
  UART_CTRL = 3; /* TX and RX enable */
  /* QEMU's UART model re-checks pending input only when DATA is read (see DESIGN.md). */
  (void)UART_DATA;
  TIMER1_CTRL = 0;
  TIMER1_LOAD = 0xFFFFFFFFu;
  TIMER1_CTRL = TIMER_CTRL_ENABLE | TIMER_CTRL_32BIT; /* free-running, counts down, wraps */
}

void board_putc(char c) {
  while (UART_STATE & UART_STATE_TXFULL) {
  }
  UART_DATA = (uint8_t)c;
}

int board_getc(void) {
  /* QEMU runs WFE as a yield to its main loop, which then delivers the next byte at once;
   * spinning instead leaves input waiting for the end of the translated block chain. */
  while (!(UART_STATE & UART_STATE_RXFULL)) {
    __asm__ volatile("wfe");
  }
  return (int)(UART_DATA & 0xFFu);
}

void board_timer_restart(void) { TIMER1_LOAD = 0xFFFFFFFFu; /* writing LOAD reloads VALUE */ }

uint32_t board_timer_ticks(void) { return 0xFFFFFFFFu - TIMER1_VALUE; }

static uint32_t semihost(uint32_t op, const void *arg) {
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/* SYS_OPEN (mode 1: "rb"), SYS_READ (returns the bytes NOT read), SYS_CLOSE. */
int board_host_read(const char *path, uint8_t *dst, uint32_t n) {
  uint32_t len = 0;
  while (path[len]) len++;
  uint32_t open_args[3] = {(uint32_t)path, 1u, len};
  uint32_t handle = semihost(0x01u, open_args);
  if (handle == 0xFFFFFFFFu) return -1;
  uint32_t read_args[3] = {handle, (uint32_t)dst, n};
  uint32_t left = semihost(0x06u, read_args);
  uint32_t close_args[1] = {handle};
  (void)semihost(0x02u, close_args);
  return left == 0 ? 0 : -1;
}

void board_exit(int code) {
  /* SYS_EXIT_EXTENDED(ADP_Stopped_ApplicationExit, code): QEMU exits with `code`. */
  uint32_t block[2] = {0x20026u, (uint32_t)code};
  semihost(0x20u, block);
  for (;;) {
  }
}
