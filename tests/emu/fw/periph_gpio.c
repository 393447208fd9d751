/* GPIO: PA4 (the LED) toggles high then low; PA0 is an input with the pull-down, read at start
 * and again after about 10 ms. Exit status 32 + PA0 at start + 2 * PA0 later, so a test can
 * drive PA0 at power-on (--pin PA0=1) or later (--pin PA0=1@5). */
#include "fw.h"

#define RCC_APB2ENR REG32(0x40021018)
#define GPIOA_CRL REG32(0x40010800)
#define GPIOA_IDR REG32(0x40010808)
#define GPIOA_ODR REG32(0x4001080C)
#define GPIOA_BSRR REG32(0x40010810)
#define GPIOA_BRR REG32(0x40010814)

int main(void)
{
    RCC_APB2ENR |= 1u << 2;
    GPIOA_CRL = (GPIOA_CRL & ~0xF000Fu) | 0x8u | (0x2u << 16); /* PA0 pull, PA4 push-pull 2 MHz */
    GPIOA_BRR = 1u;                                             /* pull-down */
    uint32_t a = GPIOA_IDR & 1u;
    GPIOA_BSRR = 1u << 4;
    FW_CHECK(GPIOA_IDR & (1u << 4));
    for (volatile uint32_t i = 0; i < 20000; i++) /* ~10 ms at 8 MHz */
        ;
    uint32_t b = GPIOA_IDR & 1u;
    GPIOA_BRR = 1u << 4;
    FW_CHECK(GPIOA_ODR == 0);
    return (int)(32u + a + 2u * b);
}
