/* A sparse memory image: sorted, non-overlapping segments, adjacent ones merged. The file
 * parsers fill it; flashing turns it into one contiguous range from app_start, gaps 0xFF. */
#ifndef IAP_IMAGE_H
#define IAP_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct image_seg {
    uint32_t addr;
    uint32_t len;
    uint32_t cap;
    uint8_t *data;
};

struct image {
    struct image_seg *seg;
    size_t nseg, cap;
};

void image_init(struct image *img);
void image_free(struct image *img);
/* Adds len bytes at addr. IAP_ERR_FORMAT when they overlap data already present or run past
 * 4 GB (the message names the address; parsers prefix file and line), IAP_ERR_NOMEM. */
int image_add(struct image *img, uint32_t addr, const uint8_t *data, uint32_t len,
              struct iap_err *err);
uint64_t image_start(const struct image *img); /* lowest address; 0 when empty */
uint64_t image_end(const struct image *img);   /* one past the highest address */
/* Bytes of data held (without gaps). */
uint64_t image_bytes(const struct image *img);

/* The rule for a flashable image: it starts exactly at app_start (its vector table is the first
 * thing the bootloader checks) and ends at or before app_end. IAP_ERR_FIT otherwise, with a message
 * that says what to do, e.g. for an app linked at the start of flash. */
int image_check_fit(const struct image *img, uint32_t app_start, uint32_t app_end,
                    struct iap_err *err);

/* One contiguous buffer covering [start, image_end) rounded up to an even length (the device
 * programs half-words), gaps and padding 0xFF. The caller frees *out. */
/* The bootloader's acceptance rule, checked before any flash is touched: the flattened image
 * (buf, len bytes from app_start) starts with a vector table whose initial SP lies in the
 * device's SRAM (sram_size bytes from 0x20000000, word aligned) and whose reset vector is a Thumb
 * address inside the image. IAP_ERR_FIT with a message naming what is wrong. */
int image_check_vectors(const uint8_t *buf, uint32_t len, uint32_t app_start, uint32_t sram_size,
                        const char *name, struct iap_err *err);
int image_flatten(const struct image *img, uint32_t start, uint8_t **out, uint32_t *len,
                  struct iap_err *err);

#endif
