/* boot/crypto's strict Ed25519 verifier against OpenSSL on signatures, keys and messages built
 * from the input. Oracles:
 *   1. the verdict is OpenSSL's, except that non-canonical public keys are refused
 *      (tests/crypto/ref.h: ref_expected);
 *   2. a refusal for an encoding names the first problem, in the order S >= L, R not canonical,
 *      key not canonical (each decided by tests/crypto/ref.c from the bytes alone);
 *   3. streaming the message in pieces sized from the input gives the same status as one call,
 *      and a second final reports a spent context;
 *   4. no crash, leak or undefined behaviour (ASan, UBSan).
 * Input: byte 0 = mode (bit 0) and the streaming piece size (bits 1-7, + 1).
 *   mode 0, mutations of a valid signature: byte 1 = key (bits 0-1) and the number of mutations
 *     (bits 2-4); then two bytes per mutation (operation, argument); the rest is the message,
 *     which OpenSSL signs before the mutations apply. This reaches the valid path and every
 *     check behind it, where random bytes would stop at S >= L or an undecodable key.
 *   mode 1, raw: 32 bytes of key, 64 of signature, the rest is the message. */
#include <stdint.h>
#include <string.h>

#include "ed25519.h"
#include "oracle.h"
#include "ref.h"

#define MAX_MSG 4096

static uint8_t special[REF_SPECIAL_MAX][32];
static int n_special;

/* s += L, 32 bytes little endian (keeps S mod L, so only the range check can refuse it) */
static void add_l(uint8_t s[32])
{
    static const uint8_t l[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10};
    unsigned c = 0;
    for (int i = 0; i < 32; i++) {
        c += (unsigned)s[i] + l[i];
        s[i] = (uint8_t)c;
        c >>= 8;
    }
}

static void mutate(uint8_t op, uint8_t arg, uint8_t sig[64], uint8_t pk[32], uint8_t *msg,
                   size_t len)
{
    uint8_t t[32];
    switch (op & 7) {
    case 0: /* flip a bit of the signature (R with op bit 3 clear, S with it set) */
        sig[(op & 8 ? 32 : 0) + arg / 8] ^= (uint8_t)(1u << (arg % 8));
        break;
    case 1: /* flip a bit of the key */
        pk[arg / 8] ^= (uint8_t)(1u << (arg % 8));
        break;
    case 2: /* flip a bit of the message */
        if (len > 0)
            msg[(arg * 8u + (op >> 3)) % len] ^= (uint8_t)(1u << (arg % 8));
        break;
    case 3: /* R becomes a small-order or non-canonical point */
        memcpy(sig, special[arg % n_special], 32);
        break;
    case 4: /* so does the key */
        memcpy(pk, special[arg % n_special], 32);
        break;
    case 5: /* S + L, or S a small number */
        if (op & 8) {
            add_l(sig + 32);
        } else {
            memset(sig + 32, 0, 32);
            sig[32] = arg;
        }
        break;
    case 6: /* R and S swapped */
        memcpy(t, sig, 32);
        memcpy(sig, sig + 32, 32);
        memcpy(sig + 32, t, 32);
        break;
    default: /* one byte of signature or key replaced */
        if (arg % 96 < 64)
            sig[arg % 96] = op;
        else
            pk[arg % 96 - 64] = op;
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t seeds[4][32] = {{1}, {2, 3}, {0xff, 0x80, 0x7f}, {0x55, [31] = 0xaa}};
    static uint8_t msg[MAX_MSG];
    uint8_t sig[64], pk[32];
    size_t len;
    if (n_special == 0)
        n_special = ref_special_points(special);
    if (size < 2)
        return 0;
    size_t step = (size_t)(data[0] >> 1) + 1;
    if ((data[0] & 1) == 0) {
        size_t muts = (data[1] >> 2) & 7, at = 2 + 2 * muts;
        if (size < at)
            return 0;
        len = size - at < MAX_MSG ? size - at : MAX_MSG;
        memcpy(msg, data + at, len);
        ORACLE(ref_sign(seeds[data[1] & 3], msg, len, sig, pk) == 0);
        for (size_t i = 0; i < muts; i++)
            mutate(data[2 + 2 * i], data[3 + 2 * i], sig, pk, msg, len);
    } else {
        if (size < 97)
            return 0;
        memcpy(pk, data + 1, 32);
        memcpy(sig, data + 33, 64);
        len = size - 97 < MAX_MSG ? size - 97 : MAX_MSG;
        memcpy(msg, data + 97, len);
    }

    int ours = ed25519_verify(sig, msg, len, pk);
    ORACLE((ours == ED25519_OK) == ref_expected(sig, msg, len, pk));
    if (!ref_s_canonical(sig + 32))
        ORACLE(ours == ED25519_ERR_S_RANGE);
    else if (!ref_canonical(sig))
        ORACLE(ours == ED25519_ERR_R_ENCODING);
    else if (!ref_canonical(pk))
        ORACLE(ours == ED25519_ERR_KEY);
    else
        ORACLE(ours == ED25519_OK || ours == ED25519_ERR_KEY || ours == ED25519_ERR_MISMATCH);

    struct ed25519_ctx c;
    int init = ed25519_verify_init(&c, sig, pk);
    ORACLE(init == ours || (init == ED25519_OK && ours < 0));
    for (size_t at = 0; at < len; at += step)
        ed25519_verify_update(&c, msg + at, len - at < step ? len - at : step);
    ORACLE(ed25519_verify_final(&c) == ours);
    ORACLE(ed25519_verify_final(&c) == ED25519_ERR_STATE);
    return 0;
}
