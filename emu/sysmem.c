/* System memory area as far as reads need it (flash-size register, unique ID, option bytes)
 * and DBGMCU. Everything else there stops the board.
 *
 * DBGMCU_IDCODE and DBGMCU_CR read 0 from software on the F1 (errata sheets of every density,
 * "Debug registers cannot be read by user software": accessible only in debug mode, and the
 * board has no debugger); writes to DBGMCU_CR are ignored (logged once, level 1). */
#include <stdio.h>

#include "core.h"

#define SYSMEM_PAGE 0x1FFFF000u
#define DBGMCU_BASE 0xE0042000u

/* A fixed 96-bit unique ID (RM0008 30.2). */
static const uint8_t uid[12] = {0x34, 0x12, 0x78, 0x56, 0x30, 0x30, 0x32, 0x45,
                                0x4D, 0x55, 0x30, 0x31};

static uint64_t sysmem_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    struct board *b = user;
    uint32_t o = 0x1FFFF000u + (uint32_t)off, v = 0;
    (void)uc;
    for (unsigned i = 0; i < size; i++) {
        uint32_t a = o + i, byte;
        if (a >= 0x1FFFF7E0u && a < 0x1FFFF7E2u)
            byte = (b->part->flash_kb >> (8 * (a - 0x1FFFF7E0u))) & 0xFFu; /* F_SIZE in KB */
        else if (a >= 0x1FFFF7E8u && a < 0x1FFFF7F4u)
            byte = uid[a - 0x1FFFF7E8u];
        else if (a >= 0x1FFFF800u && a < 0x1FFFF810u)
            byte = flash_option_byte(b->flash, a - 0x1FFFF800u);
        else {
            board_fault(b, "%u-byte read of unimplemented system memory address 0x%08x, PC 0x%08x",
                        size, o, board_pc(b));
            return 0;
        }
        v |= byte << (8 * i);
    }
    return v;
}

static void sysmem_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
    struct board *b = user;
    (void)uc;
    board_fault(b, "%u-byte write of 0x%x to system memory 0x%08x (option-byte programming is "
                "not modelled), PC 0x%08x", size, (uint32_t)val, SYSMEM_PAGE + (uint32_t)off,
                board_pc(b));
}

static uint64_t dbgmcu_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    struct board *b = user;
    (void)uc;
    if (size == 4 && (off == 0 || off == 4))
        return 0; /* IDCODE and CR: debug mode only (errata); DEV_ID is in the part table */
    board_fault(b, "%u-byte read of unimplemented DBGMCU address 0x%08x, PC 0x%08x", size,
                DBGMCU_BASE + (uint32_t)off, board_pc(b));
    return 0;
}

static void dbgmcu_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
    struct board *b = user;
    (void)uc;
    if (size == 4 && off == 4) {
        if (!b->dbgmcu_cr_logged)
            board_log(b, 1, "DBGMCU_CR write 0x%08x ignored: debug registers are not accessible "
                      "to software without a debugger (F1 errata)", (uint32_t)val);
        b->dbgmcu_cr_logged = true;
        return;
    }
    board_fault(b, "%u-byte write to unimplemented DBGMCU address 0x%08x, PC 0x%08x", size,
                DBGMCU_BASE + (uint32_t)off, board_pc(b));
}

int sysmem_init(struct board *b)
{
    if (uc_mmio_map(b->uc, SYSMEM_PAGE, 0x1000, sysmem_read, b, sysmem_write, b) != UC_ERR_OK ||
        uc_mmio_map(b->uc, DBGMCU_BASE, 0x1000, dbgmcu_read, b, dbgmcu_write, b) != UC_ERR_OK) {
        fprintf(stderr, "emu: cannot map system memory\n");
        return -1;
    }
    return 0;
}
