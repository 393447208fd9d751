#include "stage.h"

#include <string.h>

/* The STAGE_STATUS answer is the struct's memory layout, as INFO's (frame.c): pin it. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the status is copied as is");
_Static_assert(sizeof(struct proto_stage_status) == PROTO_STAGE_STATUS_LEN, "status size");
_Static_assert(offsetof(struct proto_stage_status, page_size) == 8, "status layout");
_Static_assert(offsetof(struct proto_stage_status, running) == 28, "status layout");
_Static_assert(offsetof(struct proto_stage_status, wdg_ms) == 64, "status layout");
_Static_assert(offsetof(struct proto_stage_status, max_data) == 72, "status layout");
_Static_assert(offsetof(struct proto_stage_status, uptime_s) == 80, "status layout");
_Static_assert(offsetof(struct proto_stage_hdr, hdr_crc) == 40, "header layout");
_Static_assert(offsetof(struct proto_stage_trailer, request) == 20, "trailer layout");
_Static_assert(PROTO_STAGE_STEP_OFF >= sizeof(struct proto_stage_hdr), "steps after the header");

bool proto_stage_layout(struct proto_stage_layout *l, uint32_t app_start, uint32_t area_end,
                        uint32_t page)
{
    if (page < 2u * (PROTO_STAGE_STEP_OFF + PROTO_STAGE_TAIL) || area_end <= app_start ||
        (area_end - app_start) / page < 6u)
        return false;
    uint32_t m = ((area_end - app_start) / page - 4u) / 2u;
    if (m > PROTO_STAGE_MAX_PAGES(page))
        m = PROTO_STAGE_MAX_PAGES(page); /* the rest are spare pages */
    l->page = page;
    l->primary = app_start;
    l->slot = m * page;
    l->staging = app_start + l->slot;
    l->image = l->staging + page;
    l->trailer = l->image + l->slot;
    l->status = area_end - 2u * page;
    return l->slot >= PROTO_STAGE_MIN_IMAGE;
}

static bool marked(proto_stage_rd rd, uint32_t addr)
{
    const uint8_t *p = rd(addr);
    return p[0] != 0xFF || p[1] != 0xFF;
}

/* Leading marks of up to max half-words from addr. */
static uint32_t marks(proto_stage_rd rd, uint32_t addr, uint32_t max)
{
    uint32_t n = 0;
    while (n < max && marked(rd, addr + 2u * n))
        n++;
    return n;
}

static bool hdr_valid(const struct proto_stage_hdr *h, uint32_t page)
{
    return h->magic == PROTO_STAGE_HDR_MAGIC &&
           proto_crc32(0, h, offsetof(struct proto_stage_hdr, hdr_crc)) == h->hdr_crc &&
           (h->op == PROTO_STAGE_OP_INSTALL || h->op == PROTO_STAGE_OP_ROLLBACK) && h->pages &&
           h->pages <= PROTO_STAGE_MAX_PAGES(page) && h->trial_max <= PROTO_STAGE_MAX_BOOTS;
}

static void view_op(struct proto_stage_view *v, const struct proto_stage_layout *l,
                    proto_stage_rd rd)
{
    const struct proto_stage_hdr *h = &v->hdr;
    uint32_t base = l->status + (uint32_t)v->cur * l->page;
    v->steps = marks(rd, base + PROTO_STAGE_STEP_OFF, 2u * h->pages);
    v->done = marked(rd, base + PROTO_STAGE_DONE(l->page));
    v->confirmed = marked(rd, base + PROTO_STAGE_CONFIRM(l->page));
    v->boots = marks(rd, base + PROTO_STAGE_BOOT(l->page, 0), PROTO_STAGE_MAX_BOOTS);
    bool install = h->op == PROTO_STAGE_OP_INSTALL;
    bool ours = v->rec.size == h->to_primary.size && v->rec.image_crc == h->to_primary.crc;
    bool before = v->rec.size == h->to_staging.size && v->rec.image_crc == h->to_staging.crc;
    /* A started operation erases the record page before its first step and writes its own after
     * the last: any other record (a direct update's) ends the staged story. */
    if (v->record && !(ours && (v->done || v->steps == 2u * h->pages)) &&
        !(before && !v->done && v->steps == 0))
        v->state = PROTO_STAGE_NONE;
    else if (!v->done)
        v->state = install ? PROTO_STAGE_INSTALLING : PROTO_STAGE_ROLLING_BACK;
    else if (!install)
        v->state = PROTO_STAGE_ROLLED_BACK;
    else
        v->state = v->confirmed ? PROTO_STAGE_CONFIRMED : PROTO_STAGE_TRIAL;
}

void proto_stage_view(struct proto_stage_view *v, const struct proto_stage_layout *l,
                      proto_stage_rd rd, uint32_t record_addr)
{
    memset(v, 0, sizeof *v);
    v->cur = -1;
    for (int i = 0; i < 2; i++) {
        uint32_t base = l->status + (uint32_t)i * l->page;
        struct proto_stage_hdr h;
        memcpy(&h, rd(base), sizeof h);
        if (!hdr_valid(&h, l->page) || !marked(rd, base + PROTO_STAGE_STARTED(l->page)))
            continue;
        if (v->cur < 0 || h.seq > v->hdr.seq) {
            v->cur = i;
            v->hdr = h;
        }
    }
    memcpy(&v->rec, rd(record_addr), sizeof v->rec);
    v->record = v->rec.magic == PROTO_RECORD_MAGIC &&
                proto_crc32(0, &v->rec, offsetof(struct proto_record, rec_crc)) == v->rec.rec_crc;
    if (v->cur >= 0)
        view_op(v, l, rd);

    struct proto_stage_trailer *t = &v->trailer;
    memcpy(t, rd(l->trailer), sizeof *t);
    if (t->magic != PROTO_STAGE_TRAILER_MAGIC ||
        proto_crc32(0, t, offsetof(struct proto_stage_trailer, hdr_crc)) != t->hdr_crc ||
        t->size == 0 || t->size > l->slot)
        return;
    v->result = (int16_t)t->result;
    v->staged = t->result != 0xFFFFu    ? PROTO_STAGED_TAKEN
                : t->request != 0xFFFFu ? PROTO_STAGED_REQUESTED
                                        : PROTO_STAGED_READY;
}

void proto_stage_hdr_seal(struct proto_stage_hdr *h)
{
    h->magic = PROTO_STAGE_HDR_MAGIC;
    h->hdr_crc = proto_crc32(0, h, offsetof(struct proto_stage_hdr, hdr_crc));
}

void proto_stage_trailer_make(struct proto_stage_trailer *t, uint32_t size, uint32_t crc,
                              uint32_t version)
{
    t->magic = PROTO_STAGE_TRAILER_MAGIC;
    t->size = size;
    t->crc = crc;
    t->version = version;
    t->hdr_crc = proto_crc32(0, t, offsetof(struct proto_stage_trailer, hdr_crc));
    t->request = 0xFFFFu;
    t->result = 0xFFFFu;
}

/* Install (swap with an offset, as MCUboot's swap-offset): the staged image sits one page up in
 * the staging slot, so for page i the running page goes down into the free page S[i] (free since
 * step 2i-1 copied the staged page that was there), then the staged page S[i+1] into P[i]. The
 * rollback runs the steps backwards, each the mirror image: P[i] up into S[i+1], S[i] into P[i].
 * Every step's source stays intact until the next step, so a step cut short is simply redone. */
void proto_stage_step(const struct proto_stage_layout *l, uint8_t op, uint32_t pages, uint32_t k,
                      uint32_t *dst, uint32_t *src)
{
    uint32_t i = k / 2u, pg = l->page;
    bool second = k % 2u;
    if (op == PROTO_STAGE_OP_INSTALL) {
        *src = second ? l->staging + (i + 1u) * pg : l->primary + i * pg;
        *dst = second ? l->primary + i * pg : l->staging + i * pg;
    } else {
        i = pages - 1u - i;
        *src = second ? l->staging + i * pg : l->primary + i * pg;
        *dst = second ? l->primary + i * pg : l->staging + (i + 1u) * pg;
    }
}

static void img_set(struct proto_stage_img *d, uint32_t size, uint32_t crc, uint32_t version)
{
    d->size = size;
    d->crc = crc;
    d->version = version;
}

void proto_stage_status_fill(struct proto_stage_status *st, const struct proto_stage_layout *l,
                             const struct proto_stage_view *v)
{
    st->mode = 1;
    st->state = v->state;
    st->staged = v->staged;
    st->page_size = l->page;
    st->primary = l->primary;
    st->image = l->image;
    st->slot_size = l->slot;
    if (v->record)
        img_set(&st->running, v->rec.size, v->rec.image_crc, v->rec.version);
    if (v->cur >= 0 && v->state != PROTO_STAGE_NONE) {
        st->trial_max = v->hdr.trial_max;
        st->wdg_ms = v->hdr.wdg_ms;
        st->previous = v->hdr.to_staging;
        if (v->state == PROTO_STAGE_TRIAL)
            st->trial_boots = (uint8_t)v->boots;
    }
    if (v->staged != PROTO_STAGED_NONE)
        img_set(&st->staged_img, v->trailer.size, v->trailer.crc, v->trailer.version);
    if (v->staged == PROTO_STAGED_TAKEN)
        st->result = (int8_t)v->result;
}

void proto_stage_status_encode(uint8_t *out, const struct proto_stage_status *st)
{
    memcpy(out, st, sizeof *st);
}

int proto_stage_status_decode(struct proto_stage_status *st, const uint8_t *p, size_t len)
{
    if (len < PROTO_STAGE_STATUS_LEN)
        return PROTO_E_LEN;
    memcpy(st, p, sizeof *st);
    return PROTO_OK;
}

const char *proto_stage_state_name(uint8_t state)
{
    static const char *const names[] = {"NONE", "INSTALLING", "TRIAL", "CONFIRMED",
                                        "ROLLING_BACK", "ROLLED_BACK"};
    return state < sizeof names / sizeof names[0] ? names[state] : "?";
}

const char *proto_stage_staged_name(uint8_t staged)
{
    static const char *const names[] = {"NONE", "READY", "REQUESTED", "TAKEN"};
    return staged < sizeof names / sizeof names[0] ? names[staged] : "?";
}

const char *proto_stage_status_name(int status)
{
    switch (status) {
    case PROTO_E_STAGE_MODE: return "E_STAGE_MODE (no staging slot on this part: direct mode)";
    case PROTO_E_STAGE_TRIAL: return "E_STAGE_TRIAL (the running image is on trial)";
    case PROTO_E_STAGE_ORDER: return "E_STAGE_ORDER (staged commands out of order)";
    case PROTO_E_STAGE_CURRENT: return "E_STAGE_CURRENT (the staged image is the running one)";
    case PROTO_E_STAGE_NO_APP: return "E_STAGE_NO_APP (no valid image to keep as the way back)";
    default: return NULL;
    }
}
