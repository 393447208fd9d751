/* SYSRESETREQ resets the core (VTOR, SysTick, NVIC) and keeps SRAM; AIRCR without VECTKEY does
 * nothing. Exits with 0 after the second boot. */
#include "core_flash.h"

#define VTOR REG32(0xE000ED08)
#define SYST_CSR REG32(0xE000E010)
#define ISER0 REG32(0xE000E100)

int main(void)
{
    if (RESET_FLAG == 0xB007B007u) {
        RESET_FLAG = 0;
        FW_CHECK(VTOR == 0);
        FW_CHECK(SYST_CSR == 0);
        FW_CHECK(ISER0 == 0);
        return 0;
    }
    VTOR = 0x08000000u;
    ISER0 = 1u << 3;
    AIRCR = 0x00000004u; /* no key: ignored */
    for (volatile int i = 0; i < 100; i++)
        ;
    RESET_FLAG = 0xB007B007u;
    system_reset();
}
