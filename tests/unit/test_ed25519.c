/* Ed25519 verification (boot/crypto/ed25519.c) and SHA-512 (boot/crypto/sha512.c): FIPS 180
 * and RFC 8032 known answers, the strictness rules one by one, the streaming API, and every case
 * of Project Wycheproof's ed25519_test.json (read at run time, see tests/crypto/vectors.h). */
#include <stdint.h>
#include <stdlib.h>

#include "ed25519.h"
#include "sha512.h"
#include "test.h"
#include "vectors.h"

/* RFC 8032 section 7.1 (public key, message, signature). */
struct rfc_vector {
    const char *name, *pk, *msg, *sig;
};

static const char rfc_msg_1024[] =
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f5"
    "4e9f77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37"
    "c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efc"
    "b8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b"
    "3b310da903401aa62100ab5d1a36553e06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573c"
    "b116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204"
    "ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958"
    "d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
    "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c6"
    "5adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2"
    "cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a"
    "71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b"
    "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9"
    "b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb"
    "038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f672451"
    "7b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
    "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e"
    "2ab47b57f7f7276cd419c17a3ca8e1b939ae49e488acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d"
    "5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e6aed3fb0"
    "f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041"
    "e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa9"
    "33a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380db2eaaa707b4c4185"
    "c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c"
    "15fc910840b94c00a0b9d0"
    ;

static const struct rfc_vector rfc[] = {
    {"TEST 1", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST 1024", "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", rfc_msg_1024,
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d"
     "94b5e8fcd4f681e30a6ac00a9704a188a03"},
    {"TEST SHA(abc)", "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "bbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e"
     "0303dca179c138ac17ad9bef1177331a704"},
};
#define RFC_N (sizeof rfc / sizeof rfc[0])

/* A decoded RFC vector. */
struct vec {
    uint8_t pk[32], sig[64], msg[1024];
    size_t len;
};

static struct vec vec_of(const struct rfc_vector *r)
{
    struct vec v;
    memset(&v, 0, sizeof v);
    if (wp_hex(r->pk, v.pk, 32) != 32 || wp_hex(r->sig, v.sig, 64) != 64) {
        printf("bad hex in RFC vector %s\n", r->name);
        exit(2);
    }
    long n = wp_hex(r->msg, v.msg, sizeof v.msg);
    if (n < 0) {
        printf("bad hex in RFC vector %s\n", r->name);
        exit(2);
    }
    v.len = (size_t)n;
    return v;
}

/* The streaming API over msg in pieces of `step` bytes (0: in one piece). */
static int verify_streamed(const uint8_t *sig, const uint8_t *msg, size_t len, const uint8_t *pk,
                           size_t step)
{
    struct ed25519_ctx c;
    int init = ed25519_verify_init(&c, sig, pk);
    for (size_t at = 0; at < len;) {
        size_t n = step && step < len - at ? step : len - at;
        ed25519_verify_update(&c, msg + at, n);
        at += n;
    }
    int fin = ed25519_verify_final(&c);
    if (init != 0 && fin != init)
        return 100; /* final must repeat what init found */
    return fin;
}

static void sha_hex(const void *data, size_t n, char out[129])
{
    uint8_t d[64];
    sha512(data, n, d);
    for (int i = 0; i < 64; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

/* 32-byte little-endian encodings built from a small number and the sign bit */
static void enc_small(uint8_t out[32], uint32_t y, int sign)
{
    memset(out, 0, 32);
    for (int i = 0; i < 4; i++)
        out[i] = (uint8_t)(y >> (8 * i));
    out[31] = (uint8_t)(sign << 7);
}

/* p + k, little endian, with the sign bit */
static void enc_p_plus(uint8_t out[32], uint8_t k, int sign)
{
    memset(out, 0xff, 32);
    out[0] = (uint8_t)(0xed + k); /* p = 2^255 - 19: ed ff ... ff 7f; k <= 18 */
    out[31] = (uint8_t)(0x7f | sign << 7);
}

/* s += L in place (little endian, 32 bytes) */
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

TEST(sha512_of_abc_is_the_fips_180_answer)
{
    char h[129];
    sha_hex("abc", 3, h);
    CHECK(strcmp(h, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f") == 0);
}

TEST(sha512_of_the_empty_message_is_the_fips_180_answer)
{
    char h[129];
    sha_hex("", 0, h);
    CHECK(strcmp(h, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e") == 0);
}

TEST(sha512_of_the_896_bit_message_needs_a_second_padding_block)
{
    static const char m[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                            "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    char h[129];
    CHECK_EQ(sizeof m - 1, 112); /* 112 + 1 + 16 > 128 */
    sha_hex(m, sizeof m - 1, h);
    CHECK(strcmp(h, "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
                    "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909") == 0);
}

TEST(sha512_of_a_million_a_fed_in_uneven_pieces)
{
    static uint8_t a[1000];
    struct sha512_ctx c;
    uint8_t d[64];
    char h[129];
    memset(a, 'a', sizeof a);
    sha512_init(&c);
    size_t left = 1000000, step = 1;
    while (left > 0) { /* pieces of 1, 8, 15, ... 995 bytes: every offset within a block */
        size_t n = step < left ? step : left;
        sha512_update(&c, a, n);
        left -= n;
        step = (step + 7) % 1000;
    }
    sha512_final(&c, d);
    for (int i = 0; i < 64; i++)
        sprintf(h + 2 * i, "%02x", d[i]);
    CHECK(strcmp(h, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                    "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b") == 0);
}

TEST(sha512_split_anywhere_equals_one_call)
{
    uint8_t m[300], one[64], two[64];
    for (size_t i = 0; i < sizeof m; i++)
        m[i] = (uint8_t)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof m; len += 13) {
        sha512(m, len, one);
        for (size_t cut = 0; cut <= len; cut++) {
            struct sha512_ctx c;
            sha512_init(&c);
            sha512_update(&c, m, cut);
            sha512_update(&c, m + cut, 0);
            sha512_update(&c, m + cut, len - cut);
            sha512_final(&c, two);
            CHECK_MEM(one, two, 64);
        }
    }
}

TEST(sha512_one_large_update_equals_one_byte_at_a_time)
{
    static uint8_t m[5000];
    uint8_t one[64], bytes[64];
    struct sha512_ctx c;
    for (size_t i = 0; i < sizeof m; i++)
        m[i] = (uint8_t)(i * 131 + (i >> 8));
    sha512(m, sizeof m, one);
    sha512_init(&c);
    for (size_t i = 0; i < sizeof m; i++)
        sha512_update(&c, m + i, 1);
    sha512_final(&c, bytes);
    CHECK_MEM(one, bytes, 64);
}

static void check_rfc(size_t i)
{
    struct vec v = vec_of(&rfc[i]);
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_OK);
    CHECK_EQ(verify_streamed(v.sig, v.msg, v.len, v.pk, 1), ED25519_OK);
}

TEST(rfc8032_test_1_empty_message_verifies)
{
    check_rfc(0);
}

TEST(rfc8032_test_2_one_byte_verifies)
{
    check_rfc(1);
}

TEST(rfc8032_test_3_two_bytes_verify)
{
    check_rfc(2);
}

TEST(rfc8032_test_1024_verifies)
{
    check_rfc(3);
}

TEST(rfc8032_test_sha_abc_verifies)
{
    check_rfc(4);
}

TEST(rfc8032_vectors_fail_with_any_bit_of_signature_or_key_flipped)
{
    for (size_t i = 0; i < RFC_N; i++) {
        struct vec v = vec_of(&rfc[i]);
        for (int bit = 0; bit < 8 * 64; bit++) {
            v.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            CHECK(ed25519_verify(v.sig, v.msg, v.len, v.pk) < 0);
            v.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        for (int bit = 0; bit < 8 * 32; bit++) {
            v.pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            CHECK(ed25519_verify(v.sig, v.msg, v.len, v.pk) < 0);
            v.pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
    }
}

TEST(rfc8032_vectors_fail_with_a_message_bit_flipped_added_or_dropped)
{
    for (size_t i = 0; i < RFC_N; i++) {
        struct vec v = vec_of(&rfc[i]);
        for (size_t bit = 0; bit < 8 * v.len; bit += 1 + bit / 64) { /* all of the first 64 */
            v.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_MISMATCH);
            v.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len + 1, v.pk), ED25519_ERR_MISMATCH);
        if (v.len > 0)
            CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len - 1, v.pk), ED25519_ERR_MISMATCH);
    }
}

TEST(s_plus_l_is_refused_as_out_of_range)
{
    struct vec v = vec_of(&rfc[0]);
    add_l(v.sig + 32);
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_S_RANGE);
}

TEST(s_equal_to_l_is_refused_and_l_minus_1_is_in_range)
{
    struct vec v = vec_of(&rfc[0]);
    memset(v.sig + 32, 0, 32);
    add_l(v.sig + 32);
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_S_RANGE);
    v.sig[32]--; /* L - 1: a scalar like any other, so just a wrong signature */
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_MISMATCH);
    memset(v.sig + 32, 0xff, 32); /* the largest S */
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_S_RANGE);
}

TEST(r_with_y_not_below_p_is_refused)
{
    struct vec v = vec_of(&rfc[0]);
    for (uint8_t k = 0; k <= 18; k++) {
        enc_p_plus(v.sig, k, 0); /* y = p + k encodes y = k unreduced */
        CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_R_ENCODING);
        enc_p_plus(v.sig, k, 1);
        CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_R_ENCODING);
    }
}

TEST(r_with_x_zero_and_the_sign_bit_is_refused)
{
    struct vec v = vec_of(&rfc[0]);
    enc_small(v.sig, 1, 1); /* y = 1: x = 0, so "negative x" is not an encoding */
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_R_ENCODING);
    memset(v.sig, 0xff, 32);
    v.sig[0] = 0xec; /* y = p - 1 = -1: x = 0 as well */
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_R_ENCODING);
}

TEST(r_off_the_curve_is_a_mismatch)
{
    struct vec v = vec_of(&rfc[0]);
    enc_small(v.sig, 2, 0); /* y = 2 is on no point; the recomputed R is always a point */
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_MISMATCH);
}

TEST(key_with_y_not_below_p_is_refused)
{
    struct vec v = vec_of(&rfc[0]);
    for (uint8_t k = 0; k <= 18; k++) {
        enc_p_plus(v.pk, k, 0);
        CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_KEY);
        enc_p_plus(v.pk, k, 1);
        CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_KEY);
    }
}

TEST(key_with_x_zero_and_the_sign_bit_is_refused)
{
    struct vec v = vec_of(&rfc[0]);
    enc_small(v.pk, 1, 1);
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_KEY);
    memset(v.pk, 0xff, 32);
    v.pk[0] = 0xec; /* y = -1 with the sign bit */
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_KEY);
}

TEST(key_off_the_curve_is_refused)
{
    struct vec v = vec_of(&rfc[0]);
    enc_small(v.pk, 2, 0); /* (y^2 - 1) / (d y^2 + 1) is not a square for y = 2 */
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_KEY);
    enc_small(v.pk, 2, 1);
    CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pk), ED25519_ERR_KEY);
}

TEST(signature_of_another_key_is_a_mismatch)
{
    struct vec a = vec_of(&rfc[0]), b = vec_of(&rfc[1]);
    CHECK_EQ(ed25519_verify(a.sig, a.msg, a.len, b.pk), ED25519_ERR_MISMATCH);
    CHECK_EQ(ed25519_verify(b.sig, b.msg, b.len, a.pk), ED25519_ERR_MISMATCH);
}

TEST(streaming_in_any_pieces_equals_one_call)
{
    struct vec v = vec_of(&rfc[3]);
    static const size_t steps[] = {0, 1, 2, 3, 7, 63, 64, 65, 95, 96, 97, 127, 128, 129, 500, 1022};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        CHECK_EQ(verify_streamed(v.sig, v.msg, v.len, v.pk, steps[i]), ED25519_OK);
    v.msg[700] ^= 4;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        CHECK_EQ(verify_streamed(v.sig, v.msg, v.len, v.pk, steps[i]), ED25519_ERR_MISMATCH);
}

TEST(init_reports_an_encoding_problem_and_final_repeats_it)
{
    struct vec v = vec_of(&rfc[0]);
    struct ed25519_ctx c;
    add_l(v.sig + 32);
    CHECK_EQ(ed25519_verify_init(&c, v.sig, v.pk), ED25519_ERR_S_RANGE);
    ed25519_verify_update(&c, v.msg, v.len);
    CHECK_EQ(ed25519_verify_final(&c), ED25519_ERR_S_RANGE);
}

TEST(init_copies_signature_and_key)
{
    struct vec v = vec_of(&rfc[2]);
    struct ed25519_ctx c;
    uint8_t sig[64], pk[32];
    memcpy(sig, v.sig, 64);
    memcpy(pk, v.pk, 32);
    CHECK_EQ(ed25519_verify_init(&c, sig, pk), ED25519_OK);
    memset(sig, 0, sizeof sig); /* the caller's buffers may be reused once init returns */
    memset(pk, 0, sizeof pk);
    ed25519_verify_update(&c, v.msg, v.len);
    CHECK_EQ(ed25519_verify_final(&c), ED25519_OK);
}

TEST(second_final_reports_a_spent_context)
{
    struct vec v = vec_of(&rfc[1]);
    struct ed25519_ctx c;
    CHECK_EQ(ed25519_verify_init(&c, v.sig, v.pk), ED25519_OK);
    ed25519_verify_update(&c, v.msg, v.len);
    CHECK_EQ(ed25519_verify_final(&c), ED25519_OK);
    CHECK_EQ(ed25519_verify_final(&c), ED25519_ERR_STATE);
    CHECK_EQ(ed25519_verify_init(&c, v.sig, v.pk), ED25519_OK); /* init starts afresh */
    ed25519_verify_update(&c, v.msg, v.len);
    CHECK_EQ(ed25519_verify_final(&c), ED25519_OK);
}

TEST(every_status_has_its_own_message)
{
    static const int codes[] = {ED25519_OK, ED25519_ERR_S_RANGE, ED25519_ERR_R_ENCODING,
                                ED25519_ERR_KEY, ED25519_ERR_MISMATCH, ED25519_ERR_STATE};
    const char *unknown = ed25519_strerror(-1000);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK(codes[i] == 0 || codes[i] < 0);
        CHECK(strcmp(ed25519_strerror(codes[i]), unknown) != 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(ed25519_strerror(codes[i]), ed25519_strerror(codes[j])) != 0);
    }
}

/* Our API takes exactly 64 signature bytes (the image format's field); a signature of any other
 * length in the file is one the caller cannot pass, i.e. rejected. */
static int wp_verify(const struct wp_case *c)
{
    if (c->sig_len != ED25519_SIG_LEN || c->pk_len != ED25519_KEY_LEN)
        return -1;
    return ed25519_verify(c->sig, c->msg, c->msg_len, c->pk);
}

TEST(wycheproof_every_case_agrees)
{
    struct wp_file f;
    char err[600];
    if (wp_load(&f, err, sizeof err) != 0) {
        printf("  %s\n", err);
        CHECK(!"Wycheproof vectors readable");
    }
    int agree = 0, valid = 0, invalid = 0, wrong_len = 0, streamed_same = 1;
    for (size_t i = 0; i < f.n; i++) {
        const struct wp_case *c = &f.cases[i];
        int rc = wp_verify(c);
        if (c->sig_len != ED25519_SIG_LEN)
            wrong_len++;
        else if (verify_streamed(c->sig, c->msg, c->msg_len, c->pk, 3) != rc)
            streamed_same = 0;
        if ((rc == 0) == c->valid) {
            agree++;
            valid += c->valid;
            invalid += !c->valid;
        } else {
            printf("  tcId %d: expected %s, got %d (%s) [%s] %s\n", c->tc_id,
                   c->valid ? "valid" : "invalid", rc, ed25519_strerror(rc), c->flags, c->comment);
        }
    }
    printf("  wycheproof %s: %d of %zu cases agree (%d valid, %d invalid, %d of them by length), "
           "file declares %d\n", f.path, agree, f.n, valid, invalid, wrong_len, f.declared);
    int n = (int)f.n, declared = f.declared;
    wp_free(&f);
    CHECK(n > 0);
    CHECK_EQ(n, declared);
    CHECK_EQ(agree, n);
    CHECK(streamed_same);
}

int main(void)
{
    RUN(sha512_of_abc_is_the_fips_180_answer);
    RUN(sha512_of_the_empty_message_is_the_fips_180_answer);
    RUN(sha512_of_the_896_bit_message_needs_a_second_padding_block);
    RUN(sha512_of_a_million_a_fed_in_uneven_pieces);
    RUN(sha512_split_anywhere_equals_one_call);
    RUN(sha512_one_large_update_equals_one_byte_at_a_time);
    RUN(rfc8032_test_1_empty_message_verifies);
    RUN(rfc8032_test_2_one_byte_verifies);
    RUN(rfc8032_test_3_two_bytes_verify);
    RUN(rfc8032_test_1024_verifies);
    RUN(rfc8032_test_sha_abc_verifies);
    RUN(rfc8032_vectors_fail_with_any_bit_of_signature_or_key_flipped);
    RUN(rfc8032_vectors_fail_with_a_message_bit_flipped_added_or_dropped);
    RUN(s_plus_l_is_refused_as_out_of_range);
    RUN(s_equal_to_l_is_refused_and_l_minus_1_is_in_range);
    RUN(r_with_y_not_below_p_is_refused);
    RUN(r_with_x_zero_and_the_sign_bit_is_refused);
    RUN(r_off_the_curve_is_a_mismatch);
    RUN(key_with_y_not_below_p_is_refused);
    RUN(key_with_x_zero_and_the_sign_bit_is_refused);
    RUN(key_off_the_curve_is_refused);
    RUN(signature_of_another_key_is_a_mismatch);
    RUN(streaming_in_any_pieces_equals_one_call);
    RUN(init_reports_an_encoding_problem_and_final_repeats_it);
    RUN(init_copies_signature_and_key);
    RUN(second_final_reports_a_spent_context);
    RUN(every_status_has_its_own_message);
    RUN(wycheproof_every_case_agrees);
    return test_summary();
}
