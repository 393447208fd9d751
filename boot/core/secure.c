/* SECURE=1: COMMIT accepts only an image whose signature trailer (proto.h, struct proto_sig)
 * verifies with the built-in Ed25519 key, and whose version is not below the version floor.
 *
 * The floor lives in the two pages below the record page, as entries of 8 bytes: the version,
 * its complement, then a half-word 0x0000 programmed last (the entry counts once it has left
 * 0xFFFF) and one left erased. The floor is the highest version of the entries that count. A
 * rise appends an entry; a full page is replaced by erasing the other page and writing the new
 * version there, so an interrupted rise (a cut in the erase, or in any half-word) leaves the old
 * floor or the new one, never a lower one. */
#include "secure.h"

#include <string.h>

#include "ed25519.h"
#include "flashmgr.h"
#include "port.h"
#include "secure_key.h" /* generated from PUBKEY: secure_pubkey[32], secure_key_id[8] */

#define ENTRY 8u

const uint8_t secure_meta_pages = 2;

static uint32_t meta_page(unsigned i) { return fm_area_end() + i * fm_page_size(); }

/* The highest version of page i's entries that count, and the slot after its last used one. */
static bool scan(unsigned i, uint32_t *max, uint32_t *next)
{
    uint32_t base = meta_page(i), slots = fm_page_size() / ENTRY;
    bool any = false;
    *next = 0;
    for (uint32_t k = 0; k < slots; k++) {
        const uint8_t *e = port_flash_ptr(base + k * ENTRY);
        uint32_t v = proto_get32(e), inv = proto_get32(e + 4);
        bool erased = v == 0xFFFFFFFFu && inv == 0xFFFFFFFFu;
        if (!erased)
            *next = k + 1;
        /* the commit half-word (the low half of the second word) is programmed last: while it
         * is erased the entry does not count; the complement rejects what is not an entry */
        if ((inv & 0xFFFFu) == 0xFFFFu || v == 0xFFFFFFFFu || (~v >> 16) != (inv >> 16))
            continue;
        if (!any || v > *max)
            *max = v;
        any = true;
    }
    return any;
}

/* The floor; *holder: the page that holds it (0 when no entry counts). */
static uint32_t floor_of(unsigned *holder, uint32_t next[2])
{
    uint32_t m[2] = {0, 0};
    bool a = scan(0, &m[0], &next[0]), b = scan(1, &m[1], &next[1]);
    *holder = b && (!a || m[1] > m[0]) ? 1u : 0u;
    return m[*holder];
}

/* Version, then the complement's high half-word, then the commit half-word 0x0000. */
static int write_entry(uint32_t at, uint32_t v)
{
    uint8_t e[ENTRY];
    proto_put32(e, v);
    proto_put16(e + 4, 0x0000);
    proto_put16(e + 6, (uint16_t)(~v >> 16));
    int rc = fm_meta_program(at, e, 4);
    if (rc == PROTO_OK)
        rc = fm_meta_program(at + 6, e + 6, 2);
    if (rc == PROTO_OK)
        rc = fm_meta_program(at + 4, e + 4, 2);
    return rc;
}

static int raise_floor(uint32_t v)
{
    unsigned holder;
    uint32_t next[2];
    (void)floor_of(&holder, next);
    if (next[holder] < fm_page_size() / ENTRY)
        return write_entry(meta_page(holder) + next[holder] * ENTRY, v);
    unsigned other = holder ^ 1u; /* the full page keeps the old floor meanwhile */
    int rc = fm_meta_erase(meta_page(other));
    return rc == PROTO_OK ? write_entry(meta_page(other), v) : rc;
}

static uint32_t version_floor(void)
{
    unsigned holder;
    uint32_t next[2];
    return floor_of(&holder, next);
}

int secure_check_image(uint32_t addr, uint32_t size, uint32_t *version)
{
    static struct ed25519_ctx c; /* 304 bytes off the stack */
    struct proto_sig t;
    if (size < sizeof t + 8u)
        return PROTO_E_UNSIGNED;
    memcpy(&t, port_flash_ptr(addr + size - sizeof t), sizeof t);
    if (t.magic != PROTO_SIG_MAGIC || t.header_version != PROTO_SIG_VERSION ||
        t.image_size != size - sizeof t || (t.image_size & 3u) || t.app_start != BOOT_APP_START)
        return PROTO_E_UNSIGNED;
    if (memcmp(t.key_id, secure_key_id, sizeof t.key_id) != 0)
        return PROTO_E_SIG_KEY;
    if (t.image_version < version_floor())
        return PROTO_E_ROLLBACK;
    int rc = ed25519_verify_init(&c, t.sig, secure_pubkey);
    ed25519_verify_update(&c, &t, PROTO_SIG_SIGNED);
    for (uint32_t off = 0; rc == 0 && off < t.image_size; off += 1024u) {
        uint32_t n = t.image_size - off < 1024u ? t.image_size - off : 1024u;
        port_watchdog_kick();
        ed25519_verify_update(&c, port_flash_ptr(addr + off), n);
    }
    if (ed25519_verify_final(&c) != 0)
        return PROTO_E_SIG;
    *version = t.image_version;
    return PROTO_OK;
}

int secure_floor_rise(uint32_t version)
{
    return version > version_floor() ? raise_floor(version) : PROTO_OK;
}

int secure_commit_check(uint32_t size, uint32_t *version)
{
    int rc = secure_check_image(BOOT_APP_START, size, version);
    return rc == PROTO_OK ? secure_floor_rise(*version) : rc;
}

void secure_info(struct proto_info *info)
{
    info->features |= PROTO_FEAT_SECURE;
    info->version_floor = fm_part() ? version_floor() : 0;
    memcpy(info->pubkey, secure_pubkey, sizeof info->pubkey);
}
