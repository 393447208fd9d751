#include "lz4dec.h"

/* A length field of 15 continues in the following bytes, each added, until one is not 255.
 * Adds them to *len, refusing once it passes max: no run can then wrap the sum, since max is at
 * most dst_len (the size of an object) and each step adds at most 255. */
static int more_len(const uint8_t *src, size_t src_len, size_t *ip, size_t *len, size_t max)
{
    size_t n = *len;
    if (n == 15) {
        uint8_t b;
        do {
            if (n > max)
                return LZ4_E_LONG;
            if (*ip == src_len)
                return LZ4_E_TRUNCATED;
            b = src[(*ip)++];
            n += b;
        } while (b == 255);
    }
    *len = n;
    return LZ4_OK;
}

/* Indices rather than pointers: no pointer is ever formed outside src or dst. Copies are byte
 * loops: a match may overlap its own output (offset < length), and the loops cost less flash
 * than memcpy calls. Each sequence consumes its token, so the outer loop is bounded by src_len. */
int lz4_decode(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    size_t ip = 0, op = 0;
    for (;;) {
        if (ip == src_len)
            return LZ4_E_TRUNCATED; /* no token: empty input, or a match with no last sequence */
        unsigned token = src[ip++];

        size_t len = token >> 4;
        int rc = more_len(src, src_len, &ip, &len, dst_len - op);
        if (rc)
            return rc;
        if (len > dst_len - op)
            return LZ4_E_LONG;
        if (len > src_len - ip)
            return LZ4_E_TRUNCATED;
        for (; len; len--)
            dst[op++] = src[ip++];

        /* The last sequence is literals only: the input ends here. */
        if (ip == src_len) {
            if (op != dst_len)
                return LZ4_E_SHORT;
            return token & 15 ? LZ4_E_END : LZ4_OK;
        }
        if (op == dst_len)
            return LZ4_E_TRAILING;
        if (dst_len - op < 12)
            return LZ4_E_END;

        if (src_len - ip < 2)
            return LZ4_E_TRUNCATED;
        size_t off = src[ip] | (size_t)src[ip + 1] << 8;
        ip += 2;
        if (off == 0 || off > op)
            return LZ4_E_OFFSET;

        len = token & 15;
        rc = more_len(src, src_len, &ip, &len, dst_len - op - 4); /* 4: the minimum match */
        if (rc)
            return rc;
        if (len > dst_len - op - 4 - 5) /* the last 5 bytes are literals */
            return LZ4_E_END;
        for (len += 4; len; len--, op++)
            dst[op] = dst[op - off];
    }
}
