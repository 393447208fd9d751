/* Intel HEX: records 00 data, 01 end of file, 02 extended segment address, 03 start segment
 * address, 04 extended linear address, 05 start linear address. Every record's checksum is
 * checked; a file without the 01 record is treated as truncated. */
#include <stdio.h>

#include "format.h"
#include "lines.h"

static bool ihex_sniff(const uint8_t *buf, size_t len)
{
    size_t i = format_skip_space(buf, len);
    return len - i >= 11 && buf[i] == ':' && format_hexval(buf[i + 1]) >= 0 &&
           format_hexval(buf[i + 2]) >= 0;
}

#define FAIL(code, ...) format_line_fail(err, code, path, it.lineno, __VA_ARGS__)

static int ihex_load(const char *path, const uint8_t *buf, size_t len, uint32_t base_unused,
                     struct image *img, struct iap_err *err)
{
    (void)base_unused;
    struct lines it = {.buf = buf, .len = len};
    const uint8_t *line;
    size_t n;
    uint32_t base = 0;
    uint8_t rec[5 + 255];
    while (lines_next(&it, &line, &n)) {
        if (n == 0)
            continue;
        if (line[0] != ':')
            return FAIL(IAP_ERR_FORMAT, "record does not start with ':'");
        size_t digits = n - 1;
        if (digits % 2 || digits < 10)
            return FAIL(IAP_ERR_FORMAT, "record has %zu hex digits: too short or odd", digits);
        if (digits / 2 > sizeof rec)
            return FAIL(IAP_ERR_FORMAT, "record longer than 255 data bytes");
        size_t nb = digits / 2;
        long bad = format_hexbytes(line + 1, nb, rec);
        if (bad >= 0)
            return FAIL(IAP_ERR_FORMAT, "bad hex digit at column %ld", bad + 2);
        unsigned count = rec[0];
        if (nb != count + 5u)
            return FAIL(IAP_ERR_FORMAT, "byte count %u does not match the record's %zu data bytes",
                        count, nb - 5);
        unsigned sum = 0;
        for (size_t i = 0; i + 1 < nb; i++)
            sum += rec[i];
        uint8_t want = (uint8_t)(0x100 - (sum & 0xFF));
        if (rec[nb - 1] != want)
            return FAIL(IAP_ERR_FORMAT, "bad checksum 0x%02X (expected 0x%02X)", rec[nb - 1],
                        want);
        uint32_t offset = (uint32_t)rec[1] << 8 | rec[2];
        const uint8_t *data = rec + 4;
        switch (rec[3]) {
        case 0x00: {
            struct iap_err e;
            int rc = image_add(img, base + offset, data, count, &e);
            if (rc)
                return FAIL(rc, "%s", e.msg);
            break;
        }
        case 0x01:
            if (count)
                return FAIL(IAP_ERR_FORMAT, "end-of-file record with %u data bytes", count);
            return 0; /* whatever follows the end-of-file record is ignored */
        case 0x02:
        case 0x04:
            if (count != 2)
                return FAIL(IAP_ERR_FORMAT, "address record (type %02X) with %u bytes, not 2",
                            rec[3], count);
            base = ((uint32_t)data[0] << 8 | data[1]) << (rec[3] == 0x02 ? 4 : 16);
            break;
        case 0x03:
        case 0x05:
            if (count != 4)
                return FAIL(IAP_ERR_FORMAT, "start address record (type %02X) with %u bytes, not 4",
                            rec[3], count);
            break; /* entry point: the bootloader starts the app from its vector table */
        default:
            return FAIL(IAP_ERR_FORMAT, "unknown record type %02X", rec[3]);
        }
    }
    return FAIL(IAP_ERR_FORMAT, "no end-of-file record (:00000001FF): the file is truncated");
}

const struct iap_format iap_format_ihex = {
    .name = "hex",
    .extensions = ".hex .ihex .ihx .h86",
    .sniff = ihex_sniff,
    .load = ihex_load,
};
