#include "fw.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

void reset_handler(void)
{
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;)
        *dst++ = 0;
    fw_exit((uint32_t)main());
}

static void default_handler(void)
{
    fw_exit(255);
}

void hardfault_handler(void) __attribute__((weak, alias("default_handler")));
void systick_handler(void) __attribute__((weak, alias("default_handler")));
void usart1_handler(void) __attribute__((weak, alias("default_handler")));
void usart2_handler(void) __attribute__((weak, alias("default_handler")));
void usart3_handler(void) __attribute__((weak, alias("default_handler")));
void dma1_ch5_handler(void) __attribute__((weak, alias("default_handler")));

/* 16 system exceptions + 68 external interrupts (connectivity line; the F103 uses the first 60). */
__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 68])(void) = {
    [0] = (void (*)(void))&_estack,
    [1] = reset_handler,
    [2] = default_handler,   /* NMI */
    [3] = hardfault_handler,
    [4] = default_handler,   [5] = default_handler, [6] = default_handler,
    [11] = default_handler,  [12] = default_handler, [14] = default_handler,
    [15] = systick_handler,
    [16 + 15] = dma1_ch5_handler,
    [16 + 37] = usart1_handler,
    [16 + 38] = usart2_handler,
    [16 + 39] = usart3_handler,
};

void fw_uart_init(void)
{
    REG32(0x40021018) |= (1u << 2) | (1u << 14);      /* RCC_APB2ENR: IOPAEN, USART1EN */
    REG32(0x40010804) = (REG32(0x40010804) & ~0xFF0u) /* GPIOA_CRH: PA9 AF push-pull 50 MHz, */
                        | (0xBu << 4) | (0x4u << 8);  /* PA10 floating input */
    REG32(0x40013808) = 8000000u / 115200u;           /* USART1_BRR */
    REG32(0x4001380C) = (1u << 13) | (1u << 3) | (1u << 2); /* CR1: UE, TE, RE */
}

void fw_putc(char c)
{
    while (!(REG32(0x40013800) & (1u << 7))) /* TXE */
        ;
    REG32(0x40013804) = (uint8_t)c;
}

void fw_puts(const char *s)
{
    while (*s)
        fw_putc(*s++);
}

void fw_puthex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        fw_putc("0123456789abcdef"[(v >> i) & 15u]);
}

void fw_putdec(uint32_t v)
{
    char s[11];
    int n = 0;
    do {
        s[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        fw_putc(s[--n]);
}
