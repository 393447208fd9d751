/* Shared helpers for the emulator's test firmware images (not the product's register layer:
 * these images test the board model against RM0008, so they spell out addresses themselves). */
#ifndef FW_H
#define FW_H

#include <stdint.h>

#define REG32(a) (*(volatile uint32_t *)(a))
#define REG16(a) (*(volatile uint16_t *)(a))

/* End the emulator run (emulator started with --stop-on-bkpt): exit status = code. */
static inline __attribute__((noreturn)) void fw_exit(uint32_t code)
{
    register uint32_t r0 __asm__("r0") = code;
    __asm__ volatile("bkpt #0" ::"r"(r0));
    for (;;) {
    }
}

/* Exit with status 16 + line when cond is false, so a failing check names itself. */
#define FW_CHECK(cond)                                                                     \
    do {                                                                                   \
        if (!(cond))                                                                       \
            fw_exit(16u + (uint32_t)(__LINE__ % 200));                                     \
    } while (0)

/* Parameters a test passes to an image: words preloaded as a raw binary at FW_ARGS
 * (--load args.bin@0x0800FC00, the last KB of the smallest part's flash), FW_ARGS_MAGIC first. */
#define FW_ARGS 0x0800FC00u
#define FW_ARGS_MAGIC 0x41524753u /* "SGRA" */
#define FW_ARG(i) (((const volatile uint32_t *)FW_ARGS)[1 + (i)])
#define FW_HAVE_ARGS() (((const volatile uint32_t *)FW_ARGS)[0] == FW_ARGS_MAGIC)

/* USART1 at 115200 8N1 on PA9/PA10 from the 8 MHz HSI (reset clock). */
void fw_uart_init(void);
void fw_putc(char c);
void fw_puts(const char *s);
void fw_puthex(uint32_t v);
void fw_putdec(uint32_t v);

/* Handlers a test may define (weak defaults loop forever / fault loudly). */
void systick_handler(void);
void usart1_handler(void);
void usart2_handler(void);
void usart3_handler(void);
void dma1_ch5_handler(void);
void hardfault_handler(void);

int main(void);

#endif
