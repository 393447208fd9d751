/* Smallest image: prints a line and exits 0. */
#include "fw.h"

int main(void)
{
    fw_uart_init();
    fw_puts("hello from the board\r\n");
    while (!(REG32(0x40013800) & (1u << 6))) /* TC: last byte left the wire */
        ;
    return 0;
}
