/* Waits (WFI-free busy loop) until PA0, an input with pull-down, reads high; exits 0. */
#include "fw.h"

int main(void)
{
    REG32(0x40021018) |= 1u << 2;                           /* RCC_APB2ENR.IOPAEN */
    REG32(0x40010800) = (REG32(0x40010800) & ~0xFu) | 0x8u; /* GPIOA_CRL: PA0 pull-up/down in */
    REG32(0x4001080C) &= ~1u;                               /* ODR0 = 0: pull-down */
    FW_CHECK(!(REG32(0x40010808) & 1u));                    /* IDR: low until driven */
    while (!(REG32(0x40010808) & 1u))
        ;
    return 0;
}
