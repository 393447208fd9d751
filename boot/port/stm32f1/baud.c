/* The native protocol's rate step-up (PROTO_CMD_SET_BAUD) on the profile's USART: BRR from its
 * bus clock (PCLK2 for USART1, PCLK1 = HCLK / 2 for USART2/3), refused beyond 2 % (RM0008 27.3.4:
 * USARTDIV = f_PCLK / (16 x baud); the mantissa and fraction are one number, BRR). */
#include "f1.h"
#include "port.h"
#include "regs.h"

#define BOOT_BAUD 115200u /* the rate after reset, as f1_uart_init sets it */

static uint32_t pclk(void) { return F1_USART_APB2 ? f1_hclk : f1_hclk / 2u; }

_Static_assert(1000u % PROTO_BAUD_MAX_ERR_PERMILLE == 0, "the tolerance test below is exact");

/* BRR for baud (0: the boot rate), or 0 when the USART misses that rate by more than the
 * tolerance: |actual - baud| / baud > PROTO_BAUD_MAX_ERR_PERMILLE / 1000, in 32 bits (brr >= 16
 * bounds baud to about PCLK / 15, so diff x 50 stays far below 2^32). */
static uint32_t brr_for(uint32_t baud)
{
    if (baud == 0)
        baud = BOOT_BAUD;
    uint32_t brr = USART_BRR_VALUE(pclk(), baud);
    if (brr < 16u) /* USARTDIV below 1: beyond the USART (PCLK / 16) */
        return 0;
    uint32_t actual = pclk() / brr;
    uint32_t diff = actual > baud ? actual - baud : baud - actual;
    return diff * (1000u / PROTO_BAUD_MAX_ERR_PERMILLE) > baud ? 0 : brr;
}

uint32_t port_uart_baud_for(uint32_t baud)
{
    uint32_t brr = brr_for(baud);
    return brr ? pclk() / brr : 0;
}

uint32_t port_uart_set_baud(uint32_t baud)
{
    uint32_t brr = brr_for(baud);
    if (!brr)
        return 0;
    port_uart_flush();
    uint32_t cr1 = USART_CR1(F1_USART_BASE);
    USART_CR1(F1_USART_BASE) = cr1 & ~USART_CR1_UE;
    USART_BRR(F1_USART_BASE) = brr;
    USART_CR1(F1_USART_BASE) = cr1;
    return pclk() / brr;
}

uint32_t port_uart_baud(void) { return pclk() / USART_BRR(F1_USART_BASE); }
