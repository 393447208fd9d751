/* LZ4 block decoder for compressed WRITE data: one block (the LZ4 block format, no frame
 * header, no dictionary) decoded into the page buffer. The host compresses with liblz4.
 *
 * Stricter than liblz4's LZ4_decompress_safe on purpose (every block liblz4's compressors
 * produce obeys these rules; tests/unit/test_lz4.c checks it):
 *   - the output must be exactly dst_len bytes, and the input must end right after the literals
 *     of the sequence that completes it;
 *   - offset 0 is refused (liblz4 1.9.4 accepts it and copies whatever dst held);
 *   - the end-of-block rules hold for every match: it starts at least 12 bytes and ends at least
 *     5 bytes before dst_len (liblz4 lets some matches end inside the last 5 bytes);
 *   - the last token's match-length half is 0 (liblz4 ignores it, except for an empty output).
 * So blocks of fewer than 13 bytes of output are literals only. */
#ifndef LZ4DEC_H
#define LZ4DEC_H

#include <stddef.h>
#include <stdint.h>

enum lz4_status {
    LZ4_OK          = 0,
    LZ4_E_TRUNCATED = -1, /* input ends inside a sequence (length bytes, literals, offset) */
    LZ4_E_SHORT     = -2, /* input ends before dst_len bytes were produced */
    LZ4_E_LONG      = -3, /* literals or a match go past dst_len (also stops length overflow) */
    LZ4_E_OFFSET    = -4, /* match offset 0 or reaching before the start of the output */
    LZ4_E_END       = -5, /* end-of-block rules above: a match too near the end, a last token
                             announcing a match */
    LZ4_E_TRAILING  = -6, /* bytes after the sequence that completed the output */
};

/* Decode the block src[0, src_len) into dst[0, dst_len). Returns LZ4_OK (0) when it produces
 * exactly dst_len bytes, else a negative enum lz4_status. Never reads outside src nor writes
 * outside dst (on error dst holds a partial output); time is linear in src_len + dst_len.
 * src and dst must not overlap; either may be NULL when its length is 0. */
int lz4_decode(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len);

#endif
