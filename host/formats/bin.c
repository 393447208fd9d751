/* Raw binary: the file's bytes at the load address (--address, default the application start). */
#include "format.h"

static int bin_load(const char *path, const uint8_t *buf, size_t len, uint32_t base,
                    struct image *img, struct iap_err *err)
{
    if (len == 0)
        return iap_fail(err, IAP_ERR_FORMAT, "%s is empty", path);
    if ((uint64_t)base + len > 0x100000000ull)
        return iap_fail(err, IAP_ERR_FORMAT, "%s: %zu bytes at 0x%08x run past 4 GB", path, len,
                        base);
    return image_add(img, base, buf, (uint32_t)len, err);
}

const struct iap_format iap_format_bin = {
    .name = "bin",
    .extensions = ".bin .img .raw",
    .sniff = NULL, /* anything is a binary: chosen by name or extension only */
    .load = bin_load,
};
