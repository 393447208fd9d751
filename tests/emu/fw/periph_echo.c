/* USART1 echo: every byte the host sends comes back; '!' ends the run (exit 0). */
#include "fw.h"

#define USART1_SR REG32(0x40013800)
#define USART1_DR REG32(0x40013804)

int main(void)
{
    fw_uart_init();
    for (;;) {
        while (!(USART1_SR & (1u << 5))) /* RXNE */
            ;
        char c = (char)USART1_DR;
        fw_putc(c);
        if (c == '!')
            break;
    }
    while (!(USART1_SR & (1u << 6))) /* TC */
        ;
    return 0;
}
