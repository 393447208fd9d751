/* A reader too slow for its line: the host sends "ABCDEFGH" at 115200 baud; the firmware reads
 * 'A', then busy-waits about 2 ms (over 20 character times). 'B' waits in RDR, C..H are lost
 * with ORE, which an SR read followed by a DR read clears. Prints "ORE ok". */
#include "fw.h"

#define USART1_SR REG32(0x40013800)
#define USART1_DR REG32(0x40013804)
#define SR_ORE (1u << 3)
#define SR_RXNE (1u << 5)

int main(void)
{
    fw_uart_init();
    while (!(USART1_SR & SR_RXNE))
        ;
    FW_CHECK((USART1_SR & SR_ORE) == 0);
    FW_CHECK((char)USART1_DR == 'A');
    for (volatile uint32_t i = 0; i < 4000; i++) /* >= 16000 cycles at 8 MHz: 2 ms */
        ;
    uint32_t sr = USART1_SR;
    FW_CHECK(sr & SR_ORE);
    FW_CHECK(sr & SR_RXNE);
    FW_CHECK((char)USART1_DR == 'B');
    FW_CHECK((USART1_SR & (SR_ORE | SR_RXNE)) == 0);
    for (volatile uint32_t i = 0; i < 4000; i++)
        ;
    FW_CHECK((USART1_SR & SR_RXNE) == 0); /* nothing else ever arrives */
    fw_puts("ORE ok\r\n");
    while (!(USART1_SR & (1u << 6)))
        ;
    return 0;
}
