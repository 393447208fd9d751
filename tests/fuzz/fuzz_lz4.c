/* The bootloader's LZ4 block decoder (boot/core/lz4.c) fed arbitrary blocks and near-valid ones.
 * Input: byte 0 and 1 give a declared size (little-endian, modulo 8193) for the rest as a block;
 * the whole input is also data for liblz4 to compress (byte 0 picks default, fast or HC), and the
 * first bytes, read as (position, xor) patches, corrupt a copy of that compressed block.
 * Oracles, for the raw block and the patched one:
 *   - nothing is written outside dst: dst sits between guard bytes in an exact-size allocation;
 *   - an accepted block decodes exactly as liblz4's LZ4_decompress_safe decodes it;
 *   - a block liblz4 decodes to the declared size is refused only for the rules lz4.h documents
 *     as stricter (offset 0, end-of-block rules);
 * and the unpatched compressed block decodes back to the input exactly. */
#include <lz4.h>
#include <lz4hc.h>
#include <stdlib.h>
#include <string.h>

#include "lz4dec.h"
#include "oracle.h"

#define GUARD   32
#define MAX_DST 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size); /* libFuzzer calls it */

static uint8_t ref[MAX_DST + 1];

/* Decode into a fresh buffer of dst_len + guards; the guards must survive. Returns the result,
 * the buffer in *res (output at GUARD, to free). */
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

/* Our verdict against liblz4's on one block (src exact-size, so reads past it are caught). */
static void check_block(const uint8_t *src, size_t src_len, size_t dst_len)
{
    uint8_t *buf;
    int rc = decode_guarded(src, src_len, dst_len, &buf);
    memset(ref, 0, dst_len); /* liblz4 copies dst's old bytes for offset 0 */
    int lib = LZ4_decompress_safe((const char *)src, (char *)ref, (int)src_len, (int)dst_len);
    if (rc == LZ4_OK) {
        ORACLE(lib == (int)dst_len);
        ORACLE(memcmp(buf + GUARD, ref, dst_len) == 0);
    } else {
        ORACLE(rc >= LZ4_E_TRAILING && rc < 0);
        ORACLE(lib != (int)dst_len || rc == LZ4_E_OFFSET || rc == LZ4_E_END);
    }
    free(buf);
}

static int compress(const uint8_t *data, size_t size, char *c, int cap)
{
    static void *hc; /* LZ4_compress_HC would allocate its 256 KB state on every call */
    int how = data[0] % 4;
    if (how == 0)
        return LZ4_compress_default((const char *)data, c, (int)size, cap);
    if (how == 1)
        return LZ4_compress_fast((const char *)data, c, (int)size, cap, 1 + data[1] % 32);
    if (!hc)
        hc = malloc((size_t)LZ4_sizeofStateHC());
    ORACLE(hc != NULL);
    return LZ4_compress_HC_extStateHC(hc, (const char *)data, c, (int)size, cap, 1 + data[1] % 12);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > MAX_DST)
        return 0;
    check_block(data + 2, size - 2, (data[0] | (size_t)data[1] << 8) % (MAX_DST + 1));

    /* The input as data: what the host's compressor makes of it must decode exactly. */
    static char c[LZ4_COMPRESSBOUND(MAX_DST)];
    int clen = compress(data, size, c, (int)sizeof c);
    ORACLE(clen > 0);
    uint8_t *blk = malloc((size_t)clen), *buf;
    ORACLE(blk != NULL);
    memcpy(blk, c, (size_t)clen);
    ORACLE(decode_guarded(blk, (size_t)clen, size, &buf) == LZ4_OK);
    ORACLE(memcmp(buf + GUARD, data, size) == 0);
    free(buf);

    /* Up to 7 patches (2 bytes position, 1 byte xor) from the input's start, and a declared
     * size off by up to +-7 when byte 1 says so. */
    size_t patches = data[0] >> 5, dst_len = size;
    for (size_t i = 0; i < patches && 4 + 3 * i < size; i++) {
        const uint8_t *p = data + 2 + 3 * i;
        blk[(p[0] | (size_t)p[1] << 8) % (size_t)clen] ^= p[2];
    }
    if (data[1] & 0x80) {
        size_t d = (data[1] >> 3) & 7;
        dst_len = data[1] & 0x40 ? size + d : (size > d ? size - d : 0);
    }
    check_block(blk, (size_t)clen, dst_len);
    free(blk);
    return 0;
}
