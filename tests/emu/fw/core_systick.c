/* SysTick through a relocated vector table: first one in SRAM, then one in flash at a 512-byte
 * boundary; each counts its own ticks. 1 ms ticks at HCLK = 8 MHz (CLKSOURCE = HCLK). */
#include "fw.h"

#define VTOR REG32(0xE000ED08)
#define SYST_CSR REG32(0xE000E010)
#define SYST_RVR REG32(0xE000E014)
#define SYST_CVR REG32(0xE000E018)
#define DWT_CTRL REG32(0xE0001000)
#define DWT_CYCCNT REG32(0xE0001004)

static volatile uint32_t ram_ticks, flash_ticks;
static void ram_tick(void) { ram_ticks++; }
static void flash_tick(void) { flash_ticks++; }
static void hang(void) { fw_exit(254); }

__attribute__((aligned(512))) static void (*ram_vectors[16 + 60])(void);
__attribute__((aligned(512), used)) static void (*const flash_vectors[16 + 60])(void) = {
    [2] = hang, [3] = hang, [15] = flash_tick};

int main(void)
{
    for (int i = 0; i < 16 + 60; i++)
        ram_vectors[i] = hang;
    ram_vectors[15] = ram_tick;
    VTOR = (uint32_t)ram_vectors;
    FW_CHECK(VTOR == (uint32_t)ram_vectors);

    SYST_RVR = 8000u - 1u;
    SYST_CVR = 0;
    DWT_CTRL = 1;
    uint32_t t0 = DWT_CYCCNT;
    SYST_CSR = 7u; /* ENABLE, TICKINT, CLKSOURCE = HCLK */
    while (ram_ticks < 10)
        __asm__ volatile("wfi");
    uint32_t cycles = DWT_CYCCNT - t0;
    FW_CHECK(cycles >= 9u * 8000u && cycles <= 11u * 8000u + 1000u);
    FW_CHECK(flash_ticks == 0);

    VTOR = (uint32_t)flash_vectors;
    while (flash_ticks < 5)
        __asm__ volatile("wfi");
    uint32_t r = ram_ticks;
    FW_CHECK(r >= 10 && r <= 11);

    /* COUNTFLAG: set at the wrap, cleared by reading. */
    SYST_CSR = 5u; /* no interrupt */
    while (!(SYST_CSR & (1u << 16)))
        ;
    FW_CHECK(!(SYST_CSR & (1u << 16)));
    return 0;
}
