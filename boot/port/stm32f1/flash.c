/* Flash program/erase controller (RM0008 section 3.3, PM0075; XL density: PM0075 section 2.4,
 * bank 2 from 0x08080000 has its own KEYR2/SR2/CR2/AR2). The controller is locked between
 * operations: each erase or program call unlocks, works, and locks again, so a runaway write
 * elsewhere in the bootloader cannot reach the flash. The CPU stalls while an operation runs
 * (instruction fetches from flash wait), so the BSY loops mostly see the end at once; their
 * bounds only matter if the controller hangs, and then the call fails with PROTO_E_FLASH. */
#include "f1.h"
#include "part.h"
#include "proto.h"
#include "port.h"
#include "regs.h"

#define FLASH_WAIT_LOOPS 0x400000u /* > 250 ms at 64 MHz, against 40 ms for the slowest erase */
#define FLASH_SR_ERRORS  (FLASH_SR_PGERR | FLASH_SR_WRPRTERR)

static uint32_t flash_kb;

/* One report has F_SIZE reading 0xFFFF after the clock was raised to 72 MHz: read it first. The
 * core checks it against the board's part class and refuses to write when they disagree. */
void f1_flash_init(void)
{
    flash_kb = FLASH_SIZE_KB;
}

uint32_t port_flash_size(void)
{
    return flash_kb * 1024u;
}

/* The registers of the bank that holds addr: bank 2 (XL parts) from 0x08080000. */
struct bank {
    volatile uint32_t *keyr, *sr, *cr, *ar;
};

static struct bank bank_of(uint32_t addr)
{
    if (addr >= PART_BANK2 && port_flash_size() > PART_BANK2 - PROTO_FLASH_BASE)
        return (struct bank){&FLASH_KEYR2, &FLASH_SR2, &FLASH_CR2, &FLASH_AR2};
    return (struct bank){&FLASH_KEYR, &FLASH_SR, &FLASH_CR, &FLASH_AR};
}

const uint8_t *port_flash_ptr(uint32_t addr)
{
    return (const uint8_t *)addr;
}

/* The bootloader's own pages are never erased or programmed, whatever the caller asks. */
static bool writable(uint32_t addr, uint32_t len)
{
    uint32_t end = PROTO_FLASH_BASE + port_flash_size();
    return addr >= PROTO_APP_START && addr <= end && len <= end - addr;
}

static int unlock(struct bank b)
{
    if (*b.cr & FLASH_CR_LOCK) {
        *b.keyr = FLASH_KEY1;
        *b.keyr = FLASH_KEY2;
    }
    *b.sr = FLASH_SR_EOP | FLASH_SR_ERRORS; /* write 1 to clear */
    return (*b.cr & FLASH_CR_LOCK) ? PROTO_E_FLASH : PROTO_OK;
}

static int wait_done(struct bank b)
{
    for (uint32_t n = FLASH_WAIT_LOOPS; n; n--) {
        uint32_t sr = *b.sr;
        if (!(sr & FLASH_SR_BSY)) {
            *b.sr = FLASH_SR_EOP | FLASH_SR_ERRORS;
            return (sr & FLASH_SR_ERRORS) ? PROTO_E_FLASH : PROTO_OK;
        }
    }
    return PROTO_E_FLASH;
}

int port_flash_erase_page(uint32_t addr, uint32_t page_size)
{
    if ((addr & (page_size - 1u)) || !writable(addr, page_size))
        return PROTO_E_RANGE;
    struct bank b = bank_of(addr);
    int rc = unlock(b);
    if (rc == PROTO_OK) {
        *b.cr = FLASH_CR_PER;
        *b.ar = addr;
        *b.cr = FLASH_CR_PER | FLASH_CR_STRT;
        rc = wait_done(b);
    }
    *b.cr = FLASH_CR_LOCK;
    /* an erase that reported success but left programmed cells is a failure too */
    const volatile uint32_t *w = (const volatile uint32_t *)addr;
    for (unsigned i = 0; rc == PROTO_OK && i < page_size / 4u; i++)
        if (w[i] != 0xFFFFFFFFu)
            rc = PROTO_E_FLASH;
    return rc;
}

int port_flash_program(uint32_t addr, const void *data, size_t len)
{
    const uint8_t *p = data; /* may be unaligned: it points into a received frame */
    if ((addr | len) & 1u)
        return PROTO_E_ALIGN;
    if (!writable(addr, len))
        return PROTO_E_RANGE;
    /* a program never crosses the bank boundary: the core writes whole half-words, and
     * 0x08080000 is even, so each half-word is in one bank; the bank is chosen per half-word */
    int rc = PROTO_OK;
    for (size_t i = 0; rc == PROTO_OK && i < len; i += 2) {
        struct bank b = bank_of(addr + (uint32_t)i);
        rc = unlock(b);
        if (rc == PROTO_OK) {
            *b.cr = FLASH_CR_PG;
            REG16(addr + i) = (uint16_t)(p[i] | p[i + 1] << 8);
            rc = wait_done(b);
        }
        *b.cr = FLASH_CR_LOCK;
    }
    return rc;
}
