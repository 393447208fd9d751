/* A fault inside the HardFault handler locks the core up: the board stops with exit 2. */
#include "fw.h"

void hardfault_handler(void)
{
    __asm__ volatile(".short 0xde01"); /* udf #1 */
    fw_exit(43);
}

int main(void)
{
    __asm__ volatile(".short 0xde00"); /* udf #0 */
    return 1;
}
