/* STM32F746 (e.g. 32F746G-DISCOVERY): USART1 at 0x40011000 (PA9 TX / PB7 RX on that board),
 * at the 16 MHz HSI reset clock; the DWT cycle counter as the timer. Pin muxing (GPIO AF7)
 * is set here; clock tree setup (PLL to 216 MHz) is left at reset defaults. */
#include "../board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB2ENR REG(0x40023844u)
#define GPIOA 0x40020000u
#define GPIOB 0x40020400u
#define USART1 0x40011000u
#define USART_CR1 REG(USART1 + 0x00)
#define USART_BRR REG(USART1 + 0x0C)
#define USART_ISR REG(USART1 + 0x1C)
#define USART_RDR REG(USART1 + 0x24)
#define USART_TDR REG(USART1 + 0x28)
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)

static void gpio_af7(uint32_t port, unsigned pin) {
  REG(port + 0x00) = (REG(port + 0x00) & ~(3u << (2 * pin))) | (2u << (2 * pin)); /* alternate */
  uint32_t afr = port + (pin < 8 ? 0x20 : 0x24);
  unsigned sh = (pin % 8) * 4;
  REG(afr) = (REG(afr) & ~(0xFu << sh)) | (7u << sh);
}

void board_init(void) {
  RCC_AHB1ENR |= 3u;       /* GPIOA, GPIOB */
  RCC_APB2ENR |= 1u << 4;  /* USART1 */
  gpio_af7(GPIOA, 9);
  gpio_af7(GPIOB, 7);
  USART_BRR = 16000000u / 115200u;
  USART_CR1 = (1u << 3) | (1u << 2) | 1u; /* TE, RE, UE */
  DEMCR |= 1u << 24;                      /* TRCENA */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;
}

void board_putc(char c) {
  while (!(USART_ISR & (1u << 7))) { /* TXE */
  }
  USART_TDR = (uint8_t)c;
}

int board_getc(void) {
  while (!(USART_ISR & (1u << 5))) { /* RXNE */
  }
  return (int)(USART_RDR & 0xFFu);
}

void board_timer_restart(void) { DWT_CYCCNT = 0; }

uint32_t board_timer_ticks(void) { return DWT_CYCCNT; }

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
