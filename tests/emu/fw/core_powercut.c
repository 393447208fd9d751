/* One page erase then 16 half-word programs (17 flash operations): the power-cut test cuts at
 * each and inspects the flash file. */
#include "core_flash.h"

#define PAGE 0x0800D000u

int main(void)
{
    flash_unlock();
    flash_erase_page(PAGE);
    for (uint32_t i = 0; i < 16; i++)
        FW_CHECK(flash_program(PAGE + 2 * i, (uint16_t)(0x0F0Fu * (i + 1))) == SR_EOP);
    return 0;
}
