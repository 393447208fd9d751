/* FPEC: unlock, page erase, half-word program, read back, PGERR, 0x0000 over data, locked. */
#include "core_flash.h"

#define PAGE 0x0800F000u

int main(void)
{
    FW_CHECK(FLASH_CR & CR_LOCK); /* locked after reset */
    flash_unlock();
    FW_CHECK(!(FLASH_CR & CR_LOCK));

    flash_erase_page(PAGE);
    FW_CHECK(FLASH_SR & SR_EOP);
    for (uint32_t a = PAGE; a < PAGE + 1024u; a += 4)
        FW_CHECK(REG32(a) == 0xFFFFFFFFu);

    for (uint32_t i = 0; i < 8; i++)
        FW_CHECK(flash_program(PAGE + 2 * i, (uint16_t)(0x1234u + i)) == SR_EOP);
    for (uint32_t i = 0; i < 8; i++)
        FW_CHECK(REG16(PAGE + 2 * i) == 0x1234u + i);

    /* Over a programmed half-word: PGERR and no change. */
    FW_CHECK(flash_program(PAGE, 0x0204u) & SR_PGERR);
    FW_CHECK(REG16(PAGE) == 0x1234u);
    /* 0x0000 may be written over anything. */
    FW_CHECK(!(flash_program(PAGE + 2, 0x0000u) & SR_PGERR));
    FW_CHECK(REG16(PAGE + 2) == 0u);
    /* A word store while PG: PGERR, nothing programmed. */
    FLASH_SR = SR_PGERR;
    FLASH_CR = CR_PG;
    REG32(PAGE + 16) = 0x11223344u;
    flash_wait();
    FLASH_CR = 0;
    FW_CHECK(FLASH_SR & SR_PGERR);
    FW_CHECK(REG32(PAGE + 16) == 0xFFFFFFFFu);

    /* Locked: CR cannot be written, stores do nothing. */
    FLASH_CR = CR_LOCK;
    FLASH_CR = CR_PG;
    FW_CHECK(FLASH_CR == CR_LOCK);
    REG16(PAGE + 20) = 0x5555u;
    flash_wait();
    FW_CHECK(REG16(PAGE + 20) == 0xFFFFu);

    /* Relock and unlock again is allowed. */
    flash_unlock();
    FW_CHECK(!(FLASH_CR & CR_LOCK));
    FW_CHECK(flash_program(PAGE + 20, 0x5555u) == SR_EOP);
    FW_CHECK(REG16(PAGE + 20) == 0x5555u);
    /* Program from flash, read back at the alias: the same cell. */
    FW_CHECK(REG16(PAGE + 20 - 0x08000000u) == 0x5555u);
    return 0;
}
