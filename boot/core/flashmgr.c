#include "flashmgr.h"

#include <string.h>

#include "frame.h"
#include "secure.h"
#include "stage.h"

#include "port.h"

static const struct part *part;                 /* NULL: F_SIZE contradicts the part class */
static uint32_t flash_size;
static bool record_erased;                      /* this session erased the record page */
static uint8_t page_erased[PART_MAX_PAGES / 8]; /* pages erased this session */
static uint32_t written_end;

void fm_new_session(void)
{
    uint32_t kb = port_flash_size() / 1024u;
    part = part_find(port_part_class(), kb);
    flash_size = part ? kb * 1024u : 0;
    record_erased = false;
    memset(page_erased, 0, sizeof page_erased);
    written_end = BOOT_APP_START;
}

const struct part *fm_part(void) { return part; }
uint32_t fm_flash_size(void) { return flash_size; }
uint32_t fm_page_size(void) { return part ? part->page_size : 0; }
uint32_t fm_sram_size(void) { return part ? part->sram_kb * 1024u : 0; }

static int check(uint32_t addr, uint32_t len, uint32_t start, uint32_t end)
{
    /* written without addr + len, which can wrap */
    if (addr < start || addr > end || len > end - addr)
        return PROTO_E_RANGE;
    return PROTO_OK;
}

uint32_t fm_record_addr(void)
{
    return part ? PROTO_RECORD_ADDR(flash_size, part->page_size) : BOOT_APP_START;
}

uint32_t fm_area_end(void)
{
    return part ? fm_record_addr() - secure_meta_pages * part->page_size : BOOT_APP_START;
}

uint32_t fm_app_end(void)
{
    return part ? stage_app_end(fm_area_end()) : BOOT_APP_START;
}

/* Erase / program inside [start, end) only: the module pages and the staged slots below. */
static int erase_in(uint32_t addr, uint32_t start, uint32_t end)
{
    if (!part)
        return PROTO_E_PART;
    int rc = check(addr, part->page_size, start, end);
    if (rc == PROTO_OK && (addr - PROTO_FLASH_BASE) % part->page_size)
        rc = PROTO_E_ALIGN;
    if (rc == PROTO_OK) {
        port_watchdog_kick();
        rc = port_flash_erase_page(addr, part->page_size);
    }
    return rc;
}

static int program_in(uint32_t addr, const void *data, size_t len, uint32_t start, uint32_t end)
{
    if (!part)
        return PROTO_E_PART;
    int rc = check(addr, (uint32_t)len, start, end);
    return rc == PROTO_OK ? port_flash_program(addr, data, len) : rc;
}

/* The module's pages between the image area and the record page. */
int fm_meta_erase(uint32_t addr) { return erase_in(addr, fm_area_end(), fm_record_addr()); }

int fm_meta_program(uint32_t addr, const void *data, size_t len)
{
    return program_in(addr, data, len, fm_area_end(), fm_record_addr());
}

/* The slots of staged updates: the whole image area, page by page. */
int fm_slot_erase(uint32_t addr) { return erase_in(addr, BOOT_APP_START, fm_area_end()); }

int fm_slot_program(uint32_t addr, const void *data, size_t len)
{
    return program_in(addr, data, len, BOOT_APP_START, fm_area_end());
}

int fm_record_erase(void)
{
    if (!part)
        return PROTO_E_PART;
    port_watchdog_kick();
    return port_flash_erase_page(fm_record_addr(), part->page_size);
}

int fm_check_app(uint32_t addr, uint32_t len)
{
    if (!part)
        return PROTO_E_PART;
    return check(addr, len, BOOT_APP_START, fm_app_end());
}

int fm_check_read(uint32_t addr, uint32_t len)
{
    if (!part)
        return PROTO_E_PART;
    return check(addr, len, PROTO_FLASH_BASE, PROTO_FLASH_BASE + flash_size);
}

int fm_begin_update(void)
{
    if (record_erased)
        return PROTO_OK;
    if (!part)
        return PROTO_E_PART;
    port_watchdog_kick();
    int rc = port_flash_erase_page(fm_record_addr(), part->page_size);
    if (rc == PROTO_OK)
        record_erased = true;
    return rc;
}

/* Callers checked the range, so part is set. */
static uint32_t page_index(uint32_t addr) { return (addr - PROTO_FLASH_BASE) / part->page_size; }

static int erase_page(uint32_t page)
{
    port_watchdog_kick();
    int rc = port_flash_erase_page(PROTO_FLASH_BASE + page * part->page_size, part->page_size);
    if (rc == PROTO_OK)
        page_erased[page / 8] |= (uint8_t)(1u << (page % 8));
    return rc;
}

int fm_erase(uint32_t addr, uint32_t len)
{
    if (len == 0)
        return PROTO_E_LEN;
    int rc = fm_check_app(addr, len);
    if (rc == PROTO_OK)
        rc = fm_begin_update();
    if (rc != PROTO_OK)
        return rc;
    for (uint32_t p = page_index(addr); rc == PROTO_OK && p <= page_index(addr + len - 1); p++)
        rc = erase_page(p);
    return rc;
}

/* Initial SP inside the part's SRAM and word aligned; reset vector a Thumb address inside the
 * first size bytes of the application area. */
bool fm_vectors_ok(const uint8_t *v, uint32_t size)
{
    uint32_t sp = proto_get32(v), pc = proto_get32(v + 4);
    return size >= 8 && sp > PROTO_SRAM_BASE && sp <= PROTO_SRAM_BASE + fm_sram_size() &&
           (sp & 3u) == 0 && (pc & 1u) && (pc & ~1u) >= BOOT_APP_START &&
           (pc & ~1u) < BOOT_APP_START + size;
}

int fm_write(uint32_t addr, const uint8_t *data, size_t len)
{
    if ((addr | len) & 1u)
        return PROTO_E_ALIGN;
    int rc = fm_check_app(addr, (uint32_t)len);
    if (rc != PROTO_OK || len == 0)
        return rc;
    /* A write of the vector table that cannot be an application is refused before the record
     * page is erased: a file that is not firmware leaves the old application bootable. */
    if (addr == BOOT_APP_START && len >= 8 && !fm_vectors_ok(data, fm_app_end() - BOOT_APP_START))
        return PROTO_E_VECTOR;
    rc = fm_begin_update();
    for (size_t i = 0; rc == PROTO_OK && i < len; i += 2) {
        uint32_t a = addr + (uint32_t)i;
        uint32_t page = page_index(a);
        if (!(page_erased[page / 8] & (1u << (page % 8))))
            rc = erase_page(page);
        if (rc != PROTO_OK)
            break;
        const uint8_t *cell = port_flash_ptr(a);
        if (cell[0] == data[i] && cell[1] == data[i + 1])
            continue;
        if (cell[0] != 0xFF || cell[1] != 0xFF)
            rc = PROTO_E_NOT_ERASED;
        else
            rc = port_flash_program(a, data + i, 2);
    }
    if (rc == PROTO_OK && memcmp(port_flash_ptr(addr), data, len) != 0)
        rc = PROTO_E_VERIFY;
    if (rc == PROTO_OK && addr + len > written_end)
        written_end = addr + (uint32_t)len;
    return rc;
}

uint32_t fm_written_end(void) { return written_end; }

uint32_t fm_crc(uint32_t addr, uint32_t len)
{
    uint32_t crc = 0;
    while (len) {
        uint32_t n = len > 1024u ? 1024u : len; /* the watchdog is fed every kilobyte */
        port_watchdog_kick();
        crc = proto_crc32(crc, port_flash_ptr(addr), n);
        addr += n;
        len -= n;
    }
    return crc;
}


static int check_image(uint32_t size, uint32_t crc)
{
    if (!part)
        return PROTO_E_PART;
    if (size == 0 || size > fm_app_end() - BOOT_APP_START)
        return PROTO_E_SIZE;
    if (!fm_vectors_ok(port_flash_ptr(BOOT_APP_START), size))
        return PROTO_E_VECTOR;
    if (fm_crc(BOOT_APP_START, size) != crc)
        return PROTO_E_IMAGE_CRC;
    return PROTO_OK;
}

bool fm_app_valid(struct proto_record *out)
{
    struct proto_record r;
    if (!part)
        return false;
    memcpy(&r, port_flash_ptr(fm_record_addr()), sizeof r);
    if (r.magic != PROTO_RECORD_MAGIC || proto_crc32(0, &r, 20) != r.rec_crc ||
        check_image(r.size, r.image_crc) != PROTO_OK)
        return false;
    if (out)
        *out = r;
    return true;
}

/* Half-word by half-word in field order onto the erased record page: rec_crc lands last, so a
 * cut record never passes. */
static int program_record(uint32_t size, uint32_t crc, uint32_t version)
{
    struct proto_record r;
    proto_record_make(&r, size, crc, version);
    uint32_t at = fm_record_addr();
    int rc = PROTO_OK;
    for (uint32_t i = 0; rc == PROTO_OK && i < sizeof r; i += 2)
        rc = port_flash_program(at + i, (const uint8_t *)&r + i, 2);
    if (rc == PROTO_OK && !fm_app_valid(NULL))
        rc = PROTO_E_VERIFY;
    return rc;
}

int fm_commit(uint32_t size, uint32_t crc, uint32_t version)
{
    int rc = check_image(size, crc);
    if (rc == PROTO_OK)
        rc = secure_commit_check(size, &version);
    if (rc == PROTO_OK)
        rc = fm_begin_update();
    if (rc == PROTO_OK)
        rc = program_record(size, crc, version);
    if (rc == PROTO_OK)
        fm_new_session();
    return rc;
}

int fm_record_write(uint32_t size, uint32_t crc, uint32_t version)
{
    int rc = check_image(size, crc);
    const uint8_t *p = port_flash_ptr(fm_record_addr());
    for (uint32_t i = 0; rc == PROTO_OK && i < part->page_size; i++)
        if (p[i] != 0xFF) {
            rc = fm_record_erase();
            break;
        }
    return rc == PROTO_OK ? program_record(size, crc, version) : rc;
}
