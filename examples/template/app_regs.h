/* The STM32F1 registers the example application touches, from RM0008 and the Cortex-M3 TRM.
 * The application's own header: it shares nothing with the bootloader's port. */
#ifndef APP_REGS_H
#define APP_REGS_H

#include <stdint.h>

#define APP_REG32(addr) (*(volatile uint32_t *)(addr))

/* Cortex-M3: SysTick, NVIC, VTOR */
#define SYST_CSR   APP_REG32(0xE000E010u)
#define SYST_RVR   APP_REG32(0xE000E014u)
#define SYST_CVR   APP_REG32(0xE000E018u)
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1 = processor clock */
#define NVIC_ISER(n) APP_REG32(0xE000E100u + 4u * (n))
#define SCB_VTOR     APP_REG32(0xE000ED08u)

/* RCC */
#define RCC_CR      APP_REG32(0x40021000u)
#define RCC_CFGR    APP_REG32(0x40021004u)
#define RCC_CIR     APP_REG32(0x40021008u)
#define RCC_AHBENR  APP_REG32(0x40021014u)
#define RCC_APB2ENR APP_REG32(0x40021018u)
#define RCC_APB1ENR APP_REG32(0x4002101Cu)
#define RCC_CFGR2   APP_REG32(0x4002102Cu) /* connectivity line only */
#define RCC_CR_HSION  (1u << 0)
#define RCC_CR_HSEON  (1u << 16)
#define RCC_CR_HSEBYP (1u << 18)
#define RCC_CR_CSSON  (1u << 19)
#define RCC_CR_PLLON  (1u << 24)
#define RCC_CR_PLL2ON (1u << 26) /* connectivity line */
#define RCC_CR_PLL3ON (1u << 28)
#define RCC_AHBENR_DMA1EN (1u << 0)
#define RCC_AHBENR_RESET  0x00000014u /* SRAMEN | FLITFEN */
#define RCC_APB2_AFIO     (1u << 0)
#define FLASH_ACR   APP_REG32(0x40022000u)
#define FLASH_ACR_RESET 0x00000030u /* prefetch on, zero wait states */

/* GPIO ports A..G (port 0..6), 0x400 apart from 0x40010800; IOPxEN is APB2ENR bit 2 + port */
#define GPIO_BASE(port) (0x40010800u + 0x400u * (port))
#define GPIO_CRL(port)  APP_REG32(GPIO_BASE(port) + 0x00u)
#define GPIO_CRH(port)  APP_REG32(GPIO_BASE(port) + 0x04u)
#define GPIO_CR(port, pin) APP_REG32(GPIO_BASE(port) + ((pin) >= 8u ? 0x04u : 0x00u))
#define GPIO_ODR(port)  APP_REG32(GPIO_BASE(port) + 0x0Cu)
#define GPIO_BSRR(port) APP_REG32(GPIO_BASE(port) + 0x10u)
#define RCC_APB2_IOP(port) (1u << (2u + (port)))
#define GPIO_CR_RESET 0x44444444u /* every pin a floating input */
/* 4-bit pin configuration (CNF[1:0] MODE[1:0]) in CRL (pins 0-7) / CRH (pins 8-15) */
#define GPIO_IN_PULL      0x8u /* pull-up or pull-down: the ODR bit chooses */
#define GPIO_OUT_PP_2MHZ  0x2u
#define GPIO_AF_PP_50MHZ  0xBu
#define GPIO_CR_SHIFT(pin) (4u * ((pin) & 7u))
#define AFIO_MAPR APP_REG32(0x40010004u)

/* DMA1 channels 1..7 */
#define DMA1_CCR(ch)   APP_REG32(0x40020008u + 20u * ((ch) - 1u))

/* USART1/2/3: the same registers at their base (app_board.h) */
#define USART_SR(base)  APP_REG32((base) + 0x00u)
#define USART_DR(base)  APP_REG32((base) + 0x04u)
#define USART_BRR_R(base) APP_REG32((base) + 0x08u)
#define USART_CR1(base) APP_REG32((base) + 0x0Cu)
#define USART_CR3(base) APP_REG32((base) + 0x14u)
#define USART_SR_ORE  (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TC   (1u << 6)
#define USART_SR_TXE  (1u << 7)
#define USART_CR1_RE     (1u << 2)
#define USART_CR1_TE     (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_UE     (1u << 13)
/* BRR = f_pclk / baud, rounded */
#define USART_BRR(pclk, baud) (((pclk) + (baud) / 2u) / (baud))

#endif
