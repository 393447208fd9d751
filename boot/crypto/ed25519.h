/* Strict Ed25519 signature verification (RFC 8032, section 5.1.7), verify only.
 *
 * Accepts exactly when S < L, R and A are canonical encodings (y < p; no x sign bit when x = 0),
 * A is a curve point, and encode([S]B - [k]A) == R byte for byte, with
 * k = SHA-512(R || A || M) mod L. That is the cofactorless equation: it agrees with every case of
 * Project Wycheproof's ed25519_test.json and with OpenSSL except that OpenSSL also takes public
 * keys whose y is not reduced or whose sign bit is set with x = 0, which are rejected here.
 *
 * Streaming form, for a message that is not in one piece (header + image in flash):
 *   struct ed25519_ctx c;
 *   ed25519_verify_init(&c, sig, pub);   // S and R checks: may fail early
 *   ed25519_verify_update(&c, part, n);  // any number of times
 *   int err = ed25519_verify_final(&c);  // 0 only for a valid signature
 * The context is the caller's (304 bytes). Stack, measured on the board: 2.4 KB for final,
 * 0.9 KB for update (SHA-512), 2.7 KB for ed25519_verify with its context. Timing depends on the
 * (public) inputs: fine for verification, not for secrets. */
#ifndef ED25519_H
#define ED25519_H

#include <stddef.h>
#include <stdint.h>

#include "sha512.h"

#define ED25519_SIG_LEN 64
#define ED25519_KEY_LEN 32

enum ed25519_status {
    ED25519_OK = 0,
    ED25519_ERR_S_RANGE = -1, /* S >= L */
    ED25519_ERR_R_ENCODING = -2, /* R is not a canonical point encoding */
    ED25519_ERR_KEY = -3, /* the public key is not a canonical encoding of a curve point */
    ED25519_ERR_MISMATCH = -4, /* well formed, but the equation fails */
    ED25519_ERR_STATE = -5, /* final called twice */
};

struct ed25519_ctx {
    struct sha512_ctx h; /* SHA-512(R || A || M) so far */
    uint8_t sig[ED25519_SIG_LEN];
    uint8_t pub[ED25519_KEY_LEN];
    int status; /* what init found, or ED25519_ERR_STATE once final has run */
};

/* Copies sig and pub, checks S < L and R's encoding, starts the hash. Returns 0 or the problem
 * found (final returns it as well, so the caller may skip hashing). The key is checked by final. */
int ed25519_verify_init(struct ed25519_ctx *c, const uint8_t sig[ED25519_SIG_LEN],
                        const uint8_t pub[ED25519_KEY_LEN]);
void ed25519_verify_update(struct ed25519_ctx *c, const void *msg, size_t n);
/* 0 when the signature is valid for the message fed, else a negative enum ed25519_status. */
int ed25519_verify_final(struct ed25519_ctx *c);

/* One call: 0 when sig is a valid signature of msg[0..len) under pub. */
int ed25519_verify(const uint8_t sig[ED25519_SIG_LEN], const void *msg, size_t len,
                   const uint8_t pub[ED25519_KEY_LEN]);

const char *ed25519_strerror(int status);

#endif
