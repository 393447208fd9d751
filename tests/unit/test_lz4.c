/* The LZ4 block decoder (boot/core/lz4.c) against Debian's liblz4: everything liblz4's
 * compressors produce decodes exactly; malformed blocks are refused with the documented code;
 * nothing is written outside dst nor read outside src (guard bytes, exact-size heap copies under
 * ASan); mutated blocks are accepted only with liblz4's own output. */
#include <glob.h>
#include <lz4.h>
#include <lz4hc.h>
#include <stdint.h>
#include <stdlib.h>

#include "lz4dec.h"
#include "test.h"

#define GUARD     64
#define GUARD_VAL 0xA5
#define MAX_DATA  (70 * 1024)
#define E_GUARD   1000 /* dec(): a byte outside dst was written */

static uint8_t data[MAX_DATA], out[MAX_DATA + GUARD];
static uint8_t blk[LZ4_COMPRESSBOUND(MAX_DATA)];

static uint32_t rng = 0x1234567u;
static uint32_t rnd(void) /* xorshift32: fixed seed, so a failure reproduces */
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Decode blk[0, blen) into a buffer of exactly dst_len bytes with GUARD bytes each side. The
 * block is copied to a heap buffer of exactly blen bytes so ASan sees any read past it. Returns
 * the decoder's result, or E_GUARD if a guard byte changed; the output lands in out. */
static int dec(const uint8_t *b, size_t blen, size_t dst_len)
{
    uint8_t *src = malloc(blen ? blen : 1), *buf = malloc(dst_len + 2 * GUARD);
    if (!src || !buf)
        abort();
    if (blen)
        memcpy(src, b, blen);
    memset(buf, GUARD_VAL, dst_len + 2 * GUARD);
    int rc = lz4_decode(src, blen, buf + GUARD, dst_len);
    for (size_t i = 0; i < GUARD; i++)
        if (buf[i] != GUARD_VAL || buf[GUARD + dst_len + i] != GUARD_VAL)
            rc = E_GUARD;
    memcpy(out, buf + GUARD, dst_len);
    free(src);
    free(buf);
    return rc;
}

/* liblz4's compressors: kind 0 default, 1 fast (param = acceleration), 2 HC (param = level). */
static int compress(int kind, int param, const uint8_t *in, size_t n)
{
    static void *hc_state; /* LZ4_compress_HC would allocate its 256 KB state on every call */
    int cap = (int)sizeof blk;
    if (kind == 1)
        return LZ4_compress_fast((const char *)in, (char *)blk, (int)n, cap, param);
    if (kind == 2) {
        if (!hc_state && !(hc_state = malloc((size_t)LZ4_sizeofStateHC())))
            abort();
        return LZ4_compress_HC_extStateHC(hc_state, (const char *)in, (char *)blk, (int)n, cap,
                                          param);
    }
    return LZ4_compress_default((const char *)in, (char *)blk, (int)n, cap);
}

/* Compress in[0, n) and decode it back: 1 if exact, else prints what went wrong. */
static int round_trip(int kind, int param, const uint8_t *in, size_t n)
{
    int blen = compress(kind, param, in, n);
    if (blen <= 0) {
        printf("  liblz4 failed to compress %zu bytes (kind %d/%d)\n", n, kind, param);
        return 0;
    }
    int rc = dec(blk, (size_t)blen, n);
    if (rc != LZ4_OK || memcmp(out, in, n) != 0) {
        printf("  %zu bytes, kind %d/%d, block %d bytes: rc %d%s\n", n, kind, param, blen, rc,
               rc == LZ4_OK ? ", output differs" : "");
        return 0;
    }
    return 1;
}

/* Every compressor setting the host might use, on one input. */
static int round_trip_all(const uint8_t *in, size_t n)
{
    static const int accel[] = {1, 2, 4, 8, 17, 65537};
    int ok = round_trip(0, 0, in, n);
    for (size_t i = 0; i < sizeof accel / sizeof accel[0]; i++)
        ok &= round_trip(1, accel[i], in, n);
    for (int level = 1; level <= LZ4HC_CLEVEL_MAX; level++)
        ok &= round_trip(2, level, in, n);
    return ok;
}

static void gen_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

static void gen_text(uint8_t *p, size_t n)
{
    static const char *const words[] = {"the", "flash", "page", "is", "erased", "before", "a",
                                        "write", "bootloader", "of", "and", "STM32F103", "0x0800",
                                        "application", "record", "CRC", "to", "in", "update"};
    static const char sep[] = "  \n,.;";
    size_t i = 0;
    while (i < n) {
        const char *w = words[rnd() % (sizeof words / sizeof words[0])];
        while (*w && i < n)
            p[i++] = (uint8_t)*w++;
        if (i < n)
            p[i++] = (uint8_t)sep[rnd() % (sizeof sep - 1)];
    }
}

/* Thumb-2-like code: a vector table, halfwords from a few common encodings, literal pools. */
static void gen_firmware(uint8_t *p, size_t n)
{
    static const uint16_t ops[] = {0x4600, 0x2000, 0x6800, 0x6000, 0xB500, 0xBD00, 0x4770,
                                   0xD000, 0xE000, 0x3000, 0x1C00, 0x4200};
    size_t i = 0;
    for (; i + 4 <= n && i < 0x130; i += 4) {
        uint32_t v = i ? 0x08002000u + (rnd() % 64) * 2 + 1 : 0x20005000u;
        memcpy(p + i, &v, 4);
    }
    while (i + 2 <= n) {
        if (rnd() % 16 == 0 && i + 4 <= n && i % 4 == 0) {
            uint32_t lit = (rnd() & 1 ? 0x40010000u : 0x08002000u) + (rnd() % 256) * 4;
            memcpy(p + i, &lit, 4);
            i += 4;
            continue;
        }
        uint16_t op = (uint16_t)(ops[rnd() % (sizeof ops / sizeof ops[0])] | (rnd() % 64));
        memcpy(p + i, &op, 2);
        i += 2;
    }
    if (i < n)
        p[i] = 0xFF;
}

/* Random chunks and copies of earlier bytes at any distance up to 65535, including copies that
 * overlap themselves: matches of every offset and length for the decoder. */
static void gen_repeats(uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t len = 1 + rnd() % (rnd() % 4 ? 20 : 300);
        if (len > n - i)
            len = n - i;
        if (i > 0 && rnd() % 3) {
            size_t far = i < 65535 ? i : 65535;
            size_t off = 1 + (rnd() % 2 ? rnd() % (far < 16 ? far : 16) : rnd() % far);
            for (size_t k = 0; k < len; k++, i++)
                p[i] = p[i - off];
        } else {
            gen_random(p + i, len);
            i += len;
        }
    }
}

typedef void gen_fn(uint8_t *, size_t);
static gen_fn *const gens[] = {gen_random, gen_text, gen_firmware, gen_repeats};
#define N_GENS (sizeof gens / sizeof gens[0])

/* ---- round trips ---- */

TEST(empty_data_round_trips_as_a_single_zero_token)
{
    CHECK(round_trip_all(data, 0));
    CHECK_EQ(compress(0, 0, data, 0), 1);
    CHECK_EQ(blk[0], 0x00);
}

TEST(every_single_byte_value_round_trips)
{
    for (int v = 0; v < 256; v++) {
        data[0] = (uint8_t)v;
        CHECK(round_trip_all(data, 1));
    }
}

TEST(zero_kilobyte_round_trips_through_an_overlapping_match)
{
    memset(data, 0, 1024);
    CHECK(round_trip_all(data, 1024));
    CHECK(compress(0, 0, data, 1024) < 16); /* so it was one offset-1 match, not literals */
}

TEST(incompressible_random_data_round_trips)
{
    gen_random(data, 4096);
    CHECK(round_trip_all(data, 4096));
    CHECK(compress(0, 0, data, 4096) > 4096); /* so the block was literals only */
}

TEST(text_round_trips)
{
    gen_text(data, 4096);
    CHECK(round_trip_all(data, 4096));
}

TEST(firmware_like_data_round_trips)
{
    gen_firmware(data, 8192);
    CHECK(round_trip_all(data, 8192));
}

TEST(matches_at_every_distance_round_trip)
{
    gen_repeats(data, MAX_DATA);
    CHECK(round_trip_all(data, MAX_DATA));
}

TEST(every_size_from_1_to_4096_round_trips)
{
    for (size_t n = 1; n <= 4096; n++) {
        gens[n % N_GENS](data, n);
        CHECK(round_trip(0, 0, data, n));
        CHECK(round_trip(1, 1 + (int)(n % 9), data, n));
        CHECK(round_trip(2, 1 + (int)(n % LZ4HC_CLEVEL_MAX), data, n));
    }
}

/* The bootloader decodes one page at a time: whatever firmware files the build left behind,
 * cut into 1 KB and 2 KB pages. None present is fine: the generated firmware above stands in. */
TEST(build_outputs_round_trip_page_by_page)
{
    glob_t g;
    int files = 0;
    if (glob("build*/*.bin", 0, NULL, &g) == 0) {
        for (size_t f = 0; f < g.gl_pathc; f++) {
            FILE *fp = fopen(g.gl_pathv[f], "rb");
            if (!fp)
                continue;
            size_t n = fread(data, 1, MAX_DATA, fp);
            fclose(fp);
            files++;
            for (size_t page = 1024; page <= 2048; page *= 2)
                for (size_t at = 0; at < n; at += page) {
                    size_t len = n - at < page ? n - at : page;
                    CHECK(round_trip(0, 0, data + at, len));
                    CHECK(round_trip(2, 9, data + at, len));
                }
        }
        globfree(&g);
    }
    printf("  %d build outputs\n", files);
}

/* ---- declared size ---- */

static const uint8_t hello[] = {0x50, 'h', 'e', 'l', 'l', 'o'}; /* 5 literals, last sequence */

TEST(literals_only_block_decodes)
{
    CHECK_EQ(dec(hello, sizeof hello, 5), LZ4_OK);
    CHECK_MEM(out, "hello", 5);
}

TEST(declared_size_longer_than_the_output_is_refused)
{
    CHECK_EQ(dec(hello, sizeof hello, 6), LZ4_E_SHORT);
    gen_text(data, 3000);
    int blen = compress(0, 0, data, 3000);
    for (size_t extra = 1; extra < 100; extra++)
        CHECK_EQ(dec(blk, (size_t)blen, 3000 + extra), LZ4_E_SHORT);
}

TEST(declared_size_shorter_than_the_literals_is_refused)
{
    CHECK_EQ(dec(hello, sizeof hello, 4), LZ4_E_LONG);
    CHECK_EQ(dec(hello, sizeof hello, 0), LZ4_E_LONG);
}

/* dec() fails with E_GUARD if anything lands outside dst: every cut of the real size. */
TEST(declared_size_shorter_than_the_output_is_refused_without_writing_past_dst)
{
    for (size_t g = 0; g < N_GENS; g++)
        for (size_t n = 1; n <= 1500; n += 1 + n / 8) {
            gens[g](data, n);
            int blen = compress(2, 4, data, n);
            for (size_t cut = 1; cut <= n; cut += 1 + cut / 4) {
                int rc = dec(blk, (size_t)blen, n - cut);
                CHECK(rc < 0);
            }
        }
}

TEST(zero_token_decodes_to_nothing)
{
    static const uint8_t zero[] = {0x00};
    CHECK_EQ(dec(zero, 1, 0), LZ4_OK);
}

TEST(empty_input_is_refused)
{
    CHECK_EQ(dec(NULL, 0, 0), LZ4_E_TRUNCATED);
    CHECK_EQ(lz4_decode(NULL, 0, NULL, 0), LZ4_E_TRUNCATED);
}

/* ---- matches and offsets ---- */

/* 8 literals, a match of 8 at offset 8, 5 last literals: 21 bytes. The match starts 13 and ends
 * 5 bytes before the end. */
static const uint8_t base[] = {0x84, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x08, 0x00,
                               0x50, 'A', 'B', 'C', 'D', 'E'};
#define BASE_OUT "abcdefghabcdefghABCDE"

TEST(match_copies_earlier_output)
{
    CHECK_EQ(dec(base, sizeof base, 21), LZ4_OK);
    CHECK_MEM(out, BASE_OUT, 21);
    CHECK_EQ(LZ4_decompress_safe((const char *)base, (char *)data, sizeof base, 21), 21);
}

TEST(offset_zero_is_refused)
{
    uint8_t b[sizeof base];
    memcpy(b, base, sizeof b);
    b[9] = 0;
    CHECK_EQ(dec(b, sizeof b, 21), LZ4_E_OFFSET);
}

TEST(offset_reaching_before_the_output_is_refused)
{
    uint8_t b[sizeof base];
    memcpy(b, base, sizeof b);
    b[9] = 9;
    CHECK_EQ(dec(b, sizeof b, 21), LZ4_E_OFFSET);
    b[9] = 0xFF, b[10] = 0xFF;
    CHECK_EQ(dec(b, sizeof b, 21), LZ4_E_OFFSET);
}

TEST(offset_1_repeats_the_last_byte_forward)
{
    /* 1 literal, offset 1, match 4 + 15 + 6 = 25, 5 literals */
    static const uint8_t b[] = {0x1F, 'x', 0x01, 0x00, 6, 0x50, '1', '2', '3', '4', '5'};
    CHECK_EQ(dec(b, sizeof b, 31), LZ4_OK);
    for (int i = 0; i < 26; i++)
        CHECK_EQ(out[i], 'x');
    CHECK_MEM(out + 26, "12345", 5);
}

TEST(offset_2_repeats_a_pair_forward)
{
    /* 2 literals, offset 2, match 4 + 7 = 11, 5 literals */
    static const uint8_t b[] = {0x27, 'a', 'b', 0x02, 0x00, 0x50, '1', '2', '3', '4', '5'};
    CHECK_EQ(dec(b, sizeof b, 18), LZ4_OK);
    CHECK_MEM(out, "ababababababa12345", 18);
}

TEST(offset_65535_reaches_the_first_byte)
{
    /* 65535 literals (15 + 256 * 255 + 240), a match of 4 at offset 65535, 8 literals */
    size_t n = 0, lits = 65535;
    blk[n++] = 0xF0;
    for (size_t left = lits - 15; left >= 255; left -= 255)
        blk[n++] = 255;
    blk[n++] = (uint8_t)((lits - 15) % 255);
    gen_random(data, lits);
    memcpy(blk + n, data, lits);
    n += lits;
    blk[n++] = 0xFF, blk[n++] = 0xFF;
    memcpy(data + lits, data, 4);
    blk[n++] = 0x80;
    memcpy(blk + n, "12345678", 8);
    memcpy(data + lits + 4, "12345678", 8);
    n += 8;
    CHECK_EQ(dec(blk, n, lits + 12), LZ4_OK);
    CHECK_MEM(out, data, lits + 12);
}

/* ---- truncated input ---- */

TEST(input_ending_in_the_literal_length_bytes_is_refused)
{
    static const uint8_t b1[] = {0xF0}, b2[] = {0xF0, 0xFF, 0xFF};
    CHECK_EQ(dec(b1, sizeof b1, 1000), LZ4_E_TRUNCATED);
    CHECK_EQ(dec(b2, sizeof b2, 1000), LZ4_E_TRUNCATED);
}

TEST(input_ending_in_the_literals_is_refused)
{
    CHECK_EQ(dec(hello, 3, 5), LZ4_E_TRUNCATED);
    CHECK_EQ(dec(hello, 1, 5), LZ4_E_TRUNCATED);
}

TEST(input_ending_in_the_offset_is_refused)
{
    CHECK_EQ(dec(base, 10, 21), LZ4_E_TRUNCATED);
}

TEST(input_ending_in_the_match_length_bytes_is_refused)
{
    uint8_t b[] = {0x8F, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x08, 0x00, 0xFF, 0xFF};
    CHECK_EQ(dec(b, 11, 1000), LZ4_E_TRUNCATED);
    CHECK_EQ(dec(b, sizeof b, 1000), LZ4_E_TRUNCATED);
}

TEST(input_ending_after_a_match_is_refused)
{
    CHECK_EQ(dec(base, 11, 21), LZ4_E_TRUNCATED); /* the last sequence is missing */
    CHECK_EQ(dec(base, 11, 16), LZ4_E_END);       /* and a match cannot end a block */
}

TEST(input_ending_after_literals_that_fall_short_is_refused)
{
    CHECK_EQ(dec(base, 9, 21), LZ4_E_SHORT);
}

/* ---- lengths ---- */

TEST(literal_length_run_past_the_output_size_is_refused)
{
    uint8_t b[2000];
    b[0] = 0xF0;
    memset(b + 1, 0xFF, sizeof b - 1);
    CHECK_EQ(dec(b, sizeof b, 4096), LZ4_E_LONG);
    CHECK_EQ(dec(b, 3, 64), LZ4_E_LONG);
    CHECK_EQ(dec(b, 1, 14), LZ4_E_LONG); /* 15 already too long, before any length byte */
}

TEST(match_length_run_past_the_output_size_is_refused)
{
    uint8_t b[2000] = {0x8F, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x08, 0x00};
    memset(b + 11, 0xFF, sizeof b - 11);
    CHECK_EQ(dec(b, sizeof b, 4096), LZ4_E_LONG);
    CHECK_EQ(dec(b, 11 + 3, 300), LZ4_E_LONG); /* refused before the input runs out */
}

TEST(literal_length_bytes_add_up)
{
    /* 15 + 255 + 0 = 270 literals: a 255 byte continues, the 0 ends the run */
    static uint8_t b[3 + 270] = {0xF0, 0xFF, 0x00};
    gen_random(b + 3, 270);
    CHECK_EQ(dec(b, sizeof b, 270), LZ4_OK);
    CHECK_MEM(out, b + 3, 270);
}

/* ---- end of block ---- */

TEST(trailing_bytes_after_the_last_sequence_are_refused)
{
    uint8_t b[sizeof base + 1];
    memcpy(b, base, sizeof base);
    b[sizeof base] = 0x00;
    CHECK_EQ(dec(b, sizeof b, 21), LZ4_E_TRAILING);
    static const uint8_t h[] = {0x50, 'h', 'e', 'l', 'l', 'o', 0x00};
    CHECK_EQ(dec(h, sizeof h, 5), LZ4_E_TRAILING);
}

TEST(match_starting_exactly_12_and_ending_exactly_5_before_the_end_is_accepted)
{
    /* 8 literals, match of 7 at offset 8 (starts at 8 of 20), 5 literals */
    static const uint8_t b[] = {0x83, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x08, 0x00,
                                0x50, 'A', 'B', 'C', 'D', 'E'};
    CHECK_EQ(dec(b, sizeof b, 20), LZ4_OK);
    CHECK_MEM(out, "abcdefghabcdefgABCDE", 20);
    CHECK_EQ(LZ4_decompress_safe((const char *)b, (char *)data, sizeof b, 20), 20);
}

TEST(match_starting_in_the_last_12_bytes_is_refused)
{
    /* 8 literals, match of 4 (starts at 8 of 17), 5 literals */
    static const uint8_t b[] = {0x80, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x08, 0x00,
                                0x50, 'A', 'B', 'C', 'D', 'E'};
    CHECK_EQ(dec(b, sizeof b, 17), LZ4_E_END);
    CHECK(LZ4_decompress_safe((const char *)b, (char *)data, sizeof b, 17) < 0); /* liblz4 too */
}

TEST(match_ending_in_the_last_5_bytes_is_refused)
{
    /* 8 literals, match of 8 (starts at 8 of 20, ends 4 before the end), 4 literals */
    static const uint8_t b[] = {0x84, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x08, 0x00,
                                0x40, 'A', 'B', 'C', 'D'};
    CHECK_EQ(dec(b, sizeof b, 20), LZ4_E_END);
}

TEST(match_ending_the_block_is_refused)
{
    /* 14 literals, a match of 18 at offset 14 ending the output, an empty last sequence: liblz4
     * 1.9.4 accepts this one (its 32-byte shortcut skips the check); we keep the rule. */
    uint8_t b[1 + 14 + 2 + 1] = {0xEE};
    gen_random(b + 1, 14);
    b[15] = 14;
    CHECK_EQ(dec(b, sizeof b, 32), LZ4_E_END);
    CHECK_EQ(dec(b, sizeof b - 1, 32), LZ4_E_END);
}

TEST(last_token_announcing_a_match_is_refused)
{
    static const uint8_t h[] = {0x55, 'h', 'e', 'l', 'l', 'o'}, empty[] = {0x05};
    CHECK_EQ(dec(h, sizeof h, 5), LZ4_E_END);
    CHECK_EQ(dec(empty, sizeof empty, 0), LZ4_E_END);
}

/* ---- mutations ---- */

static void mutate(uint8_t *b, size_t *n, size_t cap)
{
    static const uint8_t special[] = {0x00, 0xFF, 0x0F, 0xF0, 0x01, 0x10};
    for (unsigned k = 1 + rnd() % 3; k; k--) {
        size_t at = *n ? rnd() % *n : 0;
        switch (rnd() % 7) {
        case 0: if (*n) b[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
        case 1: if (*n) b[at] = (uint8_t)rnd(); break;
        case 2: if (*n) b[at] = special[rnd() % sizeof special]; break;
        case 3: *n = *n ? rnd() % *n : 0; break;
        case 4:
            if (*n < cap) {
                memmove(b + at + 1, b + at, *n - at);
                b[at] = (uint8_t)rnd();
                (*n)++;
            }
            break;
        case 5:
            if (*n) {
                memmove(b + at, b + at + 1, *n - at - 1);
                (*n)--;
            }
            break;
        default:
            for (unsigned j = rnd() % 4; j && *n < cap; j--)
                b[(*n)++] = (uint8_t)rnd();
        }
    }
}

/* Where the last token of a block liblz4 accepted starts (walked without our decoder), so the
 * report can tell a last token announcing a match from a match too near the end. */
static size_t last_token_at(const uint8_t *b, size_t n)
{
    size_t i = 0;
    for (;;) {
        size_t tok = i++, len = b[tok] >> 4;
        if (len == 15)
            do {
                if (i >= n)
                    return tok;
                len += b[i];
            } while (b[i++] == 255);
        i += len;
        if (i >= n)
            return tok;
        i += 2;
        if ((b[tok] & 15) == 15)
            while (i < n && b[i++] == 255)
                ;
        if (i >= n)
            return tok;
    }
}

/* Our decoder may refuse what liblz4 accepts only for the rules lz4.h documents as stricter
 * (offset 0, end of block); everything it accepts must be liblz4's exact output. */
TEST(mutated_blocks_stay_in_dst_and_decode_as_liblz4_does)
{
    enum { POOL = 64, ITERS = 300000, BMAX = 4200 };
    static uint8_t pool[POOL][BMAX], b[BMAX + 16], ref[4200];
    static size_t pool_len[POOL], pool_n[POOL];
    for (int i = 0; i < POOL; i++) {
        size_t n = i < 8 ? (size_t)i * 3 : 1 + rnd() % (i < 32 ? 200 : 4096);
        gens[i % N_GENS](data, n);
        int blen = compress((int)(rnd() % 3), 1 + (int)(rnd() % 12), data, n);
        CHECK(blen > 0 && blen <= BMAX);
        memcpy(pool[i], blk, (size_t)blen);
        pool_len[i] = (size_t)blen, pool_n[i] = n;
    }
    long accepted = 0, refused = 0, lib_only[8] = {0}, both_ok_differ = 0, last_token = 0;
    for (long it = 0; it < ITERS; it++) {
        int p = (int)(rnd() % POOL);
        size_t n = pool_len[p], dst_len = pool_n[p];
        memcpy(b, pool[p], n);
        mutate(b, &n, sizeof b);
        if (rnd() % 8 == 0) /* and sometimes the declared size */
            dst_len = rnd() % 2 && dst_len ? dst_len - 1 - rnd() % dst_len : dst_len + rnd() % 64;
        int rc = dec(b, n, dst_len);
        CHECK(rc != E_GUARD);
        memset(ref, 0, dst_len);
        int lib = LZ4_decompress_safe((const char *)b, (char *)ref, (int)n, (int)dst_len);
        if (rc == LZ4_OK) {
            accepted++;
            CHECK_EQ(lib, dst_len);
            if (memcmp(out, ref, dst_len) != 0)
                both_ok_differ++;
        } else {
            refused++;
            if (lib == (int)dst_len) {
                lib_only[-rc]++;
                if (rc == LZ4_E_END && (b[last_token_at(b, n)] & 15))
                    last_token++;
            }
        }
    }
    printf("  %d mutated blocks: %ld accepted (%ld differing from liblz4), %ld refused; liblz4 "
           "accepted %ld of those: offset 0 %ld, end of block %ld (a match too near the end %ld, "
           "a last token announcing a match %ld), other %ld\n",
           ITERS, accepted, both_ok_differ, refused,
           lib_only[1] + lib_only[2] + lib_only[3] + lib_only[4] + lib_only[5] + lib_only[6],
           lib_only[-LZ4_E_OFFSET], lib_only[-LZ4_E_END], lib_only[-LZ4_E_END] - last_token,
           last_token,
           lib_only[-LZ4_E_TRUNCATED] + lib_only[-LZ4_E_SHORT] + lib_only[-LZ4_E_LONG] +
               lib_only[-LZ4_E_TRAILING]);
    CHECK_EQ(both_ok_differ, 0);
    CHECK_EQ(lib_only[-LZ4_E_TRUNCATED] + lib_only[-LZ4_E_SHORT] + lib_only[-LZ4_E_LONG] +
                 lib_only[-LZ4_E_TRAILING],
             0);
    CHECK(accepted > ITERS / 100); /* the mutations leave enough valid blocks to compare */
}

int main(void)
{
    RUN(empty_data_round_trips_as_a_single_zero_token);
    RUN(every_single_byte_value_round_trips);
    RUN(zero_kilobyte_round_trips_through_an_overlapping_match);
    RUN(incompressible_random_data_round_trips);
    RUN(text_round_trips);
    RUN(firmware_like_data_round_trips);
    RUN(matches_at_every_distance_round_trip);
    RUN(every_size_from_1_to_4096_round_trips);
    RUN(build_outputs_round_trip_page_by_page);
    RUN(literals_only_block_decodes);
    RUN(declared_size_longer_than_the_output_is_refused);
    RUN(declared_size_shorter_than_the_literals_is_refused);
    RUN(declared_size_shorter_than_the_output_is_refused_without_writing_past_dst);
    RUN(zero_token_decodes_to_nothing);
    RUN(empty_input_is_refused);
    RUN(match_copies_earlier_output);
    RUN(offset_zero_is_refused);
    RUN(offset_reaching_before_the_output_is_refused);
    RUN(offset_1_repeats_the_last_byte_forward);
    RUN(offset_2_repeats_a_pair_forward);
    RUN(offset_65535_reaches_the_first_byte);
    RUN(input_ending_in_the_literal_length_bytes_is_refused);
    RUN(input_ending_in_the_literals_is_refused);
    RUN(input_ending_in_the_offset_is_refused);
    RUN(input_ending_in_the_match_length_bytes_is_refused);
    RUN(input_ending_after_a_match_is_refused);
    RUN(input_ending_after_literals_that_fall_short_is_refused);
    RUN(literal_length_run_past_the_output_size_is_refused);
    RUN(match_length_run_past_the_output_size_is_refused);
    RUN(literal_length_bytes_add_up);
    RUN(trailing_bytes_after_the_last_sequence_are_refused);
    RUN(match_starting_exactly_12_and_ending_exactly_5_before_the_end_is_accepted);
    RUN(match_starting_in_the_last_12_bytes_is_refused);
    RUN(match_ending_in_the_last_5_bytes_is_refused);
    RUN(match_ending_the_block_is_refused);
    RUN(last_token_announcing_a_match_is_refused);
    RUN(mutated_blocks_stay_in_dst_and_decode_as_liblz4_does);
    return test_summary();
}
