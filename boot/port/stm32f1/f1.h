/* Internal interface between the files of the STM32F1 port (not used by the core). */
#ifndef F1_H
#define F1_H

#include <stdint.h>

#include "proto.h"
#include BOARD_FILE /* boards/NAME.h: make BOARD=NAME */

/* HCLK = PCLK2 after port_init: 64 MHz, or 8 MHz if the PLL failed to lock. */
extern uint32_t f1_hclk;

void f1_flash_init(void);  /* latches F_SIZE: call before the clock is raised */
void f1_uart_init(void);   /* USART1 115200 8N1, DMA1 channel 5 circular reception */
void f1_uart_deinit(void); /* waits for the last byte, then DMA channel 5 back to reset values */

void reset_handler(void); /* the vector table's, the ELF entry point */
void systick_handler(void);
void fault_handler(void);

#endif
