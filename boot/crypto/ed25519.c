/* Strict Ed25519 verification (RFC 8032, 5.1.7), written for a small Cortex-M3 bootloader:
 * compact loops over 32-bit limbs, no tables beyond a few constants, about 2.4 KB of stack.
 * Internal names: fe_ field mod p = 2^255 - 19, ge_ curve points, sc_ scalars mod L. */
#include "ed25519.h"

#include <string.h>

/* ---- field: eight 32-bit little-endian limbs -------------------------------------------------
 * Values stay below 2^256 but not necessarily below p between operations: a carry out of the
 * top limb is worth 2^256 = 38 (mod p) and is folded back in. Only encoding, comparison and
 * parity reduce fully. Full 32-bit limbs make a product 64 UMLALs (the inner loop unrolled). */
typedef uint32_t fe[8];

/* Carries below use arithmetic right shifts of negative int64_t (gcc and clang define them);
 * this checks it at compile time, which is why it shifts a negative value. */
/* cppcheck-suppress shiftNegativeLHS */
_Static_assert((-2LL >> 1) == -1LL, "signed right shift must be arithmetic");

static const fe fe_one = {1};
static const fe fe_zero = {0};
/* d = -121665 / 121666 */
static const fe fe_d = {0x135978a3, 0x75eb4dca, 0x4141d8ab, 0x00700a4d,
                        0x7779e898, 0x8cc74079, 0x2b6ffe73, 0x52036cee};
/* 2^((p - 1) / 4), a square root of -1 */
static const fe fe_sqrtm1 = {0x4a0ea0b0, 0xc4ee1b27, 0xad2fe478, 0x2f431806,
                             0x3dfbd7a7, 0x2b4d0099, 0x4fc1df0b, 0x2b832480};
/* The base point B: y = 4/5, x even. */
static const fe ge_bx = {0x8f25d51a, 0xc9562d60, 0x9525a7b2, 0x692cc760,
                         0xfdd6dc5c, 0xc0a4e231, 0xcd6e53fe, 0x216936d3};
static const fe ge_by = {0x66666658, 0x66666666, 0x66666666, 0x66666666,
                         0x66666666, 0x66666666, 0x66666666, 0x66666666};

/* r += t as 256-bit numbers (t signed); returns the signed carry out of the top limb. */
static int64_t fe_carry(fe r, int64_t t)
{
    for (int i = 0; i < 8; i++) {
        t += r[i];
        r[i] = (uint32_t)t;
        t >>= 32;
    }
    return t;
}

/* r += c * 2^256 (mod p), |c| <= 39. A first pass that carries out leaves r below 38 * 39 (or,
 * borrowing, above 2^256 - 38), so the second pass cannot carry again. */
static void fe_fold(fe r, int64_t c)
{
    for (int n = 0; n < 2 && c != 0; n++)
        c = fe_carry(r, c * 38);
}

/* r = a + b, or a - b when sub is set: a + ~b + 1 is a - b + 2^256, so the carry out of the
 * top limb is one more than the true one. */
static void fe_addsub(fe r, const fe a, const fe b, int sub)
{
    uint32_t flip = sub ? 0xffffffffu : 0;
    uint64_t t = sub ? 1 : 0;
    for (int i = 0; i < 8; i++) {
        t += (uint64_t)a[i] + (b[i] ^ flip);
        r[i] = (uint32_t)t;
        t >>= 32;
    }
    fe_fold(r, (int64_t)t - (sub ? 1 : 0));
}

static void fe_add(fe r, const fe a, const fe b)
{
    fe_addsub(r, a, b, 0);
}

static void fe_sub(fe r, const fe a, const fe b)
{
    fe_addsub(r, a, b, 1);
}

/* r = a * b; r may be a or b. Each step of the inner loop is at most
 * (2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1, so the 64-bit accumulator never overflows. */
static void fe_mul(fe r, const fe a, const fe b)
{
    uint32_t t[16];
    memset(t, 0, 8 * sizeof t[0]); /* t[8..15] are written before they are read */
    for (int i = 0; i < 8; i++) {
        uint64_t c = 0;
#pragma GCC unroll 8 /* 20% faster verification for 130 bytes: no loop control per product */
        for (int j = 0; j < 8; j++) {
            c += (uint64_t)a[i] * b[j] + t[i + j];
            t[i + j] = (uint32_t)c;
            c >>= 32;
        }
        t[i + 8] = (uint32_t)c;
    }
    uint64_t c = 0;
    for (int i = 0; i < 8; i++) { /* high half * 38 + low half: carry out at most 38 */
        c += (uint64_t)t[i + 8] * 38 + t[i];
        r[i] = (uint32_t)c;
        c >>= 32;
    }
    fe_fold(r, (int64_t)c);
}

static void fe_sq(fe r, const fe a)
{
    fe_mul(r, a, a);
}

/* r = a^(2^n) */
static void fe_sqn(fe r, const fe a, int n)
{
    fe_sq(r, a);
    while (--n > 0)
        fe_sq(r, r);
}

/* r = z^(p - 2) = 1/z when inv, else z^((p - 5) / 8) = z^(2^252 - 3) for the square root. Both
 * share z^(2^250 - 1), built from z^(2^k - 1) for k = 5, 10, 20, 40, 50, 100, 200:
 * 254 squarings and 11 or 12 multiplications. */
static void fe_pow(fe r, const fe z, int inv)
{
    fe z9, z11, a, b, t;
    fe_sq(t, z);         /* z^2 */
    fe_sqn(z9, t, 2);    /* z^8 */
    fe_mul(z9, z9, z);   /* z^9 */
    fe_mul(z11, z9, t);  /* z^11 */
    fe_sq(t, z11);       /* z^22 */
    fe_mul(a, t, z9);    /* z^31 = z^(2^5 - 1) */
    fe_sqn(t, a, 5);
    fe_mul(a, t, a);     /* 2^10 - 1 */
    fe_sqn(t, a, 10);
    fe_mul(b, t, a);     /* 2^20 - 1 */
    fe_sqn(t, b, 20);
    fe_mul(t, t, b);     /* 2^40 - 1 */
    fe_sqn(t, t, 10);
    fe_mul(a, t, a);     /* 2^50 - 1 */
    fe_sqn(t, a, 50);
    fe_mul(b, t, a);     /* 2^100 - 1 */
    fe_sqn(t, b, 100);
    fe_mul(t, t, b);     /* 2^200 - 1 */
    fe_sqn(t, t, 50);
    fe_mul(t, t, a);     /* 2^250 - 1 */
    if (inv) {
        fe_sqn(t, t, 5); /* 2^255 - 32 */
        fe_mul(r, t, z11);
    } else {
        fe_sqn(t, t, 2); /* 2^252 - 4 */
        fe_mul(r, t, z);
    }
}

/* Fully reduces r into [0, p). */
static void fe_canon(fe r)
{
    fe t;
    uint32_t top = r[7] >> 31;
    r[7] &= 0x7fffffffu;
    fe_carry(r, 19 * (int64_t)top); /* now r < 2^255 + 19 */
    memcpy(t, r, sizeof t);
    fe_carry(t, 19);
    if (t[7] >> 31) { /* r + 19 reaches 2^255 exactly when r >= p; then r - p = r + 19 - 2^255 */
        t[7] &= 0x7fffffffu;
        memcpy(r, t, sizeof t);
    }
}

/* The canonical 32 little-endian bytes of a (bit 255 clear). */
static void fe_store(uint8_t s[32], const fe a)
{
    fe t;
    memcpy(t, a, sizeof t);
    fe_canon(t);
    for (int i = 0; i < 32; i++)
        s[i] = (uint8_t)(t[i >> 2] >> (8 * (i & 3)));
}

/* r = the 256-bit little-endian number at s */
static void fe_load(fe r, const uint8_t s[32])
{
    for (int i = 0; i < 8; i++)
        r[i] = (uint32_t)s[4 * i] | (uint32_t)s[4 * i + 1] << 8 | (uint32_t)s[4 * i + 2] << 16 |
               (uint32_t)s[4 * i + 3] << 24;
}

static int fe_iszero(const fe a)
{
    uint8_t s[32], acc = 0;
    fe_store(s, a);
    for (int i = 0; i < 32; i++)
        acc |= s[i];
    return acc == 0;
}

/* The "sign" of RFC 8032: the low bit of the reduced value. */
static int fe_isodd(const fe a)
{
    uint8_t s[32];
    fe_store(s, a);
    return s[0] & 1;
}

static int fe_eq(const fe a, const fe b)
{
    fe t;
    fe_sub(t, a, b);
    return fe_iszero(t);
}

/* y = bits 0..254 of the encoding s; returns whether y < p (the encoding of y is canonical). */
static int fe_load_y(fe y, const uint8_t s[32])
{
    fe t;
    fe_load(y, s);
    y[7] &= 0x7fffffffu;
    memcpy(t, y, sizeof t);
    fe_canon(t);
    return memcmp(t, y, sizeof t) == 0;
}

/* ---- points: extended coordinates x = X/Z, y = Y/Z, xy = T/Z on -x^2 + y^2 = 1 + d x^2 y^2 ---
 * The formulas (Hisil, Wong, Carter, Dawson 2008, for a = -1) are complete on this curve: no
 * special cases for the identity, doubling or small-order points. */
struct ge {
    fe X, Y, Z, T;
};

/* A point prepared for additions: Y + X, Y - X, 2Z, 2dT. */
struct ge_cached {
    fe ypx, ymx, z2, t2d;
};

static void ge_identity(struct ge *p)
{
    memset(p, 0, sizeof *p);
    p->Y[0] = 1;
    p->Z[0] = 1;
}

static void ge_cache(struct ge_cached *c, const struct ge *p)
{
    fe d2;
    fe_add(c->ypx, p->Y, p->X);
    fe_sub(c->ymx, p->Y, p->X);
    fe_add(c->z2, p->Z, p->Z);
    fe_add(d2, fe_d, fe_d);
    fe_mul(c->t2d, p->T, d2);
}

/* r = p + q, or p - q when neg (-(x, y) = (-x, y) swaps Y + X with Y - X and negates T).
 * r may be p. */
static void ge_add(struct ge *r, const struct ge *p, const struct ge_cached *q, int neg)
{
    fe a, b, c, d, h;
    fe_sub(a, p->Y, p->X);
    fe_add(b, p->Y, p->X);
    fe_mul(a, a, neg ? q->ypx : q->ymx); /* A */
    fe_mul(b, b, neg ? q->ymx : q->ypx); /* B */
    fe_mul(c, p->T, q->t2d);             /* C, negated when neg */
    fe_mul(d, p->Z, q->z2);              /* D */
    fe_add(h, b, a);                     /* H = B + A */
    fe_sub(a, b, a);                     /* E = B - A */
    fe_addsub(b, d, c, !neg);            /* F = D - C */
    fe_addsub(d, d, c, neg);             /* G = D + C */
    fe_mul(r->X, a, b);                  /* E F */
    fe_mul(r->Y, d, h);                  /* G H */
    fe_mul(r->Z, b, d);                  /* F G */
    fe_mul(r->T, a, h);                  /* E H */
}

/* r = 2p; T of p is not used, and r's T is computed only when want_t (an addition follows).
 * With every intermediate negated: E' = A + B - (X + Y)^2, G' = A - B, H' = A + B,
 * F' = 2Z^2 + A - B; the products of two negated factors are unchanged. r may be p. */
static void ge_dbl(struct ge *r, const struct ge *p, int want_t)
{
    fe a, b, c, h;
    fe_sq(a, p->X);       /* A = X^2 */
    fe_sq(b, p->Y);       /* B = Y^2 */
    fe_sq(c, p->Z);
    fe_add(c, c, c);      /* C = 2 Z^2 */
    fe_add(h, a, b);      /* H' */
    fe_sub(a, a, b);      /* G' */
    fe_add(b, p->X, p->Y);
    fe_sq(b, b);
    fe_sub(b, h, b);      /* E' */
    fe_add(c, c, a);      /* F' */
    fe_mul(r->X, b, c);   /* E F */
    fe_mul(r->Y, a, h);   /* G H */
    fe_mul(r->Z, c, a);   /* F G */
    if (want_t)
        fe_mul(r->T, b, h); /* E H */
}

/* RFC 8032 5.1.3, strictly: y < p, x^2 = (y^2 - 1) / (d y^2 + 1) has a root, and no sign bit
 * when x = 0. Returns 0, or -1 when s is not a canonical encoding of a point. */
static __attribute__((noinline)) int ge_decode(struct ge *p, const uint8_t s[32])
{
    fe u, v, t, x;
    int sign = s[31] >> 7;
    if (!fe_load_y(p->Y, s))
        return -1;
    fe_sq(u, p->Y);
    fe_mul(v, u, fe_d);
    fe_sub(u, u, fe_one); /* u = y^2 - 1 */
    fe_add(v, v, fe_one); /* v = d y^2 + 1 */
    /* x = u v^3 (u v^7)^((p - 5) / 8), a root of u / v if u / v has one (times sqrt(-1)) */
    fe_sq(t, v);
    fe_mul(t, t, v);      /* v^3 */
    fe_mul(x, u, t);      /* u v^3 */
    fe_sq(t, t);
    fe_mul(t, t, v);
    fe_mul(t, t, u);      /* u v^7 */
    fe_pow(t, t, 0);
    fe_mul(x, x, t);
    fe_sq(t, x);
    fe_mul(t, t, v);      /* v x^2 */
    if (!fe_eq(t, u)) {
        fe_add(t, t, u);
        if (!fe_iszero(t))
            return -1;    /* v x^2 = -u: the root is x sqrt(-1); anything else: no root */
        fe_mul(x, x, fe_sqrtm1);
    }
    if (sign && fe_iszero(x))
        return -1;
    if (fe_isodd(x) != sign)
        fe_sub(x, fe_zero, x);
    memcpy(p->X, x, sizeof x);
    memcpy(p->Z, fe_one, sizeof x);
    fe_mul(p->T, x, p->Y);
    return 0;
}

/* Whether R's encoding is canonical as far as it can be told without a square root: y < p, and
 * no sign bit on the two points with x = 0 (y = 1 and y = -1, the y with y^2 = 1). An R off the
 * curve fails the final byte comparison with an encoded point. */
static int ge_encoding_canonical(const uint8_t s[32])
{
    fe y, t;
    if (!fe_load_y(y, s))
        return 0;
    if (!(s[31] >> 7))
        return 1;
    fe_sq(t, y);
    return !fe_eq(t, fe_one);
}

static __attribute__((noinline)) void ge_encode(uint8_t s[32], const struct ge *p)
{
    fe zi, x, y;
    fe_pow(zi, p->Z, 1);
    fe_mul(x, p->X, zi);
    fe_mul(y, p->Y, zi);
    fe_store(s, y);
    s[31] |= (uint8_t)(fe_isodd(x) << 7);
}

/* t[i] = (2i + 1) p for i = 0..3, the odd multiples a width-4 NAF digit selects. t[3] holds 2p
 * until it is due, and tmp (the caller's accumulator, free at this point) is the only other
 * space needed. */
static void ge_table(struct ge_cached t[4], const struct ge *p, struct ge *tmp)
{
    ge_dbl(tmp, p, 1);
    ge_cache(&t[3], tmp);
    ge_cache(&t[0], p);
    memcpy(tmp, p, sizeof *tmp);
    for (int i = 1; i < 4; i++) {
        ge_add(tmp, tmp, &t[3], 0);
        ge_cache(&t[i], tmp);
    }
}

/* ---- scalars mod L ---------------------------------------------------------------------------*/

/* L = 2^252 + 27742317777372353535851937790883648493, the order of B */
static const uint32_t sc_l[8] = {0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de,
                                 0x00000000, 0x00000000, 0x00000000, 0x10000000};

/* t = s - L; returns whether that borrowed, i.e. s < L. */
static int sc_sub_l(uint32_t t[8], const uint32_t s[8])
{
    int64_t c = 0;
    for (int i = 0; i < 8; i++) {
        c += (int64_t)s[i] - sc_l[i];
        t[i] = (uint32_t)c;
        c >>= 32;
    }
    return c != 0;
}

/* r = the 512-bit little-endian h mod L, one bit at a time from the top: r = 2r + bit, minus L
 * when that reaches L. r < L < 2^253 keeps 2r + 1 within eight limbs; below 2^252 no
 * comparison is needed. */
static void sc_reduce(uint32_t r[8], const uint8_t h[64])
{
    uint32_t t[8];
    memset(r, 0, 8 * sizeof r[0]);
    for (int i = 511; i >= 0; i--) {
        uint32_t bit = (h[i >> 3] >> (i & 7)) & 1u;
        for (int j = 0; j < 8; j++) {
            uint32_t top = r[j] >> 31;
            r[j] = r[j] << 1 | bit;
            bit = top;
        }
        if (r[7] >= 0x10000000u && !sc_sub_l(t, r))
            memcpy(r, t, sizeof t);
    }
}

/* Width-4 non-adjacent form: s = sum naf[i] 2^i with every digit 0 or odd in [-7, 7] and
 * nonzero digits at least 4 apart. For s < 2^253 the last carry lands by digit 253. */
static void sc_naf(int8_t naf[256], const uint32_t s[8])
{
    uint32_t carry = 0;
    memset(naf, 0, 256);
    for (int i = 0; i < 256;) {
        uint64_t x = s[i >> 5];
        if ((i >> 5) < 7)
            x |= (uint64_t)s[(i >> 5) + 1] << 32;
        uint32_t w = (uint32_t)(x >> (i & 31)) & 15u; /* bits i..i+3 */
        if (((w ^ carry) & 1u) == 0) { /* bit i plus the carry is even: digit 0 */
            i++;
            continue;
        }
        w += carry;           /* odd, 1..15 */
        carry = w >> 3;       /* 8..15 become w - 16, carrying 16 up */
        naf[i] = (int8_t)((int32_t)w - (int32_t)(carry << 4));
        i += 4;
    }
}

/* r = [s]B - [k]A, interleaving the two width-4 NAFs (Straus): about 253 doublings and
 * 2 x 51 additions, with tables of 4 odd multiples per point built on the stack. a is used as
 * scratch (it ends up holding B). This, ge_decode and ge_encode are kept out of line so that
 * their frames never add up: the 1.5 KB of tables and digits here, the 0.9 KB of SHA-512's
 * block function, and the temporaries of decoding and encoding are on the stack one at a time. */
static __attribute__((noinline)) void ge_double_scalarmult(struct ge *r, const uint32_t k[8],
                                                          struct ge *a, const uint32_t s[8])
{
    int8_t nk[256], ns[256];
    struct ge_cached ta[4], tb[4];
    sc_naf(nk, k);
    sc_naf(ns, s);
    ge_table(ta, a, r);
    memcpy(a->X, ge_bx, sizeof a->X);
    memcpy(a->Y, ge_by, sizeof a->Y);
    memcpy(a->Z, fe_one, sizeof a->Z);
    fe_mul(a->T, a->X, a->Y);
    ge_table(tb, a, r);
    ge_identity(r);
    int i = 255;
    while (i >= 0 && nk[i] == 0 && ns[i] == 0)
        i--;
    for (; i >= 0; i--) {
        ge_dbl(r, r, nk[i] != 0 || ns[i] != 0);
        if (nk[i] != 0) /* subtracting k A: a positive digit subtracts */
            ge_add(r, r, &ta[(nk[i] < 0 ? -nk[i] : nk[i]) >> 1], nk[i] > 0);
        if (ns[i] != 0)
            ge_add(r, r, &tb[(ns[i] < 0 ? -ns[i] : ns[i]) >> 1], ns[i] < 0);
    }
}

/* ---- verification ----------------------------------------------------------------------------*/

int ed25519_verify_init(struct ed25519_ctx *c, const uint8_t sig[ED25519_SIG_LEN],
                        const uint8_t pub[ED25519_KEY_LEN])
{
    uint32_t s[8], t[8];
    memcpy(c->sig, sig, ED25519_SIG_LEN);
    memcpy(c->pub, pub, ED25519_KEY_LEN);
    sha512_init(&c->h);
    sha512_update(&c->h, c->sig, 32);
    sha512_update(&c->h, c->pub, ED25519_KEY_LEN);
    fe_load(s, c->sig + 32);
    if (!sc_sub_l(t, s))
        c->status = ED25519_ERR_S_RANGE; /* S + L would verify too: malleable */
    else if (!ge_encoding_canonical(c->sig))
        c->status = ED25519_ERR_R_ENCODING;
    else /* the key is checked once, when final decodes it */
        c->status = ED25519_OK;
    return c->status;
}

void ed25519_verify_update(struct ed25519_ctx *c, const void *msg, size_t n)
{
    sha512_update(&c->h, msg, n);
}

int ed25519_verify_final(struct ed25519_ctx *c)
{
    uint8_t h[SHA512_DIGEST_LEN], rc[32];
    uint32_t k[8], s[8];
    struct ge a, r;
    int status = c->status;
    c->status = ED25519_ERR_STATE; /* the hash is spent: a second final must not pass */
    if (status != ED25519_OK)
        return status;
    sha512_final(&c->h, h);
    if (ge_decode(&a, c->pub) != 0)
        return ED25519_ERR_KEY;
    sc_reduce(k, h);
    fe_load(s, c->sig + 32);
    ge_double_scalarmult(&r, k, &a, s);
    ge_encode(rc, &r);
    return memcmp(rc, c->sig, 32) == 0 ? ED25519_OK : ED25519_ERR_MISMATCH;
}

int ed25519_verify(const uint8_t sig[ED25519_SIG_LEN], const void *msg, size_t len,
                   const uint8_t pub[ED25519_KEY_LEN])
{
    struct ed25519_ctx c;
    if (ed25519_verify_init(&c, sig, pub) != ED25519_OK)
        return c.status;
    ed25519_verify_update(&c, msg, len);
    return ed25519_verify_final(&c);
}

const char *ed25519_strerror(int status)
{
    switch (status) {
    case ED25519_OK:
        return "signature valid";
    case ED25519_ERR_S_RANGE:
        return "signature's S is not below the group order (malleated or corrupt signature)";
    case ED25519_ERR_R_ENCODING:
        return "signature's R is not a canonical point encoding (corrupt signature)";
    case ED25519_ERR_KEY:
        return "public key is not a canonical encoding of a curve point (wrong or corrupt key)";
    case ED25519_ERR_MISMATCH:
        return "signature does not match this message and key (wrong key, or image altered)";
    case ED25519_ERR_STATE:
        return "verification context already finished (call ed25519_verify_init again)";
    default:
        return "unknown ed25519 status";
    }
}
