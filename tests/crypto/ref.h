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

/* Whether the 32-byte little-endian S is below the group order L (RFC 8032 5.1.7). */
int ref_s_canonical(const uint8_t s[32]);

/* Points that tell verifiers apart, as 32-byte encodings: the eight of small order, then the
 * sign bit on the two with x = 0 (y = 1, y = -1: not encodings), then y = p + k for k < 19 with
 * and without the sign bit (unreduced). Returns how many (REF_SPECIAL_MAX at most). */
#define REF_SPECIAL_MAX 64
int ref_special_points(uint8_t out[REF_SPECIAL_MAX][32]);

/* The verdict boot/crypto must give: OpenSSL's, except for non-canonical keys. */
int ref_expected(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pk[32]);

#endif
