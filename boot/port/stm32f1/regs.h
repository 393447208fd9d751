/* STM32F1 registers used by the bootloader port, written from RM0008 (rev 21) and the
 * Cortex-M3 TRM. Only what we use; addresses and bits as in the manual. */
#ifndef STM32F1_REGS_H
#define STM32F1_REGS_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define REG16(addr) (*(volatile uint16_t *)(addr))

/* ---- Cortex-M3 system control space ---------------------------------------------------------- */
#define SYST_CSR   REG32(0xE000E010u) /* SysTick control and status */
#define SYST_RVR   REG32(0xE000E014u) /* reload value (24 bits) */
#define SYST_CVR   REG32(0xE000E018u) /* current value */
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1 = processor clock */

/* NVIC: 60 external interrupts (68 on the connectivity line): two (three) words per bank. */
#define NVIC_ISER(n) REG32(0xE000E100u + 4u * (n))
#define NVIC_ICER(n) REG32(0xE000E180u + 4u * (n))
#define NVIC_ICPR(n) REG32(0xE000E280u + 4u * (n))

#define SCB_ICSR   REG32(0xE000ED04u)
#define SCB_VTOR   REG32(0xE000ED08u)
#define SCB_AIRCR  REG32(0xE000ED0Cu)
#define SCB_ICSR_PENDSTCLR (1u << 25)
#define SCB_ICSR_PENDSVCLR (1u << 27)
#define SCB_AIRCR_VECTKEY  (0x05FAu << 16)
#define SCB_AIRCR_PRIGROUP (7u << 8)
#define SCB_AIRCR_SYSRESETREQ (1u << 2)

#define DBGMCU_IDCODE REG32(0xE0042000u)

/* ---- Device electronic signature (RM0008 section 30) ----------------------------------------- */
#define FLASH_SIZE_KB REG16(0x1FFFF7E0u)
#define UID_BASE      0x1FFFF7E8u /* 96 bits */

/* ---- RCC (0x40021000) ------------------------------------------------------------------------ */
#define RCC_BASE     0x40021000u
#define RCC_CR       REG32(RCC_BASE + 0x00u)
#define RCC_CFGR     REG32(RCC_BASE + 0x04u)
#define RCC_CIR      REG32(RCC_BASE + 0x08u)
#define RCC_APB2RSTR REG32(RCC_BASE + 0x0Cu)
#define RCC_APB1RSTR REG32(RCC_BASE + 0x10u)
#define RCC_AHBENR   REG32(RCC_BASE + 0x14u)
#define RCC_APB2ENR  REG32(RCC_BASE + 0x18u)
#define RCC_APB1ENR  REG32(RCC_BASE + 0x1Cu)
#define RCC_CSR      REG32(RCC_BASE + 0x24u)

#define RCC_CR_HSION    (1u << 0)
#define RCC_CR_HSEON    (1u << 16)
#define RCC_CR_HSERDY   (1u << 17)
#define RCC_CR_HSEBYP   (1u << 18) /* writable only while HSEON = 0 */
#define RCC_CR_PLLON    (1u << 24)
#define RCC_CR_PLLRDY   (1u << 25)
#define RCC_CFGR_SW_MASK   (3u << 0)
#define RCC_CFGR_SW_PLL    (2u << 0)
#define RCC_CFGR_SWS_MASK  (3u << 2)
#define RCC_CFGR_SWS_PLL   (2u << 2)
#define RCC_CFGR_PPRE1_DIV2 (4u << 8)
#define RCC_CFGR_PLLSRC_HSE (1u << 16) /* 0 = HSI/2 */
#define RCC_CFGR_PLLMUL(n)  ((uint32_t)((n) - 2u) << 18) /* n = 2..16 */
#define RCC_CIR_CLEAR_ALL   0x009F0000u /* LSIRDYC..PLLRDYC, CSSC */
#define RCC_AHBENR_DMA1EN   (1u << 0)
#define RCC_AHBENR_RESET    0x00000014u /* SRAMEN | FLITFEN */
#define RCC_APB1_BKP        (1u << 27)
#define RCC_APB1_PWR        (1u << 28)

/* ---- Flash interface (0x40022000) ------------------------------------------------------------ */
#define FLASH_BASE_R  0x40022000u
#define FLASH_ACR     REG32(FLASH_BASE_R + 0x00u)
#define FLASH_KEYR    REG32(FLASH_BASE_R + 0x04u)
#define FLASH_SR      REG32(FLASH_BASE_R + 0x0Cu)
#define FLASH_CR      REG32(FLASH_BASE_R + 0x10u)
#define FLASH_AR      REG32(FLASH_BASE_R + 0x14u)
/* XL density: bank 2's own controller (PM0075) */
#define FLASH_KEYR2   REG32(FLASH_BASE_R + 0x44u)
#define FLASH_SR2     REG32(FLASH_BASE_R + 0x4Cu)
#define FLASH_CR2     REG32(FLASH_BASE_R + 0x50u)
#define FLASH_AR2     REG32(FLASH_BASE_R + 0x54u)
#define FLASH_ACR_LATENCY(n) ((uint32_t)(n))
#define FLASH_ACR_PRFTBE     (1u << 4)
#define FLASH_ACR_RESET      0x00000030u /* PRFTBE | PRFTBS, zero wait states */
#define FLASH_KEY1    0x45670123u
#define FLASH_KEY2    0xCDEF89ABu
#define FLASH_SR_BSY      (1u << 0)
#define FLASH_SR_PGERR    (1u << 2)
#define FLASH_SR_WRPRTERR (1u << 4)
#define FLASH_SR_EOP      (1u << 5)
#define FLASH_CR_PG   (1u << 0)
#define FLASH_CR_PER  (1u << 1)
#define FLASH_CR_STRT (1u << 6)
#define FLASH_CR_LOCK (1u << 7)

/* ---- GPIO ports A..G (0x40010800 + 0x400 x port) and AFIO (0x40010000) --------------------- */
#define GPIO_BASE(port)     (0x40010800u + 0x400u * (port))
#define GPIO_CR(port, pin)  REG32(GPIO_BASE(port) + ((pin) >= 8 ? 0x04u : 0x00u)) /* CRL, CRH */
#define GPIO_IDR(port)      REG32(GPIO_BASE(port) + 0x08u)
#define GPIO_BSRR(port)     REG32(GPIO_BASE(port) + 0x10u)
/* 4-bit pin configuration (CNF[1:0] MODE[1:0]) for GPIOx_CRL/CRH */
#define GPIO_IN_FLOATING  0x4u
#define GPIO_IN_PULL      0x8u /* pull-up or pull-down: ODR bit chooses */
#define GPIO_OUT_PP_2MHZ  0x2u
#define GPIO_AF_PP_50MHZ  0xBu
#define GPIO_CR_SHIFT(pin) (4u * ((pin) & 7u))
#define AFIO_MAPR         REG32(0x40010004u)

/* ---- USART1 (0x40013800), USART2 (0x40004400), USART3 (0x40004800): the same registers ------ */
#define USART_SR(base)  REG32((base) + 0x00u)
#define USART_DR(base)  REG32((base) + 0x04u)
#define USART_BRR(base) REG32((base) + 0x08u)
#define USART_CR1(base) REG32((base) + 0x0Cu)
#define USART_CR3(base) REG32((base) + 0x14u)
#define USART_SR_ORE  (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TC   (1u << 6)
#define USART_SR_TXE  (1u << 7)
#define USART_CR1_RE     (1u << 2)
#define USART_CR1_TE     (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_PCE    (1u << 10) /* parity bit; PS = 0: even */
#define USART_CR1_M      (1u << 12) /* 9-bit word: 8 data bits + parity */
#define USART_CR1_UE     (1u << 13)
#define USART_CR3_DMAR   (1u << 6)
/* BRR = f_pclk / baud, rounded (mantissa << 4 | fraction is the same number) */
#define USART_BRR_VALUE(pclk, baud) (((pclk) + (baud) / 2u) / (baud))

/* ---- DMA1 (0x40020000): USART1_RX is channel 5, USART2_RX 6, USART3_RX 3 (RM0008 table 78) */
#define DMA1_BASE   0x40020000u
#define DMA1_IFCR   REG32(DMA1_BASE + 0x04u)
#define DMA1_CCR(ch)   REG32(DMA1_BASE + 0x08u + 20u * ((ch) - 1u))
#define DMA1_CNDTR(ch) REG32(DMA1_BASE + 0x0Cu + 20u * ((ch) - 1u))
#define DMA1_CPAR(ch)  REG32(DMA1_BASE + 0x10u + 20u * ((ch) - 1u))
#define DMA1_CMAR(ch)  REG32(DMA1_BASE + 0x14u + 20u * ((ch) - 1u))
#define DMA_IFCR_ALL(ch)  (0xFu << (4u * ((ch) - 1u)))
#define DMA_CCR_EN      (1u << 0)
#define DMA_CCR_CIRC    (1u << 5)
#define DMA_CCR_MINC    (1u << 7)
#define DMA_CCR_PL_HIGH (2u << 12)

/* ---- Backup domain: PWR (0x40007000), BKP (0x40006C00), IWDG (0x40003000) -------------------- */
#define PWR_CR     REG32(0x40007000u)
#define PWR_CR_DBP (1u << 8)
#define BKP_DR1    REG32(0x40006C04u) /* 16-bit data in a 32-bit slot */
#define IWDG_KR    REG32(0x40003000u)
#define IWDG_KEY_RELOAD 0xAAAAu

#endif
