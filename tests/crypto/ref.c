#include "ref.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ref_verify(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pk[32])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
    if (!key)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 ? 0 : -1;
    if (rc == 0)
        rc = EVP_DigestVerify(ctx, sig, 64, len ? msg : (const uint8_t *)"", len) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return rc;
}

int ref_sign(const uint8_t seed[32], const uint8_t *msg, size_t len, uint8_t sig[64],
             uint8_t pk[32])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    if (!key)
        return -1;
    size_t siglen = 64, pklen = 32;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestSign(ctx, sig, &siglen, len ? msg : (const uint8_t *)"", len) == 1 &&
             siglen == 64 && EVP_PKEY_get_raw_public_key(key, pk, &pklen) == 1 && pklen == 32;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

void ref_sha512(const uint8_t *msg, size_t len, uint8_t out[64])
{
    unsigned n = 0;
    if (EVP_Digest(len ? msg : (const uint8_t *)"", len, out, &n, EVP_sha512(), NULL) != 1 ||
        n != 64) {
        fprintf(stderr, "OpenSSL SHA-512 failed\n");
        abort();
    }
}

int ref_canonical(const uint8_t enc[32])
{
    /* y = enc with bit 255 cleared; p = 2^255 - 19 is ed ff .. ff 7f (little endian). */
    int sign = enc[31] >> 7, high_ones = enc[31] == 0x7f || enc[31] == 0xff;
    for (int i = 1; i < 31; i++)
        high_ones &= enc[i] == 0xff;
    if (high_ones && enc[0] >= 0xed)
        return 0; /* y >= p */
    if (!sign)
        return 1;
    int one = enc[0] == 1 && (enc[31] & 0x7f) == 0, minus_one = high_ones && enc[0] == 0xec;
    for (int i = 1; i < 31; i++)
        one &= enc[i] == 0;
    return !one && !minus_one; /* x = 0 has no negative */
}

int ref_s_canonical(const uint8_t s[32])
{
    static const uint8_t l[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10};
    for (int i = 31; i >= 0; i--)
        if (s[i] != l[i])
            return s[i] < l[i];
    return 0; /* S = L */
}

int ref_special_points(uint8_t out[REF_SPECIAL_MAX][32])
{
    static const char *const hex[] = {
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    };
    int n = 0;
    for (size_t i = 0; i < sizeof hex / sizeof hex[0]; i++, n++)
        for (int j = 0; j < 32; j++) {
            unsigned v;
            if (sscanf(hex[i] + 2 * j, "%2x", &v) != 1)
                abort();
            out[n][j] = (uint8_t)v;
        }
    for (int k = 0; k < 19; k++)
        for (int sign = 0; sign < 2; sign++, n++) {
            memset(out[n], 0xff, 32);
            out[n][0] = (uint8_t)(0xed + k);
            out[n][31] = (uint8_t)(0x7f | sign << 7);
        }
    return n;
}

int ref_expected(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pk[32])
{
    int v = ref_verify(sig, msg, len, pk);
    if (v < 0) {
        fprintf(stderr, "OpenSSL could not verify (not a verdict)\n");
        abort();
    }
    return v && ref_canonical(pk);
}
