#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

void image_init(struct image *img) { memset(img, 0, sizeof *img); }

void image_free(struct image *img)
{
    for (size_t i = 0; i < img->nseg; i++)
        free(img->seg[i].data);
    free(img->seg);
    image_init(img);
}

static int seg_reserve(struct image_seg *s, uint64_t need)
{
    if (need <= s->cap)
        return 0;
    uint64_t cap = s->cap ? s->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    uint8_t *p = realloc(s->data, (size_t)cap);
    if (!p)
        return -1;
    s->data = p;
    s->cap = (uint32_t)cap;
    return 0;
}

static void seg_remove(struct image *img, size_t i)
{
    free(img->seg[i].data);
    memmove(&img->seg[i], &img->seg[i + 1], (img->nseg - i - 1) * sizeof *img->seg);
    img->nseg--;
}

int image_add(struct image *img, uint32_t addr, const uint8_t *data, uint32_t len,
              struct iap_err *err)
{
    uint64_t end = (uint64_t)addr + len;
    if (len == 0)
        return 0;
    if (end > 0x100000000ull)
        return iap_fail(err, IAP_ERR_FORMAT, "data at 0x%08x runs past the 4 GB address space",
                        addr);
    /* i = first segment that ends after addr */
    size_t i = img->nseg;
    while (i > 0 && (uint64_t)img->seg[i - 1].addr + img->seg[i - 1].len > addr)
        i--;
    if (i < img->nseg && img->seg[i].addr < end) {
        uint32_t at = addr > img->seg[i].addr ? addr : img->seg[i].addr;
        return iap_fail(err, IAP_ERR_FORMAT, "data at 0x%08x overlaps data already loaded", at);
    }
    struct image_seg *prev = i > 0 ? &img->seg[i - 1] : NULL;
    if (prev && (uint64_t)prev->addr + prev->len == addr) {
        if (seg_reserve(prev, (uint64_t)prev->len + len))
            return iap_fail(err, IAP_ERR_NOMEM, "out of memory building the image");
        memcpy(prev->data + prev->len, data, len);
        prev->len += len;
        if (i < img->nseg && img->seg[i].addr == end) { /* now touches the next one */
            struct image_seg *next = &img->seg[i];
            if (seg_reserve(prev, (uint64_t)prev->len + next->len))
                return iap_fail(err, IAP_ERR_NOMEM, "out of memory building the image");
            memcpy(prev->data + prev->len, next->data, next->len);
            prev->len += next->len;
            seg_remove(img, i);
        }
        return 0;
    }
    if (i < img->nseg && img->seg[i].addr == end) {
        struct image_seg *next = &img->seg[i];
        if (seg_reserve(next, (uint64_t)next->len + len))
            return iap_fail(err, IAP_ERR_NOMEM, "out of memory building the image");
        memmove(next->data + len, next->data, next->len);
        memcpy(next->data, data, len);
        next->addr = addr;
        next->len += len;
        return 0;
    }
    if (img->nseg == img->cap) {
        size_t cap = img->cap ? img->cap * 2 : 8;
        struct image_seg *p = realloc(img->seg, cap * sizeof *p);
        if (!p)
            return iap_fail(err, IAP_ERR_NOMEM, "out of memory building the image");
        img->seg = p;
        img->cap = cap;
    }
    memmove(&img->seg[i + 1], &img->seg[i], (img->nseg - i) * sizeof *img->seg);
    img->nseg++;
    struct image_seg *s = &img->seg[i];
    memset(s, 0, sizeof *s);
    s->addr = addr;
    if (seg_reserve(s, len)) {
        seg_remove(img, i);
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory building the image");
    }
    memcpy(s->data, data, len);
    s->len = len;
    return 0;
}

uint64_t image_start(const struct image *img) { return img->nseg ? img->seg[0].addr : 0; }

uint64_t image_end(const struct image *img)
{
    if (!img->nseg)
        return 0;
    const struct image_seg *s = &img->seg[img->nseg - 1];
    return (uint64_t)s->addr + s->len;
}

uint64_t image_bytes(const struct image *img)
{
    uint64_t n = 0;
    for (size_t i = 0; i < img->nseg; i++)
        n += img->seg[i].len;
    return n;
}

int image_check_fit(const struct image *img, uint32_t app_start, uint32_t app_end,
                    struct iap_err *err)
{
    if (!img->nseg)
        return iap_fail(err, IAP_ERR_FORMAT, "the file holds no data to flash");
    uint64_t lo = image_start(img), hi = image_end(img);
    if (lo < app_start && lo >= PROTO_FLASH_BASE)
        return iap_fail(err, IAP_ERR_FIT,
                        "image linked for 0x%08llx: relink at 0x%08x (see examples/README.md); "
                        "0x%08x..0x%08x is the bootloader's",
                        (unsigned long long)lo, app_start, PROTO_FLASH_BASE, app_start - 1);
    if (lo < app_start)
        return iap_fail(err, IAP_ERR_FIT,
                        "image starts at 0x%08llx, below flash (0x%08x) and below the application "
                        "area, which starts at 0x%08x: link it at 0x%08x (or pass --address "
                        "0x%08x for a .bin)",
                        (unsigned long long)lo, PROTO_FLASH_BASE, app_start, app_start,
                        app_start);
    if (lo > app_start)
        return iap_fail(err, IAP_ERR_FIT,
                        "image starts at 0x%08llx, not at the application start 0x%08x: its "
                        "vector table must come first (link at 0x%08x, or --address for a .bin)",
                        (unsigned long long)lo, app_start, app_start);
    if (hi > app_end)
        return iap_fail(err, IAP_ERR_FIT,
                        "image ends at 0x%08llx, past the application area end 0x%08x: it is "
                        "%llu byte%s too big for the %u bytes available",
                        (unsigned long long)hi, app_end, (unsigned long long)(hi - app_end),
                        hi - app_end == 1 ? "" : "s", app_end - app_start);
    return 0;
}

int image_check_vectors(const uint8_t *buf, uint32_t len, uint32_t app_start, uint32_t sram_size,
                        const char *name, struct iap_err *err)
{
    static const char hint[] = "is it an application linked at 0x%08x (see examples/README.md)?";
    char h[128];
    snprintf(h, sizeof h, hint, app_start);
    if (len < 8)
        return iap_fail(err, IAP_ERR_FIT,
                        "%s is not an application: %u byte%s, too short for a vector table "
                        "(initial SP and reset vector): %s",
                        name, len, len == 1 ? "" : "s", h);
    uint32_t sp = proto_get32(buf), pc = proto_get32(buf + 4);
    if (sp <= PROTO_SRAM_BASE || sp - PROTO_SRAM_BASE > sram_size || (sp & 3u))
        return iap_fail(err, IAP_ERR_FIT,
                        "%s is not an application for this device: its initial SP 0x%08x is not "
                        "a word-aligned address in the device's SRAM (0x%08x..0x%08x, %u KB): %s",
                        name, sp, PROTO_SRAM_BASE, PROTO_SRAM_BASE + sram_size, sram_size / 1024u,
                        h);
    if (!(pc & 1u) || (pc & ~1u) < app_start || (pc & ~1u) - app_start >= len)
        return iap_fail(err, IAP_ERR_FIT,
                        "%s is not an application: its reset vector 0x%08x is not a Thumb address "
                        "(odd) inside the image (0x%08x..0x%08x): %s",
                        name, pc, app_start, app_start + len - 1, h);
    return 0;
}

int image_flatten(const struct image *img, uint32_t start, uint8_t **out, uint32_t *len,
                  struct iap_err *err)
{
    uint64_t end = image_end(img);
    if (!img->nseg || image_start(img) < start)
        return iap_fail(err, IAP_ERR_FIT, "image does not start at 0x%08x", start);
    uint64_t n = (end - start + 1) & ~(uint64_t)1;
    uint8_t *buf = malloc(n ? (size_t)n : 1);
    if (!buf)
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory flattening the image");
    memset(buf, 0xFF, (size_t)n);
    for (size_t i = 0; i < img->nseg; i++)
        memcpy(buf + (img->seg[i].addr - start), img->seg[i].data, img->seg[i].len);
    *out = buf;
    *len = (uint32_t)n;
    return 0;
}
