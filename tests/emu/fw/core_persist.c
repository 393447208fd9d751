/* Boot counter in flash: programs the first erased half-word of a page, exits 20 + count.
 * Run twice on the same flash file: 21 then 22. */
#include "core_flash.h"

#define PAGE 0x0800E000u

int main(void)
{
    uint32_t n = 0;
    while (n < 512 && REG16(PAGE + 2 * n) != 0xFFFFu)
        n++;
    flash_unlock();
    FW_CHECK(flash_program(PAGE + 2 * n, (uint16_t)(0xA000u + n)) == SR_EOP);
    return (int)(20 + n + 1);
}
