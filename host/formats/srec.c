/* Motorola S-record: S0 header, S1/S2/S3 data with 16/24/32-bit addresses, S5/S6 record count,
 * S7/S8/S9 termination. Every checksum is checked, a count record must match the number of data
 * records, and a file without a termination record is treated as truncated. */
#include <stdio.h>

#include "format.h"
#include "lines.h"

static bool srec_sniff(const uint8_t *buf, size_t len)
{
    size_t i = format_skip_space(buf, len);
    return len - i >= 10 && buf[i] == 'S' && buf[i + 1] >= '0' && buf[i + 1] <= '9' &&
           format_hexval(buf[i + 2]) >= 0 && format_hexval(buf[i + 3]) >= 0;
}

#define FAIL(code, ...) format_line_fail(err, code, path, it.lineno, __VA_ARGS__)

static int srec_load(const char *path, const uint8_t *buf, size_t len, uint32_t base_unused,
                     struct image *img, struct iap_err *err)
{
    (void)base_unused;
    struct lines it = {.buf = buf, .len = len};
    const uint8_t *line;
    size_t n;
    uint8_t rec[256];
    unsigned long ndata = 0;
    while (lines_next(&it, &line, &n)) {
        if (n == 0)
            continue;
        if (line[0] != 'S' || n < 2 || line[1] < '0' || line[1] > '9')
            return FAIL(IAP_ERR_FORMAT, "record does not start with S0..S9");
        int type = line[1] - '0';
        size_t digits = n - 2;
        if (digits % 2 || digits < 4)
            return FAIL(IAP_ERR_FORMAT, "record has %zu hex digits: too short or odd", digits);
        size_t nb = digits / 2;
        if (nb > sizeof rec)
            return FAIL(IAP_ERR_FORMAT, "record longer than 255 bytes");
        long bad = format_hexbytes(line + 2, nb, rec);
        if (bad >= 0)
            return FAIL(IAP_ERR_FORMAT, "bad hex digit at column %ld", bad + 3);
        unsigned count = rec[0];
        if (nb != count + 1u)
            return FAIL(IAP_ERR_FORMAT, "byte count %u does not match the record's %zu bytes",
                        count, nb - 1);
        unsigned sum = 0;
        for (size_t i = 0; i + 1 < nb; i++)
            sum += rec[i];
        uint8_t want = (uint8_t)~sum;
        if (rec[nb - 1] != want)
            return FAIL(IAP_ERR_FORMAT, "bad checksum 0x%02X (expected 0x%02X)", rec[nb - 1],
                        want);
        static const uint8_t addr_len[10] = {2, 2, 3, 4, 0, 2, 3, 4, 3, 2};
        unsigned alen = addr_len[type];
        if (alen == 0)
            return FAIL(IAP_ERR_FORMAT, "S4 is not a valid record type");
        if (count < alen + 1)
            return FAIL(IAP_ERR_FORMAT, "S%d record too short for its %u-byte address", type,
                        alen);
        uint32_t addr = 0;
        for (unsigned i = 0; i < alen; i++)
            addr = addr << 8 | rec[1 + i];
        const uint8_t *data = rec + 1 + alen;
        unsigned dlen = count - 1 - alen;
        switch (type) {
        case 0:
            break; /* header: free text */
        case 1:
        case 2:
        case 3: {
            struct iap_err e;
            int rc = image_add(img, addr, data, dlen, &e);
            if (rc)
                return FAIL(rc, "%s", e.msg);
            ndata++;
            break;
        }
        case 5:
        case 6:
            if (dlen)
                return FAIL(IAP_ERR_FORMAT, "S%d count record with %u data bytes", type, dlen);
            if (addr != (ndata & (type == 5 ? 0xFFFFu : 0xFFFFFFu)))
                return FAIL(IAP_ERR_FORMAT,
                            "count record says %u data records, the file has %lu: lines are "
                            "missing",
                            addr, ndata);
            break;
        default: /* 7, 8, 9: termination (entry point ignored: the app starts from its vectors) */
            return 0;
        }
    }
    return FAIL(IAP_ERR_FORMAT, "no termination record (S7, S8 or S9): the file is truncated");
}

const struct iap_format iap_format_srec = {
    .name = "srec",
    .extensions = ".srec .s19 .s28 .s37 .mot .sx .s",
    .sniff = srec_sniff,
    .load = srec_load,
};
