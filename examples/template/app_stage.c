/* Staged updates from the running application: the staging slot's side (app_stage.h). Plain C
 * over app_flash.c: tested on the host with the bootloader core (tests/unit/test_boot_stage_app.c). */
#include "app_stage.h"

#include <stddef.h>
#include <string.h>

static bool erased_at(uint32_t addr, uint32_t len)
{
    const uint8_t *p = app_flash_ptr(addr);
    for (uint32_t i = 0; i < len; i++)
        if (p[i] != 0xFF)
            return false;
    return true;
}

/* Programs len bytes (even) half-word by half-word onto erased flash, in order. */
static int program(uint32_t addr, const void *data, uint32_t len)
{
    const uint8_t *d = data;
    int rc = PROTO_OK;
    for (uint32_t i = 0; rc == PROTO_OK && i < len; i += 2)
        rc = app_flash_program(addr + i, (uint16_t)(d[i] | d[i + 1] << 8));
    return rc;
}

static int mark(uint32_t addr)
{
    return erased_at(addr, 2) ? app_flash_program(addr, 0x0000) : PROTO_OK;
}

void app_stage_init(struct app_stage *s, uint32_t app_start, uint32_t flash_size, uint32_t page,
                    uint32_t sram_size, uint32_t meta_pages)
{
    memset(s, 0, sizeof *s);
    s->record = PROTO_RECORD_ADDR(flash_size, page);
    s->sram_size = sram_size;
    s->secure = meta_pages != 0;
    s->staged = proto_stage_layout(&s->l, app_start, s->record - meta_pages * page, page) &&
                s->l.slot / page <= APP_STAGE_MAX_PAGES;
}

void app_stage_view(const struct app_stage *s, struct proto_stage_view *v)
{
    memset(v, 0, sizeof *v);
    v->cur = -1;
    if (s->staged)
        proto_stage_view(v, &s->l, app_flash_ptr, s->record);
}

int app_stage_begin(struct app_stage *s, uint32_t size, uint32_t version)
{
    struct proto_stage_view v;
    if (!s->staged)
        return PROTO_E_STAGE_MODE;
    app_stage_view(s, &v);
    if (v.state == PROTO_STAGE_TRIAL)
        return PROTO_E_STAGE_TRIAL;
    if (size == 0 || size > s->l.slot)
        return PROTO_E_SIZE;
    s->begun = false;
    if (!erased_at(s->l.trailer, s->l.page)) {
        int rc = app_flash_erase(s->l.trailer, s->l.page);
        if (rc != PROTO_OK)
            return rc;
    }
    memset(s->erased, 0, sizeof s->erased);
    s->size = size;
    s->version = version;
    s->begun = true;
    return PROTO_OK;
}

int app_stage_write(struct app_stage *s, uint32_t offset, const uint8_t *data, uint32_t len)
{
    if (!s->begun)
        return PROTO_E_STAGE_ORDER;
    if ((offset | len) & 1u)
        return PROTO_E_ALIGN;
    if (offset > s->l.slot || len > s->l.slot - offset)
        return PROTO_E_RANGE;
    int rc = PROTO_OK;
    for (uint32_t i = 0; rc == PROTO_OK && i < len; i += 2) {
        uint32_t off = offset + i, page = off / s->l.page, a = s->l.image + off;
        if (!(s->erased[page / 8u] & (1u << (page % 8u)))) {
            rc = app_flash_erase(s->l.image + page * s->l.page, s->l.page);
            if (rc != PROTO_OK)
                break;
            s->erased[page / 8u] |= (uint8_t)(1u << (page % 8u));
        }
        const uint8_t *cell = app_flash_ptr(a);
        if (cell[0] == data[i] && cell[1] == data[i + 1])
            continue;
        if (cell[0] != 0xFF || cell[1] != 0xFF)
            rc = PROTO_E_NOT_ERASED;
        else
            rc = app_flash_program(a, (uint16_t)(data[i] | data[i + 1] << 8));
    }
    if (rc == PROTO_OK && memcmp(app_flash_ptr(s->l.image + offset), data, len) != 0)
        rc = PROTO_E_VERIFY;
    return rc;
}

uint32_t app_stage_crc(const struct app_stage *s, uint32_t offset, uint32_t len)
{
    return proto_crc32(0, app_flash_ptr(s->l.image + offset), len);
}

/* Initial SP in this part's SRAM, word aligned; reset vector a Thumb address inside the image as
 * the primary slot will hold it (the bootloader checks the same before it installs). */
static bool vectors_ok(const struct app_stage *s)
{
    const uint8_t *v = app_flash_ptr(s->l.image);
    uint32_t sp = proto_get32(v), pc = proto_get32(v + 4);
    return s->size >= 8u && sp > PROTO_SRAM_BASE && sp <= PROTO_SRAM_BASE + s->sram_size &&
           (sp & 3u) == 0 && (pc & 1u) && (pc & ~1u) >= s->l.primary &&
           (pc & ~1u) < s->l.primary + s->size;
}

int app_stage_finish(struct app_stage *s, uint32_t crc)
{
    struct proto_stage_trailer t;
    if (!s->begun)
        return PROTO_E_STAGE_ORDER;
    if (app_stage_crc(s, 0, s->size) != crc)
        return PROTO_E_IMAGE_CRC;
    if (!vectors_ok(s))
        return PROTO_E_VECTOR;
    proto_stage_trailer_make(&t, s->size, crc, s->version);
    uint32_t crc_at = offsetof(struct proto_stage_trailer, hdr_crc);
    if (memcmp(app_flash_ptr(s->l.trailer), &t, crc_at + 4u) == 0)
        return PROTO_OK; /* finished already */
    if (!erased_at(s->l.trailer, s->l.page)) {
        int rc = app_flash_erase(s->l.trailer, s->l.page);
        if (rc != PROTO_OK)
            return rc;
    }
    /* the header, then its CRC: a cut leaves a trailer that does not count */
    int rc = program(s->l.trailer, &t, crc_at);
    if (rc == PROTO_OK)
        rc = program(s->l.trailer + crc_at, &t.hdr_crc, 4);
    return rc;
}

int app_stage_request_install(struct app_stage *s)
{
    struct proto_stage_view v;
    app_stage_view(s, &v);
    if (v.staged != PROTO_STAGED_READY && v.staged != PROTO_STAGED_REQUESTED)
        return PROTO_E_STAGE_ORDER;
    s->begun = false;
    return mark(s->l.trailer + offsetof(struct proto_stage_trailer, request));
}

int app_stage_confirm(struct app_stage *s)
{
    struct proto_stage_view v;
    app_stage_view(s, &v);
    if (v.state != PROTO_STAGE_TRIAL)
        return PROTO_OK;
    return mark(s->l.status + (uint32_t)v.cur * s->l.page + PROTO_STAGE_CONFIRM(s->l.page));
}
