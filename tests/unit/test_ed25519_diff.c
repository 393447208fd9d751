/* boot/crypto against OpenSSL's libcrypto on generated cases: random keys and messages signed by
 * OpenSSL, then valid, one bit flipped in signature / message / key, S + L, swapped halves,
 * random garbage, and the small-order and non-canonical points as R and A. Our verdict must be
 * OpenSSL's on every case, except that we refuse non-canonical public keys (tests/crypto/ref.h).
 * Also SHA-512 against OpenSSL, and streaming in random pieces against one call.
 * Seeded (DIFF_SEED=N to vary); prints the counts. */
#include <stdint.h>
#include <stdlib.h>

#include "ed25519.h"
#include "ref.h"
#include "sha512.h"
#include "test.h"
#include "vectors.h"

#define KEYS 16
#define CASES 400 /* signed messages; each gives the valid case and five mutations */
#define MAX_MSG 300

static uint64_t rng_state;

static uint64_t rng(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void rng_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rng();
}

struct signed_msg {
    uint8_t pk[32], sig[64], msg[MAX_MSG + 1];
    size_t len;
};

static struct signed_msg cases[CASES];
static uint8_t seeds[KEYS][32];

/* Per category: cases run, and how many of them were valid. */
struct tally {
    int n, valid, refused_key; /* refused_key: OpenSSL accepted a key we refuse */
};

static int agree_total;

/* The streaming API in random pieces. */
static int verify_pieces(const uint8_t *sig, const uint8_t *msg, size_t len, const uint8_t *pk)
{
    struct ed25519_ctx c;
    ed25519_verify_init(&c, sig, pk);
    for (size_t at = 0; at < len;) {
        size_t n = (size_t)(rng() % 70);
        if (n > len - at)
            n = len - at;
        ed25519_verify_update(&c, msg + at, n);
        at += n;
    }
    return ed25519_verify_final(&c);
}

/* The status a refusal must carry, decided from the bytes by tests/crypto/ref.c: the first
 * problem in the order S, R, key; 1 when the encodings are fine (any verdict). */
static int status_ok(int ours, const uint8_t sig[64], const uint8_t pk[32])
{
    if (!ref_s_canonical(sig + 32))
        return ours == ED25519_ERR_S_RANGE;
    if (!ref_canonical(sig))
        return ours == ED25519_ERR_R_ENCODING;
    if (!ref_canonical(pk))
        return ours == ED25519_ERR_KEY;
    return ours == ED25519_OK || ours == ED25519_ERR_KEY || ours == ED25519_ERR_MISMATCH;
}

/* One case: our one-shot verdict equals the expected one, with the right status, and streaming
 * gives the same status. Returns 1 when they agree (and counts it), printing the case otherwise. */
static int compare(struct tally *t, const char *what, const uint8_t sig[64], const uint8_t *msg,
                   size_t len, const uint8_t pk[32])
{
    int ours = ed25519_verify(sig, msg, len, pk);
    int want = ref_expected(sig, msg, len, pk);
    int streamed = verify_pieces(sig, msg, len, pk);
    t->n++;
    t->valid += ours == 0;
    t->refused_key += !ref_canonical(pk) && ref_verify(sig, msg, len, pk) == 1;
    if ((ours == 0) == want && streamed == ours && status_ok(ours, sig, pk)) {
        agree_total++;
        return 1;
    }
    printf("  %s: ours %d (%s), streamed %d, expected %s\n    pk ", what, ours,
           ed25519_strerror(ours), streamed, want ? "valid" : "invalid");
    for (int i = 0; i < 32; i++)
        printf("%02x", pk[i]);
    printf("\n    sig ");
    for (int i = 0; i < 64; i++)
        printf("%02x", sig[i]);
    printf("\n    msg (%zu bytes) ", len);
    for (size_t i = 0; i < len && i < 64; i++)
        printf("%02x", msg[i]);
    printf("\n");
    return 0;
}

static void report(const char *what, const struct tally *t)
{
    printf("  %-28s %5d cases, %5d valid", what, t->n, t->valid);
    if (t->refused_key)
        printf(", %d OpenSSL-valid with a non-canonical key refused", t->refused_key);
    printf("\n");
}

static void flip(uint8_t *p, size_t bytes)
{
    size_t bit = (size_t)(rng() % (8 * bytes));
    p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* s += L (32 bytes little endian) */
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

static void make_cases(void)
{
    for (int k = 0; k < KEYS; k++)
        rng_bytes(seeds[k], 32);
    for (int i = 0; i < CASES; i++) {
        struct signed_msg *c = &cases[i];
        /* mostly short, some across SHA-512 block boundaries */
        c->len = (size_t)(i % 4 == 0 ? rng() % (MAX_MSG + 1) : rng() % 40);
        rng_bytes(c->msg, c->len);
        if (ref_sign(seeds[rng() % KEYS], c->msg, c->len, c->sig, c->pk) != 0) {
            printf("OpenSSL could not sign\n");
            exit(2);
        }
    }
}

TEST(sha512_agrees_with_openssl_at_every_length_to_700_in_random_pieces)
{
    static uint8_t m[700];
    uint8_t ours[64], theirs[64];
    rng_bytes(m, sizeof m);
    for (size_t len = 0; len <= sizeof m; len++) {
        struct sha512_ctx c;
        sha512_init(&c);
        for (size_t at = 0; at < len;) {
            size_t n = (size_t)(rng() % 300);
            if (n > len - at)
                n = len - at;
            sha512_update(&c, m + at, n);
            at += n;
        }
        sha512_final(&c, ours);
        ref_sha512(m, len, theirs);
        CHECK_MEM(ours, theirs, 64);
    }
}

TEST(sha512_agrees_with_openssl_on_large_inputs_in_one_call)
{
    static uint8_t m[64 * 1024 + 77];
    uint8_t ours[64], theirs[64];
    rng_bytes(m, sizeof m);
    for (size_t len = 1000; len <= sizeof m; len += 997 + len / 2) {
        sha512(m, len, ours);
        ref_sha512(m, len, theirs);
        CHECK_MEM(ours, theirs, 64);
    }
}

TEST(valid_signatures_verify_in_both)
{
    struct tally t = {0};
    int ok = 1;
    for (int i = 0; i < CASES; i++)
        ok &= compare(&t, "valid", cases[i].sig, cases[i].msg, cases[i].len, cases[i].pk);
    report("valid", &t);
    CHECK(ok);
    CHECK_EQ(t.valid, CASES);
}

TEST(one_bit_flipped_in_the_signature_agrees)
{
    struct tally t = {0};
    int ok = 1;
    for (int i = 0; i < CASES; i++) {
        struct signed_msg c = cases[i];
        flip(c.sig, 64);
        ok &= compare(&t, "signature bit", c.sig, c.msg, c.len, c.pk);
    }
    report("signature bit flipped", &t);
    CHECK(ok);
    CHECK_EQ(t.valid, 0);
}

TEST(one_bit_flipped_in_the_message_agrees)
{
    struct tally t = {0};
    int ok = 1;
    for (int i = 0; i < CASES; i++) {
        struct signed_msg c = cases[i];
        if (c.len == 0)
            c.msg[c.len++] = 0; /* nothing to flip: one byte more instead */
        else
            flip(c.msg, c.len);
        ok &= compare(&t, "message bit", c.sig, c.msg, c.len, c.pk);
    }
    report("message bit flipped", &t);
    CHECK(ok);
    CHECK_EQ(t.valid, 0);
}

TEST(one_bit_flipped_in_the_key_agrees)
{
    struct tally t = {0};
    int ok = 1;
    for (int i = 0; i < CASES; i++) {
        struct signed_msg c = cases[i];
        flip(c.pk, 32);
        ok &= compare(&t, "key bit", c.sig, c.msg, c.len, c.pk);
    }
    report("key bit flipped", &t);
    CHECK(ok);
    CHECK_EQ(t.valid, 0);
}

TEST(s_plus_l_agrees)
{
    struct tally t = {0};
    int ok = 1;
    for (int i = 0; i < CASES; i++) {
        struct signed_msg c = cases[i];
        add_l(c.sig + 32);
        ok &= compare(&t, "S + L", c.sig, c.msg, c.len, c.pk);
    }
    report("S + L", &t);
    CHECK(ok);
    CHECK_EQ(t.valid, 0);
}

TEST(swapped_halves_agree)
{
    struct tally t = {0};
    int ok = 1;
    for (int i = 0; i < CASES; i++) {
        struct signed_msg c = cases[i];
        memcpy(c.sig, cases[i].sig + 32, 32);
        memcpy(c.sig + 32, cases[i].sig, 32);
        ok &= compare(&t, "swapped halves", c.sig, c.msg, c.len, c.pk);
    }
    report("R and S swapped", &t);
    CHECK(ok);
    CHECK_EQ(t.valid, 0);
}

TEST(random_garbage_agrees)
{
    struct tally t = {0};
    int ok = 1;
    for (int i = 0; i < CASES; i++) {
        uint8_t sig[64], pk[32], msg[32];
        rng_bytes(sig, sizeof sig);
        rng_bytes(pk, sizeof pk);
        rng_bytes(msg, sizeof msg);
        if (i % 2) /* half with S < L, so that the curve arithmetic runs */
            sig[63] &= 0x0f;
        if (i % 4 == 1) /* and some with a real key */
            memcpy(pk, cases[i].pk, 32);
        ok &= compare(&t, "garbage", sig, msg, (size_t)(i % 33), pk);
    }
    report("random garbage", &t);
    CHECK(ok);
}

TEST(small_order_and_non_canonical_points_as_r_and_a_agree)
{
    static uint8_t pts[REF_SPECIAL_MAX][32];
    int n = ref_special_points(pts);
    struct tally t = {0};
    int ok = 1;
    for (int a = 0; a < n; a++)
        for (int r = 0; r < n; r += (r < 10 ? 1 : 7)) /* every small-order R, a few others */
            for (int s = 0; s < 3; s++) {
                uint8_t sig[64] = {0};
                memcpy(sig, pts[r], 32);
                sig[32] = (uint8_t)s; /* S = 0, 1, 2 */
                ok &= compare(&t, "special", sig, (const uint8_t *)"special", 7, pts[a]);
            }
    report("small-order / non-canonical", &t);
    CHECK(ok);
    CHECK(t.valid > 0);       /* S = 0 with R = A = identity: valid, as RFC 8032 and OpenSSL say */
    CHECK(t.refused_key > 0); /* and its non-canonical twins: OpenSSL valid, refused here */
}

TEST(reference_agrees_with_every_wycheproof_case)
{
    struct wp_file f;
    char err[600];
    if (wp_load(&f, err, sizeof err) != 0) {
        printf("  %s\n", err);
        CHECK(!"Wycheproof vectors readable");
    }
    int agree = 0, n = (int)f.n;
    for (size_t i = 0; i < f.n; i++) {
        const struct wp_case *c = &f.cases[i];
        int want = c->sig_len == 64 && c->pk_len == 32 &&
                   ref_expected(c->sig, c->msg, c->msg_len, c->pk);
        if (want == c->valid)
            agree++;
        else
            printf("  tcId %d: OpenSSL (strict key) says %s [%s] %s\n", c->tc_id,
                   want ? "valid" : "invalid", c->flags, c->comment);
    }
    wp_free(&f);
    printf("  OpenSSL as the reference: %d of %d Wycheproof cases agree\n", agree, n);
    CHECK(n > 0);
    CHECK_EQ(agree, n);
}

int main(void)
{
    const char *s = getenv("DIFF_SEED");
    uint64_t seed = s && *s ? strtoull(s, NULL, 0) : 0x1234ed25519ull;
    rng_state = seed;
    printf("seed 0x%llx\n", (unsigned long long)seed);
    make_cases();
    RUN(sha512_agrees_with_openssl_at_every_length_to_700_in_random_pieces);
    RUN(sha512_agrees_with_openssl_on_large_inputs_in_one_call);
    RUN(reference_agrees_with_every_wycheproof_case);
    RUN(valid_signatures_verify_in_both);
    RUN(one_bit_flipped_in_the_signature_agrees);
    RUN(one_bit_flipped_in_the_message_agrees);
    RUN(one_bit_flipped_in_the_key_agrees);
    RUN(s_plus_l_agrees);
    RUN(swapped_halves_agree);
    RUN(random_garbage_agrees);
    RUN(small_order_and_non_canonical_points_as_r_and_a_agree);
    printf("  %d cases agree with OpenSSL (one call and streamed in random pieces)\n", agree_total);
    return test_summary();
}
