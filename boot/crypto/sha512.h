/* SHA-512 (FIPS 180-4), streaming: init, update any number of times, final. No allocation, no
 * libc beyond memcpy/memset; the context is the caller's (208 bytes). */
#ifndef SHA512_H
#define SHA512_H

#include <stddef.h>
#include <stdint.h>

#define SHA512_DIGEST_LEN 64
#define SHA512_BLOCK_LEN 128

struct sha512_ctx {
    uint64_t h[8];
    uint64_t len; /* bytes hashed so far; the block buffer holds len % 128 of them */
    uint8_t buf[SHA512_BLOCK_LEN];
};

void sha512_init(struct sha512_ctx *c);
void sha512_update(struct sha512_ctx *c, const void *data, size_t n);
/* Writes the digest; the context must be initialised again before reuse. */
void sha512_final(struct sha512_ctx *c, uint8_t out[SHA512_DIGEST_LEN]);
/* One call: out = SHA-512(data[0..n)). */
void sha512(const void *data, size_t n, uint8_t out[SHA512_DIGEST_LEN]);

#endif
