/* White-box test of boot/crypto/ed25519.c's arithmetic (the file is included, so its static
 * functions are in reach) against OpenSSL's BIGNUM: the field mod p on edge and random values,
 * the scalar reduction mod L including the rare step where the running value lands in
 * [L, 2^252 + 2^224), the width-4 NAF, and group laws of the point formulas. These are the
 * places where a bug would hide from signature-level tests (one input in 2^29 or rarer). */
#include "../../boot/crypto/ed25519.c"

#include <openssl/bn.h>
#include <stdlib.h>

#include "test.h"

static uint64_t rng_state = 0xa11ce;
static BN_CTX *bn_ctx;
static BIGNUM *bn_p, *bn_l;

static uint64_t rng(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static BIGNUM *bn_of(const uint32_t *limbs, int n)
{
    uint8_t le[64];
    for (int i = 0; i < 4 * n; i++)
        le[i] = (uint8_t)(limbs[i / 4] >> (8 * (i % 4)));
    return BN_lebin2bn(le, 4 * n, NULL);
}

/* Whether the field element a is the number want mod p, fully reduced by fe_store. */
static int fe_is(const fe a, const BIGNUM *want)
{
    uint8_t got[32], exp[32];
    BIGNUM *w = BN_new();
    BN_nnmod(w, want, bn_p, bn_ctx);
    BN_bn2lebinpad(w, exp, 32);
    BN_free(w);
    fe_store(got, a);
    return memcmp(got, exp, 32) == 0;
}

/* Values that stress carries and reduction: 0, 1, 2, 19, 37, 38, p - 1, p, p + 1, p + 18,
 * 2^255 - 1, 2^255, 2^256 - 39, 2^256 - 38, 2^256 - 1, and limbs of all ones or all zeros. */
#define N_EDGE 18
static void edge(fe r, int i)
{
    static const uint32_t small[] = {0, 1, 2, 19, 37, 38};
    memset(r, 0, sizeof(fe));
    if (i < 6) {
        r[0] = small[i];
        return;
    }
    for (int k = 0; k < 8; k++)
        r[k] = 0xffffffffu;
    switch (i) {
    case 6: r[0] = 0xffffffecu; r[7] = 0x7fffffffu; break; /* p - 1 */
    case 7: r[0] = 0xffffffedu; r[7] = 0x7fffffffu; break; /* p */
    case 8: r[0] = 0xffffffeeu; r[7] = 0x7fffffffu; break; /* p + 1 */
    case 9: r[0] = 0xffffffffu; r[7] = 0x7fffffffu; break; /* p + 18 = 2^255 - 1 */
    case 10: memset(r, 0, sizeof(fe)); r[7] = 0x80000000u; break; /* 2^255 */
    case 11: r[0] = 0xffffffd9u; break; /* 2^256 - 39 */
    case 12: r[0] = 0xffffffdau; break; /* 2^256 - 38 */
    case 13: break; /* 2^256 - 1 */
    case 14: r[0] = r[2] = r[4] = r[6] = 0; break;
    case 15: r[1] = r[3] = r[5] = r[7] = 0; break;
    case 16: r[7] = 0; break; /* 2^224 - 1 */
    default: memset(r, 0, sizeof(fe)); r[0] = 0xffffffffu; break; /* 2^32 - 1 */
    }
}

static void random_fe(fe r)
{
    for (int k = 0; k < 8; k++)
        r[k] = (uint32_t)rng();
    if (rng() % 4 == 0) /* sometimes near the top or bottom of a limb */
        r[rng() % 8] = rng() % 2 ? 0xffffffffu : 0;
}

/* a op b for every pair of edge values and 3000 random pairs; op: 0 add, 1 sub, 2 mul */
static int field_op_agrees(int op)
{
    for (int i = 0; i < N_EDGE * N_EDGE + 3000; i++) {
        fe a, b, r;
        if (i < N_EDGE * N_EDGE) {
            edge(a, i / N_EDGE);
            edge(b, i % N_EDGE);
        } else {
            random_fe(a);
            random_fe(b);
        }
        BIGNUM *x = bn_of(a, 8), *y = bn_of(b, 8), *w = BN_new();
        if (op == 0) {
            fe_add(r, a, b);
            BN_add(w, x, y);
        } else if (op == 1) {
            fe_sub(r, a, b);
            BN_sub(w, x, y);
        } else {
            fe_mul(r, a, b);
            BN_mul(w, x, y, bn_ctx);
        }
        int ok = fe_is(r, w);
        BN_free(x);
        BN_free(y);
        BN_free(w);
        if (!ok) {
            printf("  op %d wrong for case %d\n", op, i);
            return 0;
        }
    }
    return 1;
}

TEST(field_addition_matches_bignum)
{
    CHECK(field_op_agrees(0));
}

TEST(field_subtraction_matches_bignum)
{
    CHECK(field_op_agrees(1));
}

TEST(field_multiplication_matches_bignum)
{
    CHECK(field_op_agrees(2));
}

TEST(canonical_form_is_below_p_around_p_and_2_to_256)
{
    for (int i = 0; i < 2 * 80; i++) {
        fe a;
        memset(a, 0xff, sizeof a);
        if (i < 80) { /* p - 40 .. p + 39 */
            a[7] = 0x7fffffffu;
            a[0] = 0xffffffedu - 40 + (uint32_t)i;
        } else { /* 2^256 - 80 .. 2^256 - 1 */
            a[0] = 0xffffffffu - 79 + (uint32_t)(i - 80);
        }
        BIGNUM *x = bn_of(a, 8);
        CHECK(fe_is(a, x));
        BN_free(x);
    }
}

TEST(inverse_and_square_root_power_match_bignum)
{
    BIGNUM *e_inv = BN_new(), *e_sqrt = BN_new(), *w = BN_new();
    BN_sub(e_inv, bn_p, BN_value_one());
    BN_sub(e_inv, e_inv, BN_value_one()); /* p - 2 */
    BN_set_word(w, 5);
    BN_sub(e_sqrt, bn_p, w);
    BN_rshift(e_sqrt, e_sqrt, 3); /* (p - 5) / 8 */
    for (int i = 0; i < N_EDGE + 200; i++) {
        fe a, r;
        if (i < N_EDGE)
            edge(a, i);
        else
            random_fe(a);
        BIGNUM *x = bn_of(a, 8);
        fe_pow(r, a, 1);
        BN_mod_exp(w, x, e_inv, bn_p, bn_ctx);
        CHECK(fe_is(r, w));
        fe_pow(r, a, 0);
        BN_mod_exp(w, x, e_sqrt, bn_p, bn_ctx);
        CHECK(fe_is(r, w));
        BN_free(x);
    }
    BN_free(e_inv);
    BN_free(e_sqrt);
    BN_free(w);
}

/* sc_reduce(h) == h mod L */
static int reduce_agrees(const uint8_t h[64])
{
    uint32_t r[8];
    uint8_t got[32], exp[32];
    sc_reduce(r, h);
    for (int i = 0; i < 32; i++)
        got[i] = (uint8_t)(r[i / 4] >> (8 * (i % 4)));
    BIGNUM *x = BN_lebin2bn(h, 64, NULL), *w = BN_new();
    BN_nnmod(w, x, bn_l, bn_ctx);
    BN_bn2lebinpad(w, exp, 32);
    BN_free(x);
    BN_free(w);
    return memcmp(got, exp, 32) == 0;
}

/* h = v * 2^shift (+ random low bits), v a small multiple of L plus an offset */
static void make_h(uint8_t h[64], int mult, int64_t off, int shift, int low_random)
{
    BIGNUM *x = BN_new(), *o = BN_new();
    BN_copy(x, bn_l);
    BN_mul_word(x, (BN_ULONG)mult);
    BN_set_word(o, (BN_ULONG)(off < 0 ? -off : off));
    if (off < 0)
        BN_sub(x, x, o);
    else
        BN_add(x, x, o);
    BN_lshift(x, x, shift);
    memset(h, 0, 64);
    BN_bn2lebinpad(x, h, 64);
    for (int i = 0; low_random && i < shift / 8; i++)
        h[i] = (uint8_t)rng();
    BN_free(x);
    BN_free(o);
}

TEST(scalar_reduction_matches_bignum_on_edges_and_random_hashes)
{
    uint8_t h[64];
    memset(h, 0, 64);
    CHECK(reduce_agrees(h));
    memset(h, 0xff, 64);
    CHECK(reduce_agrees(h));
    /* L - 1, L, L + 1, 2L - 1, 15L + 1 ... at every bit position where they fit */
    static const int mults[] = {1, 1, 1, 2, 15};
    static const int64_t offs[] = {-1, 0, 1, -1, 1};
    for (int m = 0; m < 5; m++)
        for (int shift = 0; shift + 257 <= 512; shift++) {
            make_h(h, mults[m], offs[m], shift, 0);
            CHECK(reduce_agrees(h));
        }
    /* the running value lands in [L, 2^252 + 2^224) (top limb exactly 2^28) at step 253 */
    for (int i = 0; i < 64; i++) {
        make_h(h, 1, (int64_t)(rng() % 1000), 259, 1);
        CHECK(reduce_agrees(h));
    }
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < 64; k++)
            h[k] = (uint8_t)rng();
        CHECK(reduce_agrees(h));
    }
}

/* naf represents s, digits are 0 or odd in [-7, 7], nonzero digits at least 4 apart */
static int naf_ok(const uint32_t s[8])
{
    int8_t naf[256];
    sc_naf(naf, s);
    BIGNUM *sum = BN_new(), *want = bn_of(s, 8);
    int last = 1000, ok = 1; /* index of the previous nonzero digit above */
    for (int i = 255; i >= 0; i--) {
        BN_lshift1(sum, sum);
        if (naf[i] > 0)
            BN_add_word(sum, (BN_ULONG)naf[i]);
        else if (naf[i] < 0)
            BN_sub_word(sum, (BN_ULONG)-naf[i]);
        if (naf[i] != 0) {
            ok &= (naf[i] & 1) && naf[i] >= -7 && naf[i] <= 7 && last - i >= 4;
            last = i;
        }
    }
    ok &= BN_cmp(sum, want) == 0;
    BN_free(sum);
    BN_free(want);
    return ok;
}

TEST(naf_digits_represent_the_scalar)
{
    uint32_t s[8];
    memset(s, 0, sizeof s);
    CHECK(naf_ok(s));
    memcpy(s, sc_l, sizeof s);
    s[0]--;
    CHECK(naf_ok(s)); /* L - 1 */
    memset(s, 0xff, sizeof s);
    s[7] = 0x1fffffffu;
    CHECK(naf_ok(s)); /* 2^253 - 1, the most a scalar below 2^253 can be */
    for (int k = 0; k < 8; k++)
        s[k] = 0x77777777u;
    s[7] = 0x17777777u;
    CHECK(naf_ok(s));
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < 8; k++)
            s[k] = (uint32_t)rng();
        s[7] &= 0x1fffffffu;
        CHECK(naf_ok(s));
    }
}

static void base_point(struct ge *b)
{
    memcpy(b->X, ge_bx, sizeof b->X);
    memcpy(b->Y, ge_by, sizeof b->Y);
    memcpy(b->Z, fe_one, sizeof b->Z);
    fe_mul(b->T, b->X, b->Y);
}

static void random_scalar(uint32_t s[8])
{
    uint8_t h[64];
    for (int k = 0; k < 64; k++)
        h[k] = (uint8_t)rng();
    sc_reduce(s, h);
}

/* [s]B - [k]A, encoded */
static void combo(uint8_t out[32], const uint32_t s[8], const uint32_t k[8], const struct ge *a)
{
    struct ge r, scratch = *a;
    ge_double_scalarmult(&r, k, &scratch, s);
    ge_encode(out, &r);
}

TEST(double_scalar_multiplication_is_linear)
{
    /* A = [a]B; then [s]B - [k]A = [s - k a]B: both sides computed by the code under test, with
     * different digit patterns, so a wrong table entry or sign shows. */
    static const uint32_t zero[8] = {0};
    for (int i = 0; i < 40; i++) {
        uint32_t a[8], s[8], k[8], d[8];
        struct ge b, pa;
        uint8_t ea[32], lhs[32], rhs[32];
        random_scalar(a);
        random_scalar(s);
        random_scalar(k);
        base_point(&b);
        combo(ea, a, zero, &b); /* [a]B */
        CHECK_EQ(ge_decode(&pa, ea), 0);
        combo(lhs, s, k, &pa);
        BIGNUM *bs = bn_of(s, 8), *bk = bn_of(k, 8), *ba = bn_of(a, 8), *w = BN_new();
        BN_mod_mul(w, bk, ba, bn_l, bn_ctx);
        BN_mod_sub(w, bs, w, bn_l, bn_ctx);
        uint8_t le[32];
        BN_bn2lebinpad(w, le, 32);
        fe_load(d, le);
        BN_free(bs);
        BN_free(bk);
        BN_free(ba);
        BN_free(w);
        combo(rhs, d, zero, &b);
        CHECK_MEM(lhs, rhs, 32);
    }
}

TEST(base_point_has_order_l_and_encodes_as_rfc8032_says)
{
    static const uint8_t enc_b[32] = {0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                      0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};
    static const uint8_t identity[32] = {1};
    static const uint32_t zero[8] = {0}, one[8] = {1};
    uint32_t l_minus_1[8];
    struct ge b, d;
    uint8_t e[32], e2[32];
    base_point(&b);
    combo(e, one, zero, &b);
    CHECK_MEM(e, enc_b, 32);
    CHECK_EQ(ge_decode(&d, enc_b), 0);
    ge_encode(e2, &d);
    CHECK_MEM(e2, enc_b, 32);
    memcpy(l_minus_1, sc_l, sizeof l_minus_1);
    l_minus_1[0]--;
    combo(e, l_minus_1, zero, &b); /* [L - 1]B = -B: same y, other sign */
    CHECK_MEM(e, enc_b, 31);
    CHECK_EQ(e[31], enc_b[31] | 0x80);
    combo(e, l_minus_1, l_minus_1, &b); /* [L-1]B - [L-1]B */
    CHECK_MEM(e, identity, 32);
}

TEST(small_order_points_reach_the_identity_in_eight_doublings_or_fewer)
{
    static uint8_t pts[8][32];
    static const char *const hex[] = {
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    };
    static const uint8_t identity[32] = {1};
    for (int i = 0; i < 8; i++) {
        for (int j = 0; j < 32; j++) {
            unsigned v;
            CHECK(sscanf(hex[i] + 2 * j, "%2x", &v) == 1);
            pts[i][j] = (uint8_t)v;
        }
        struct ge p, q;
        uint8_t e[32];
        CHECK_EQ(ge_decode(&p, pts[i]), 0);
        ge_encode(e, &p);
        CHECK_MEM(e, pts[i], 32); /* decoding and encoding are inverse */
        q = p;
        for (int k = 0; k < 3; k++) /* [8]P */
            ge_dbl(&q, &q, 1);
        ge_encode(e, &q);
        CHECK_MEM(e, identity, 32);
        struct ge_cached c; /* P - P through the addition formula */
        ge_cache(&c, &p);
        ge_add(&q, &p, &c, 1);
        ge_encode(e, &q);
        CHECK_MEM(e, identity, 32);
    }
}

int main(void)
{
    bn_ctx = BN_CTX_new();
    bn_p = BN_new();
    BN_set_bit(bn_p, 255);
    BN_sub_word(bn_p, 19);
    bn_l = bn_of(sc_l, 8);
    RUN(field_addition_matches_bignum);
    RUN(field_subtraction_matches_bignum);
    RUN(field_multiplication_matches_bignum);
    RUN(canonical_form_is_below_p_around_p_and_2_to_256);
    RUN(inverse_and_square_root_power_match_bignum);
    RUN(scalar_reduction_matches_bignum_on_edges_and_random_hashes);
    RUN(naf_digits_represent_the_scalar);
    RUN(double_scalar_multiplication_is_linear);
    RUN(base_point_has_order_l_and_encodes_as_rfc8032_says);
    RUN(small_order_points_reach_the_identity_in_eight_doublings_or_fewer);
    BN_free(bn_p);
    BN_free(bn_l);
    BN_CTX_free(bn_ctx);
    return test_summary();
}
