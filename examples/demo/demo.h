/* The demo application's parts (main.c, handover.c, bank2.c, print.c; the staged demo's
 * stage_demo.c and stage_rx.c). */
#ifndef DEMO_H
#define DEMO_H

#include <stdint.h>

/* What the bootloader left: NULL when every register the demo checks reads as after reset
 * (clock tree on HSI, PLL/HSE off, no peripheral clock, the board's GPIO ports, AFIO remap,
 * USART and DMA channels at their reset values, SysTick off, no interrupt enabled, VTOR at the
 * application). Otherwise the name of the first register that is not, its value in *value.
 * Call it first: it looks before main touches anything. */
const char *demo_handover(uint32_t *value);

/* Linked only into app-xl (the XL board): code placed across the bank boundary; NULL elsewhere. */
const char *demo_bank2(void) __attribute__((weak));

/* The console on the board's USART, polled (print.c). */
void demo_putc(char c);
void demo_puts(const char *s);
void demo_putu(uint32_t v);
void demo_puthex(uint32_t v); /* "0x" and 8 digits */

#endif
