/* Internal interface between the files of the STM32F1 port (not used by the core). */
#ifndef F1_H
#define F1_H

#include <stdint.h>

#include "board.h" /* the board profile: make BOARD=NAME */

/* HCLK after port_init: 72 MHz from HSE, 64 MHz from HSI (36 MHz on the connectivity line), or
 * 8 MHz if the PLL failed to lock. PCLK2 = HCLK, PCLK1 = HCLK / 2. */
extern uint32_t f1_hclk;

void f1_flash_init(void);  /* latches F_SIZE: call before the clock is raised */
void f1_uart_init(void);   /* the profile's USART at 115200 8N1, circular DMA reception */
void f1_uart_deinit(void); /* waits for the last byte, then the DMA channel back to reset values */

void reset_handler(void); /* the vector table's, the ELF entry point */
void systick_handler(void);
void fault_handler(void);

#endif
