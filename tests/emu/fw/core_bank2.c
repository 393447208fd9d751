/* XL density (f103zg): bank 2 from 0x08080000 has its own FLASH_KEYR2/SR2/CR2/AR2 (RM0008 3.4).
 * Bank 2 unlocks, erases a page and programs; bank 1's registers cannot touch it; the code here
 * (bank 1) goes on while bank 2 is busy (read-while-write); bank 2's mass erase spares bank 1;
 * a wrong key locks bank 2 only. The test preloads zeros at 0x08081000..0x08082000. */
#include "core_flash.h"

#define FLASH_KEYR2 REG32(0x40022044)
#define FLASH_SR2 REG32(0x4002204C)
#define FLASH_CR2 REG32(0x40022050)
#define FLASH_AR2 REG32(0x40022054)
#define B2_PAGE 0x08081000u /* preloaded with zeros */
#define B2_FREE 0x080A0000u /* erased */

static void wait2(void)
{
    while (FLASH_SR2 & SR_BSY)
        ;
}

int main(void)
{
    FW_CHECK(FLASH_CR2 & CR_LOCK);
    FW_CHECK(REG32(B2_PAGE) == 0);

    /* Bank 1 unlocked, bank 2 still locked: CR2 ignores writes. */
    flash_unlock();
    FW_CHECK(!(FLASH_CR & CR_LOCK) && (FLASH_CR2 & CR_LOCK));
    FLASH_CR2 = CR_PER;
    FW_CHECK(FLASH_CR2 == CR_LOCK);

    /* Bank 1's PER with a bank 2 address in FLASH_AR erases nothing. */
    FLASH_CR = CR_PER;
    FLASH_AR = B2_PAGE;
    FLASH_CR = CR_PER | CR_STRT;
    flash_wait();
    FLASH_CR = 0;
    FW_CHECK(!(FLASH_SR & SR_EOP));
    FW_CHECK(REG32(B2_PAGE) == 0 && REG32(B2_PAGE + 0x7FC) == 0);

    /* Bank 1's PG does not program bank 2. */
    FLASH_CR = CR_PG;
    REG16(B2_FREE) = 0x1234u;
    flash_wait();
    FLASH_CR = 0;
    FW_CHECK(REG16(B2_FREE) == 0xFFFFu);

    /* Bank 2 through its own registers: unlock, page erase (2 KB), program. */
    FLASH_KEYR2 = 0x45670123u;
    FLASH_KEYR2 = 0xCDEF89ABu;
    FW_CHECK(!(FLASH_CR2 & CR_LOCK));
    FLASH_CR2 = CR_PER;
    FLASH_AR2 = B2_PAGE + 0x400u; /* any address in the page */
    FLASH_CR2 = CR_PER | CR_STRT;
    /* This code runs from bank 1 while bank 2 erases: it sees BSY (no stall). */
    FW_CHECK(FLASH_SR2 & SR_BSY);
    FW_CHECK(!(FLASH_SR & SR_BSY));
    wait2();
    FLASH_CR2 = 0;
    FW_CHECK(FLASH_SR2 & SR_EOP);
    for (uint32_t a = B2_PAGE; a < B2_PAGE + 2048u; a += 4)
        FW_CHECK(REG32(a) == 0xFFFFFFFFu);
    FW_CHECK(REG32(B2_PAGE + 2048u) == 0); /* the next page is untouched */

    FLASH_SR2 = SR_EOP;
    FLASH_CR2 = CR_PG;
    REG16(B2_PAGE) = 0xBEEFu;
    wait2();
    FLASH_CR2 = 0;
    FW_CHECK(FLASH_SR2 & SR_EOP);
    FW_CHECK(REG16(B2_PAGE) == 0xBEEFu);
    FW_CHECK(FLASH_AR2 == B2_PAGE);

    /* Bank 2's PG does not program bank 1. */
    FLASH_CR2 = CR_PG;
    REG16(0x0800F000u) = 0x4321u;
    wait2();
    FLASH_CR2 = 0;
    FW_CHECK(REG16(0x0800F000u) == 0xFFFFu);

    /* Bank 2 mass erase: bank 2 erased, bank 1 (this code) intact. */
    FLASH_CR2 = CR_MER;
    FLASH_CR2 = CR_MER | CR_STRT;
    wait2();
    FLASH_CR2 = 0;
    FW_CHECK(REG32(B2_PAGE + 2048u) == 0xFFFFFFFFu && REG16(B2_PAGE) == 0xFFFFu);

    /* A wrong key for bank 2 locks bank 2 until reset, bank 1 stays usable. */
    FLASH_CR2 = CR_LOCK;
    FLASH_KEYR2 = 0x12345678u;
    FLASH_KEYR2 = 0x45670123u;
    FLASH_KEYR2 = 0xCDEF89ABu;
    FW_CHECK(FLASH_CR2 & CR_LOCK);
    FW_CHECK(!(FLASH_CR & CR_LOCK));
    FW_CHECK(flash_program(0x0800F000u, 0x0A0Bu) == SR_EOP);
    return 0;
}
