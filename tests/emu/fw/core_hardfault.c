/* An undefined instruction escalates to HardFault (UsageFault disabled): the handler sees
 * CFSR.UNDEFINSTR and HFSR.FORCED and exits with 42. */
#include "fw.h"

void hardfault_handler(void)
{
    uint32_t cfsr = REG32(0xE000ED28), hfsr = REG32(0xE000ED2C);
    fw_exit((cfsr & (1u << 16)) && (hfsr & (1u << 30)) ? 42u : 43u);
}

int main(void)
{
    __asm__ volatile(".short 0xde00"); /* udf #0 */
    return 1;
}
