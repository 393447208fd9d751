/* The bootloader's LZ4 block decoder (boot/core/lz4.c) fed arbitrary blocks. Input: 2 bytes of
 * declared size (little-endian, modulo 8193), then the block. Oracles:
 *   - nothing is written outside dst: dst sits between guard bytes in an exact-size allocation;
 *   - an accepted block decodes exactly as liblz4's LZ4_decompress_safe decodes it;
 *   - a block liblz4 decodes to the declared size is refused only for the rules lz4.h documents
 *     as stricter (offset 0, end-of-block rules);
 *   - the whole input, compressed by liblz4 (default, fast or HC), decodes back exactly. */
#include <lz4.h>
#include <lz4hc.h>
#include <stdlib.h>
#include <string.h>

#include "lz4.h"
#include "oracle.h"

#define GUARD 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* libFuzzer calls it */

/* Decode into a fresh buffer of dst_len + guards; the guards must survive. Returns the result,
 * the output in *res (to free). */
static int decode_guarded(const uint8_t *src, size_t src_len, size_t dst_len, uint8_t **res)
{
    uint8_t *buf = malloc(dst_len + 2 * GUARD);
    ORACLE(buf != NULL);
    memset(buf, 0xA5, dst_len + 2 * GUARD);
    int rc = lz4_decode(src, src_len, buf + GUARD, dst_len);
    for (size_t i = 0; i < GUARD; i++) {
        ORACLE(buf[i] == 0xA5);
        ORACLE(buf[GUARD + dst_len + i] == 0xA5);
    }
    *res = buf;
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t dst_len = (data[0] | (size_t)data[1] << 8) % 8193;
    const uint8_t *blk = data + 2;
    size_t blen = size - 2;

    uint8_t *buf, *ref = calloc(dst_len + 1, 1);
    ORACLE(ref != NULL);
    int rc = decode_guarded(blk, blen, dst_len, &buf);
    int lib = LZ4_decompress_safe((const char *)blk, (char *)ref, (int)blen, (int)dst_len);
    if (rc == LZ4_OK) {
        ORACLE(lib == (int)dst_len);
        ORACLE(memcmp(buf + GUARD, ref, dst_len) == 0);
    } else {
        ORACLE(rc >= LZ4_E_TRAILING && rc < 0);
        ORACLE(lib != (int)dst_len || rc == LZ4_E_OFFSET || rc == LZ4_E_END);
    }
    free(buf);
    free(ref);

    /* The input as data: what the host's compressor makes of it must decode exactly. */
    int cap = LZ4_compressBound((int)size);
    char *c = malloc((size_t)cap);
    ORACLE(c != NULL);
    int how = data[0] % 4, clen;
    if (how == 0)
        clen = LZ4_compress_default((const char *)data, c, (int)size, cap);
    else if (how == 1)
        clen = LZ4_compress_fast((const char *)data, c, (int)size, cap, 1 + data[1] % 32);
    else
        clen = LZ4_compress_HC((const char *)data, c, (int)size, cap, 1 + data[1] % 12);
    ORACLE(clen > 0);
    /* exact-size copy, so a read past the block is caught */
    uint8_t *cb = malloc((size_t)clen);
    ORACLE(cb != NULL);
    memcpy(cb, c, (size_t)clen);
    free(c);
    ORACLE(decode_guarded(cb, (size_t)clen, size, &buf) == LZ4_OK);
    ORACLE(memcmp(buf + GUARD, data, size) == 0);
    free(buf);
    free(cb);
    return 0;
}
