/* WFI wakes on an interrupt and goes on after the WFI: a one-shot SysTick sets a flag and stops
 * itself; nothing else ever happens on the board. Exits 77 (0 would be the time limit). */
#include "fw.h"

#define SYST_CSR REG32(0xE000E010)
#define SYST_RVR REG32(0xE000E014)
#define SYST_CVR REG32(0xE000E018)

static volatile uint32_t fired;

void systick_handler(void)
{
    SYST_CSR = 0;
    fired = 1;
}

int main(void)
{
    SYST_RVR = 80000u - 1u; /* 10 ms at 8 MHz */
    SYST_CVR = 0;
    SYST_CSR = 7u;
    while (!fired)
        __asm__ volatile("wfi");
    /* PRIMASK set: WFI still wakes on the pending interrupt, which is not taken. */
    __asm__ volatile("cpsid i");
    fired = 0;
    SYST_CVR = 0;
    SYST_CSR = 7u;
    __asm__ volatile("wfi");
    FW_CHECK(!fired);
    FW_CHECK(REG32(0xE000ED04) & (1u << 26)); /* ICSR.PENDSTSET */
    __asm__ volatile("cpsie i; isb");
    FW_CHECK(fired);
    return 77;
}
