/* DMA circular receive while the CPU is stalled by a page erase: USART1 RX into a 256-byte
 * ring through DMA1 channel 5, then a page erase (20 ms: the code runs from flash, so the CPU
 * stalls); the host's 200 bytes (115200 baud: 17.4 ms) must all land in the ring, in order,
 * without ORE. Prints "DMA ok". */
#include "fw.h"

#define USART1_SR REG32(0x40013800)
#define USART1_DR_ADDR 0x40013804u
#define USART1_CR3 REG32(0x40013814)
#define RCC_AHBENR REG32(0x40021014)
#define DMA1_ISR REG32(0x40020000)
#define DMA1_CCR5 REG32(0x40020058)
#define DMA1_CNDTR5 REG32(0x4002005C)
#define DMA1_CPAR5 REG32(0x40020060)
#define DMA1_CMAR5 REG32(0x40020064)
#define FLASH_KEYR REG32(0x40022004)
#define FLASH_SR REG32(0x4002200C)
#define FLASH_CR REG32(0x40022010)
#define FLASH_AR REG32(0x40022014)
#define PAGE 0x0800FC00u
#define N 200u
#define RING 256u

static volatile uint8_t ring[RING];

int main(void)
{
    RCC_AHBENR |= 1u; /* DMA1EN */
    DMA1_CPAR5 = USART1_DR_ADDR;
    DMA1_CMAR5 = (uint32_t)ring;
    DMA1_CNDTR5 = RING;
    DMA1_CCR5 = (1u << 7) | (1u << 5) | 1u; /* MINC, CIRC, EN; 8-bit both sides */
    FLASH_KEYR = 0x45670123u;
    FLASH_KEYR = 0xCDEF89ABu;
    fw_uart_init();
    USART1_CR3 = 1u << 6; /* DMAR */
    FLASH_CR = 1u << 1;   /* PER */
    FLASH_AR = PAGE;
    FLASH_CR = (1u << 1) | (1u << 6); /* STRT: the CPU stalls on its next flash fetch */
    while (FLASH_SR & 1u)             /* BSY */
        ;
    uint32_t left = DMA1_CNDTR5;
    FW_CHECK(FLASH_SR & (1u << 5)); /* EOP */
    FW_CHECK(REG32(PAGE) == 0xFFFFFFFFu);
    FW_CHECK(RING - left == N); /* every byte arrived during the erase */
    FW_CHECK((USART1_SR & (1u << 3)) == 0);
    for (uint32_t i = 0; i < N; i++)
        FW_CHECK(ring[i] == (uint8_t)('A' + i % 26u));
    FW_CHECK((DMA1_ISR & (1u << 17)) == 0); /* TCIF5: the ring did not wrap */
    fw_puts("DMA ok\r\n");
    while (!(USART1_SR & (1u << 6)))
        ;
    return 0;
}
