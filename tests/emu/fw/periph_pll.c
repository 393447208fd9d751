/* The usual start-up to 72 MHz: HSE on, PLL = HSE x 9, flash latency 2, APB1 /2, switch to the
 * PLL; then USART1 at 115200 from PCLK2 = 72 MHz (BRR 625). SysTick on HCLK times ten
 * characters: 10 x 10 bits x 625 cycles = 62500 cycles. Prints "PLL ok". */
#include "fw.h"

#define RCC_CR REG32(0x40021000)
#define RCC_CFGR REG32(0x40021004)
#define RCC_APB2ENR REG32(0x40021018)
#define FLASH_ACR REG32(0x40022000)
#define USART1_SR REG32(0x40013800)
#define USART1_DR REG32(0x40013804)
#define USART1_BRR REG32(0x40013808)
#define USART1_CR1 REG32(0x4001380C)
#define GPIOA_CRH REG32(0x40010804)
#define SYST_CSR REG32(0xE000E010)
#define SYST_RVR REG32(0xE000E014)
#define SYST_CVR REG32(0xE000E018)

static void put(char c)
{
    while (!(USART1_SR & (1u << 7)))
        ;
    USART1_DR = (uint8_t)c;
}

int main(void)
{
    RCC_CR |= 1u << 16; /* HSEON */
    while (!(RCC_CR & (1u << 17)))
        ;
    FLASH_ACR = (FLASH_ACR & ~7u) | 2u | (1u << 4);
    RCC_CFGR = (1u << 16) | (7u << 18) | (4u << 8); /* PLLSRC HSE, x9, PPRE1 /2 */
    RCC_CR |= 1u << 24;                             /* PLLON */
    while (!(RCC_CR & (1u << 25)))
        ;
    RCC_CFGR |= 2u; /* SW = PLL */
    while (((RCC_CFGR >> 2) & 3u) != 2u)
        ;
    RCC_APB2ENR |= (1u << 2) | (1u << 14);
    GPIOA_CRH = (GPIOA_CRH & ~0xFF0u) | (0xBu << 4) | (0x4u << 8);
    USART1_BRR = 72000000u / 115200u;
    USART1_CR1 = (1u << 13) | (1u << 3);
    put('>'); /* TC is already 1 from reset: wait for the idle preamble and one character */
    for (int i = 0; i < 2; i++)
        while (!(USART1_SR & (1u << 6)))
            ;
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5u; /* processor clock, enabled */
    uint32_t t0 = SYST_CVR;
    for (int i = 0; i < 10; i++)
        put((char)('0' + i));
    while (!(USART1_SR & (1u << 6)))
        ;
    uint32_t cycles = (t0 - SYST_CVR) & 0xFFFFFFu;
    FW_CHECK(cycles > 59000u && cycles < 66000u);
    const char *s = "\r\nPLL ok\r\n";
    while (*s)
        put(*s++);
    while (!(USART1_SR & (1u << 6)))
        ;
    return 0;
}
