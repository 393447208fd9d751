/* The demo applications' console: polled writes to the board's USART (set up by the caller). */
#include "app_board.h"
#include "app_regs.h"
#include "demo.h"

#define U APP_USART_BASE

void demo_putc(char c)
{
    while (!(USART_SR(U) & USART_SR_TXE)) {
    }
    USART_DR(U) = (uint8_t)c;
}

void demo_puts(const char *s)
{
    while (*s)
        demo_putc(*s++);
}

void demo_putu(uint32_t v)
{
    char buf[11];
    int i = sizeof buf - 1;
    buf[i] = '\0';
    do
        buf[--i] = (char)('0' + v % 10u);
    while (v /= 10u);
    demo_puts(&buf[i]);
}

void demo_puthex(uint32_t v)
{
    demo_puts("0x");
    for (int s = 28; s >= 0; s -= 4)
        demo_putc("0123456789abcdef"[(v >> s) & 15u]);
}
