/* STAGED=1: the install of a staged image at reset, its trial and the rollback (docs/STAGED.md).
 *
 * Everything runs at reset, before the boot decision, from what the flash says (proto_stage_view):
 * an operation in progress is resumed at its first unmarked step; a trial image out of boots is
 * swapped back; a requested image is checked (size, CRC, vectors, in a SECURE build the signature)
 * and installed, or refused with the reason left in the trailer for the application. Flash is
 * written only through the flash manager's slot functions and its record functions: the
 * bootloader's pages and the record page's rules stay where they are. */
#include "stage.h"

#include <string.h>

#include "flashmgr.h"
#include "port.h"
#include "secure.h"

_Static_assert(STAGE_TRIAL_BOOTS >= 1u && STAGE_TRIAL_BOOTS <= PROTO_STAGE_MAX_BOOTS,
               "STAGE_TRIAL_BOOTS: 1..PROTO_STAGE_MAX_BOOTS");
_Static_assert(STAGE_WDG_MS >= 100u && STAGE_WDG_MS <= 26000u, "STAGE_WDG_MS: 100..26000");

static struct proto_stage_layout lay;

static const uint8_t *rd(uint32_t addr) { return port_flash_ptr(addr); }

/* The part's layout in lay; false in direct mode (or without a part). */
static bool layout(void)
{
    const struct part *p = fm_part();
    return p && proto_stage_layout(&lay, BOOT_APP_START, fm_area_end(), p->page_size);
}

uint32_t stage_app_end(uint32_t area_end)
{
    struct proto_stage_layout l;
    const struct part *p = fm_part();
    if (p && proto_stage_layout(&l, BOOT_APP_START, area_end, p->page_size))
        return l.primary + l.slot;
    return area_end;
}

static void view(struct proto_stage_view *v) { proto_stage_view(v, &lay, rd, fm_record_addr()); }

static uint32_t status_page(int i) { return lay.status + (uint32_t)i * lay.page; }

/* A mark: 0x0000 onto an erased half-word (one that left 0xFFFF already counts). */
static int mark(uint32_t addr)
{
    static const uint8_t zero[2] = {0, 0};
    const uint8_t *p = port_flash_ptr(addr);
    return p[0] == 0xFF && p[1] == 0xFF ? fm_slot_program(addr, zero, 2) : PROTO_OK;
}

/* The trailer's result: the request is taken (0: installed, else why not). */
static int take(int16_t result)
{
    uint32_t at = lay.trailer + offsetof(struct proto_stage_trailer, result);
    uint8_t v[2];
    const uint8_t *p = port_flash_ptr(at);
    if (p[0] != 0xFF || p[1] != 0xFF)
        return PROTO_OK;
    proto_put16(v, (uint16_t)result);
    return fm_slot_program(at, v, 2);
}

/* Erase dst, program the half-words of src that are not erased, compare. */
static int copy_page(uint32_t dst, uint32_t src)
{
    int rc = fm_slot_erase(dst);
    for (uint32_t i = 0; rc == PROTO_OK && i < lay.page; i += 2) {
        const uint8_t *s = port_flash_ptr(src + i);
        if (s[0] != 0xFF || s[1] != 0xFF)
            rc = fm_slot_program(dst + i, s, 2);
    }
    if (rc == PROTO_OK && memcmp(port_flash_ptr(dst), port_flash_ptr(src), lay.page) != 0)
        rc = PROTO_E_VERIFY;
    return rc;
}

/* Runs the current operation from its first unmarked step to its done mark. */
static int run(const struct proto_stage_view *v)
{
    const struct proto_stage_hdr *h = &v->hdr;
    uint32_t base = status_page(v->cur);
    bool recorded = v->record && v->rec.size == h->to_primary.size &&
                    v->rec.image_crc == h->to_primary.crc;
    int rc = PROTO_OK;
    if (v->steps == 0 && v->record && !recorded)
        rc = fm_record_erase(); /* the image it describes is about to move */
    if (rc == PROTO_OK && h->op == PROTO_STAGE_OP_INSTALL && v->staged == PROTO_STAGED_REQUESTED &&
        v->trailer.crc == h->to_primary.crc && v->trailer.size == h->to_primary.size)
        rc = take(0);
    for (uint32_t k = v->steps; rc == PROTO_OK && k < 2u * h->pages; k++) {
        uint32_t dst, src;
        proto_stage_step(&lay, h->op, h->pages, k, &dst, &src);
        rc = copy_page(dst, src);
        if (rc == PROTO_OK)
            rc = mark(base + PROTO_STAGE_STEP_OFF + 2u * k);
    }
    if (rc == PROTO_OK && !recorded)
        rc = fm_record_write(h->to_primary.size, h->to_primary.crc, h->to_primary.version);
    if (rc == PROTO_OK)
        rc = mark(base + PROTO_STAGE_DONE(lay.page));
    return rc;
}

/* A new operation on the status page that is not current: erase it, the header (hdr_crc last),
 * then the started mark that makes it current. A cut before that mark leaves the previous
 * operation current and the request pending: the next reset starts again. */
static int start(const struct proto_stage_view *v, uint8_t op, uint32_t pages,
                 const struct proto_stage_img *to_primary, const struct proto_stage_img *to_staging)
{
    struct proto_stage_hdr h;
    memset(&h, 0, sizeof h);
    h.seq = v->cur >= 0 ? v->hdr.seq + 1u : 1u;
    h.op = op;
    h.trial_max = STAGE_TRIAL_BOOTS;
    h.pages = (uint16_t)pages;
    h.wdg_ms = STAGE_WDG_MS;
    h.to_primary = *to_primary;
    h.to_staging = *to_staging;
    proto_stage_hdr_seal(&h);
    uint32_t base = status_page(v->cur == 0 ? 1 : 0);
    uint32_t crc_at = offsetof(struct proto_stage_hdr, hdr_crc);
    int rc = fm_slot_erase(base);
    if (rc == PROTO_OK)
        rc = fm_slot_program(base, &h, crc_at);
    if (rc == PROTO_OK)
        rc = fm_slot_program(base + crc_at, (const uint8_t *)&h + crc_at, 4);
    if (rc == PROTO_OK)
        rc = mark(base + PROTO_STAGE_STARTED(lay.page));
    return rc;
}

static uint32_t pages_of(uint32_t size) { return (size + lay.page - 1u) / lay.page; }

/* The staged image can be installed: a valid running image to keep as the way back, not the same
 * image, vectors for the primary slot, its CRC, in a SECURE build its signature and version
 * (which then goes into the record). */
static int check_staged(const struct proto_stage_view *v, struct proto_stage_img *img,
                        struct proto_record *old)
{
    const struct proto_stage_trailer *t = &v->trailer;
    if (!fm_app_valid(old))
        return PROTO_E_STAGE_NO_APP;
    if (old->size == t->size && old->image_crc == t->crc)
        return PROTO_E_STAGE_CURRENT;
    if (t->size < 8u || !fm_vectors_ok(port_flash_ptr(lay.image), t->size))
        return PROTO_E_VECTOR;
    if (fm_crc(lay.image, t->size) != t->crc)
        return PROTO_E_IMAGE_CRC;
    img->size = t->size;
    img->crc = t->crc;
    img->version = t->version;
    return secure_check_image(lay.image, t->size, &img->version);
}

/* The requested image: installed (the operation started), or refused in the trailer. */
static void install(const struct proto_stage_view *v)
{
    struct proto_stage_img img, old;
    struct proto_record rec;
    int rc = check_staged(v, &img, &rec);
    if (rc != PROTO_OK) {
        (void)take((int16_t)rc);
        return;
    }
    old.size = rec.size;
    old.crc = rec.image_crc;
    old.version = rec.version;
    uint32_t n = pages_of(img.size) > pages_of(old.size) ? pages_of(img.size) : pages_of(old.size);
    (void)start(v, PROTO_STAGE_OP_INSTALL, n, &img, &old);
}

bool stage_boot(void)
{
    bool acted = false;
    if (!layout())
        return false;
    /* at most: resume or start one operation, run it, look once more */
    for (int pass = 0; pass < 4; pass++) {
        struct proto_stage_view v;
        view(&v);
        switch (v.state) {
        case PROTO_STAGE_INSTALLING:
        case PROTO_STAGE_ROLLING_BACK:
            acted = true;
            if (run(&v) != PROTO_OK)
                return acted; /* no valid record: IAP mode, the next reset tries again */
            continue;
        case PROTO_STAGE_TRIAL:
            if (v.boots < v.hdr.trial_max)
                return true; /* a trial boot: no listening window to hold it up */
            acted = true;
            if (start(&v, PROTO_STAGE_OP_ROLLBACK, v.hdr.pages, &v.hdr.to_staging,
                      &v.hdr.to_primary) != PROTO_OK)
                return acted;
            continue;
        case PROTO_STAGE_CONFIRMED:
            (void)secure_floor_rise(v.hdr.to_primary.version);
            break;
        default:
            break;
        }
        if (v.staged != PROTO_STAGED_REQUESTED)
            return acted;
        acted = true;
        install(&v);
    }
    return acted;
}

void stage_before_jump(void)
{
    struct proto_stage_view v;
    if (!layout())
        return;
    view(&v);
    if (v.state != PROTO_STAGE_TRIAL)
        return;
    if (v.boots >= v.hdr.trial_max)
        port_reset(); /* out of boots: the rollback runs at reset */
    (void)mark(status_page(v.cur) + PROTO_STAGE_BOOT(lay.page, v.boots));
    port_watchdog_start(v.hdr.wdg_ms);
}

void stage_info(struct proto_info *info) { info->features |= PROTO_FEAT_STAGED; }

int stage_command(uint8_t type, const uint8_t *p, size_t len, uint8_t *out, size_t *out_len)
{
    struct proto_stage_status st;
    struct proto_stage_view v;
    struct proto_info info;
    (void)p;
    if (type != PROTO_CMD_STAGE_STATUS)
        return PROTO_E_CMD;
    if (len != 0)
        return PROTO_E_LEN;
    memset(&st, 0, sizeof st);
    if (layout()) {
        view(&v);
        proto_stage_status_fill(&st, &lay, &v);
    }
    st.role = PROTO_STAGE_ROLE_BOOT;
    st.trial_max = st.trial_max ? st.trial_max : STAGE_TRIAL_BOOTS;
    st.wdg_ms = st.wdg_ms ? st.wdg_ms : STAGE_WDG_MS;
    st.sram_size = fm_sram_size();
    memset(&info, 0, sizeof info);
    secure_info(&info);
    st.flags = info.features & PROTO_FEAT_SECURE ? PROTO_STAGE_F_SECURE : 0u;
    proto_stage_status_encode(out, &st);
    *out_len = PROTO_STAGE_STATUS_LEN;
    return PROTO_OK;
}
