/* Flash program/erase controller (RM0008 section 3.3, PM0075). The controller is locked between
 * operations: each erase or program call unlocks, works, and locks again, so a runaway write
 * elsewhere in the bootloader cannot reach the flash. The CPU stalls while an operation runs
 * (instruction fetches from flash wait), so the BSY loops mostly see the end at once; their
 * bounds only matter if the controller hangs, and then the call fails with PROTO_E_FLASH. */
#include "proto.h"
#include "port.h"
#include "regs.h"

#define FLASH_WAIT_LOOPS 0x400000u /* > 250 ms at 64 MHz, against 40 ms for the slowest erase */
#define FLASH_SR_ERRORS  (FLASH_SR_PGERR | FLASH_SR_WRPRTERR)

uint32_t port_flash_size(void)
{
    uint32_t kb = FLASH_SIZE_KB;
    /* 1 KB pages exist up to 128 KB (medium density); an implausible value means 64 KB */
    if (kb < 16u || kb > 128u)
        kb = 64u;
    return kb * 1024u;
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

static int unlock(void)
{
    if (FLASH_CR & FLASH_CR_LOCK) {
        FLASH_KEYR = FLASH_KEY1;
        FLASH_KEYR = FLASH_KEY2;
    }
    FLASH_SR = FLASH_SR_EOP | FLASH_SR_ERRORS; /* write 1 to clear */
    return (FLASH_CR & FLASH_CR_LOCK) ? PROTO_E_FLASH : PROTO_OK;
}

static int wait_done(void)
{
    for (uint32_t n = FLASH_WAIT_LOOPS; n; n--) {
        uint32_t sr = FLASH_SR;
        if (!(sr & FLASH_SR_BSY)) {
            FLASH_SR = FLASH_SR_EOP | FLASH_SR_ERRORS;
            return (sr & FLASH_SR_ERRORS) ? PROTO_E_FLASH : PROTO_OK;
        }
    }
    return PROTO_E_FLASH;
}

int port_flash_erase_page(uint32_t addr)
{
    if ((addr & (PROTO_PAGE_SIZE - 1u)) || !writable(addr, PROTO_PAGE_SIZE))
        return PROTO_E_RANGE;
    int rc = unlock();
    if (rc == PROTO_OK) {
        FLASH_CR = FLASH_CR_PER;
        FLASH_AR = addr;
        FLASH_CR = FLASH_CR_PER | FLASH_CR_STRT;
        rc = wait_done();
    }
    FLASH_CR = FLASH_CR_LOCK;
    /* an erase that reported success but left programmed cells is a failure too */
    const volatile uint32_t *w = (const volatile uint32_t *)addr;
    for (unsigned i = 0; rc == PROTO_OK && i < PROTO_PAGE_SIZE / 4u; i++)
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
    int rc = unlock();
    for (size_t i = 0; rc == PROTO_OK && i < len; i += 2) {
        FLASH_CR = FLASH_CR_PG;
        REG16(addr + i) = (uint16_t)(p[i] | p[i + 1] << 8);
        rc = wait_done();
    }
    FLASH_CR = FLASH_CR_LOCK;
    return rc;
}
