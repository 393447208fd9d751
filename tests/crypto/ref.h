/* The reference the differential test and the fuzz harness compare boot/crypto with: OpenSSL's
 * libcrypto (EVP, Ed25519 and SHA-512), plus the one rule where we are stricter on purpose. */
#ifndef REF_H
#define REF_H

#include <stddef.h>
#include <stdint.h>

/* OpenSSL's verdict: 1 valid, 0 invalid; -1 when OpenSSL itself failed (not a verdict). */
int ref_verify(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pk[32]);
/* Signs msg with the key whose 32-byte seed is given; writes the public key too. 0 or -1. */
int ref_sign(const uint8_t seed[32], const uint8_t *msg, size_t len, uint8_t sig[64],
             uint8_t pk[32]);
void ref_sha512(const uint8_t *msg, size_t len, uint8_t out[64]);

/* Whether enc is a canonical point encoding in the sense of RFC 8032 5.1.3 as far as it can be
 * told from the bytes: y < p, and not the sign bit with y = 1 or y = p - 1 (x = 0). OpenSSL
 * accepts public keys that fail this; boot/crypto refuses them. Written from the bytes alone,
 * independently of boot/crypto's field arithmetic. */
int ref_canonical(const uint8_t enc[32]);

/* The verdict boot/crypto must give: OpenSSL's, except for non-canonical keys. */
int ref_expected(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pk[32]);

#endif
