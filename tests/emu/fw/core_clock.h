/* SYSCLK to 72 MHz for the benchmark images: HSE 8 MHz x 9, flash latency 2, APB1 = HCLK/2. */
#ifndef CORE_CLOCK_H
#define CORE_CLOCK_H
#include "fw.h"

static inline void clock_72mhz(void)
{
    REG32(0x40021000) |= 1u << 16; /* RCC_CR.HSEON */
    while (!(REG32(0x40021000) & (1u << 17)))
        ;
    REG32(0x40022000) = 0x10u | 2u;                         /* FLASH_ACR: prefetch, 2 wait states */
    REG32(0x40021004) = (1u << 16) | (7u << 18) | (4u << 8); /* RCC_CFGR: PLL = HSE x 9 */
    REG32(0x40021000) |= 1u << 24;                           /* PLLON */
    while (!(REG32(0x40021000) & (1u << 25)))
        ;
    REG32(0x40021004) |= 2u; /* SW = PLL */
    while ((REG32(0x40021004) & (3u << 2)) != (2u << 2))
        ;
}
#endif
