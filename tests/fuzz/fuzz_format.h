/* libFuzzer harness body for one host file parser (FUZZ_FORMAT) and the image it builds, as
 * `iap flash` uses them: load, check the fit for a 64 KB part, flatten.
 *
 * Oracles (abort = finding):
 * - load returns 0 or a negative iap_error, with a non-empty message naming the file on error;
 * - the image is sorted, non-overlapping, with adjacent segments merged, no empty segment,
 *   len <= cap, and ends at or below 4 GB;
 * - image_check_fit accepts only an image inside [app_start, app_end);
 * - image_flatten gives an even length covering the image, with every segment's bytes in place
 *   and 0xFF in the gaps. */
#ifndef FUZZ_FORMAT_H
#define FUZZ_FORMAT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "proto.h"
#include "image.h"
#include "oracle.h"

#define APP_END64 0x0800FC00u

static void fz_check_image(const struct image *img)
{
    for (size_t i = 0; i < img->nseg; i++) {
        const struct image_seg *s = &img->seg[i];
        ORACLE(s->len > 0 && s->len <= s->cap && s->data);
        ORACLE((uint64_t)s->addr + s->len <= 0x100000000ull);
        if (i > 0) /* strictly after the previous one, with a gap (else merged) */
            ORACLE((uint64_t)img->seg[i - 1].addr + img->seg[i - 1].len < s->addr);
    }
}

static void fz_check_flatten(const struct image *img)
{
    struct iap_err err;
    if (image_check_fit(img, PROTO_APP_START, APP_END64, &err) != 0) {
        ORACLE(err.code == IAP_ERR_FIT || err.code == IAP_ERR_FORMAT);
        ORACLE(err.msg[0] != '\0');
        return;
    }
    ORACLE(image_start(img) == PROTO_APP_START && image_end(img) <= APP_END64);
    uint8_t *buf;
    uint32_t len;
    ORACLE(image_flatten(img, PROTO_APP_START, &buf, &len, &err) == 0);
    ORACLE(len % 2 == 0 && len >= image_end(img) - PROTO_APP_START && len - 1 <= image_end(img) -
           PROTO_APP_START);
    uint64_t at = PROTO_APP_START;
    for (size_t i = 0; i < img->nseg; i++) {
        const struct image_seg *s = &img->seg[i];
        for (; at < s->addr; at++)
            ORACLE(buf[at - PROTO_APP_START] == 0xFF);
        ORACLE(memcmp(buf + (s->addr - PROTO_APP_START), s->data, s->len) == 0);
        at = (uint64_t)s->addr + s->len;
    }
    for (; at < PROTO_APP_START + (uint64_t)len; at++)
        ORACLE(buf[at - PROTO_APP_START] == 0xFF);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct image img;
    struct iap_err err;
    memset(&err, 0, sizeof err);
    image_init(&img);
    /* the parsers take the file as read: a heap copy of exactly its size catches overreads */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    (void)format_detect("fuzz.input", copy, size);
    int rc = FUZZ_FORMAT.load("fuzz.input", copy, size, PROTO_APP_START, &img, &err);
    if (rc != 0) {
        ORACLE(rc < 0 && err.code == rc);
        ORACLE(strstr(err.msg, "fuzz.input") != NULL);
        ORACLE(memchr(err.msg, '\0', sizeof err.msg) != NULL);
    } else {
        fz_check_image(&img);
        fz_check_flatten(&img);
    }
    image_free(&img);
    free(copy);
    return 0;
}

#endif
