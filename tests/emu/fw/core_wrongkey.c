/* A wrong key sequence keeps the FPEC locked until the next reset (SYSRESETREQ here). */
#include "core_flash.h"

int main(void)
{
    if (RESET_FLAG != 0xC0DE0001u) {
        FLASH_KEYR = 0x45670123u;
        FLASH_KEYR = 0x12345678u; /* wrong second key */
        FW_CHECK(FLASH_CR & CR_LOCK);
        flash_unlock(); /* right sequence now: still locked */
        FW_CHECK(FLASH_CR & CR_LOCK);
        RESET_FLAG = 0xC0DE0001u;
        system_reset();
    }
    RESET_FLAG = 0;
    flash_unlock();
    FW_CHECK(!(FLASH_CR & CR_LOCK));
    return 0;
}
