/* Cost of the bootloader's signature check on the virtual board: DWT CYCCNT around SHA-512 and
 * Ed25519 verification of RFC 8032 TEST 1 and of a 48 KB message (streamed in 1 KB pieces, as
 * the bootloader streams header + image), plus the stack the verification used (painted first).
 * Prints "NAME VALUE" lines on USART1 for tests/crypto/bench_ed25519.sh; any wrong answer exits
 * with 16 + line (FW_CHECK). The board counts one cycle per instruction. */
#include <string.h>

#include "ed25519.h"
#include "fw.h"
#include "sha512.h"

#define DEMCR REG32(0xE000EDFC)
#define DWT_CTRL REG32(0xE0001000)
#define DWT_CYCCNT REG32(0xE0001004)

#define BIG_LEN (48u * 1024u)
#define PIECE 1024u
#define PAINT 0xA5A5A5A5u

extern uint32_t _ebss;

static const uint8_t rfc1_pk[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};
static const uint8_t rfc1_sig[64] = {
    0xe5, 0x56, 0x43, 0x00, 0xc3, 0x60, 0xac, 0x72, 0x90, 0x86, 0xe2, 0xcc, 0x80, 0x6e, 0x82, 0x8a,
    0x84, 0x87, 0x7f, 0x1e, 0xb8, 0xe5, 0xd9, 0x74, 0xd8, 0x73, 0xe0, 0x65, 0x22, 0x49, 0x01, 0x55,
    0x5f, 0xb8, 0x82, 0x15, 0x90, 0xa3, 0x3b, 0xac, 0xc6, 0x1e, 0x39, 0x70, 0x1c, 0xf9, 0xb4, 0x6b,
    0xd2, 0x5b, 0xf5, 0xf0, 0x59, 0x5b, 0xbe, 0x24, 0x65, 0x51, 0x41, 0x43, 0x8e, 0x7a, 0x10, 0x0b};
/* RFC 8032 TEST 1's key signing the 48 KB message of big_piece() (OpenSSL: openssl pkeyutl
 * -sign -rawin; bench_ed25519.sh re-creates it to check). */
static const uint8_t big_sig[64] = {
    0x63, 0x44, 0xe6, 0xc2, 0x85, 0x50, 0xe8, 0x2c, 0x0b, 0x3e, 0xcd, 0xe0, 0x9a, 0x1d, 0x01, 0xa0,
    0x65, 0x2d, 0x12, 0xb7, 0x99, 0xe1, 0x2b, 0xc2, 0xf4, 0xcc, 0x21, 0x9d, 0x7d, 0xe3, 0x97, 0x75,
    0xca, 0xf9, 0xcf, 0x83, 0x46, 0xf4, 0xeb, 0x8e, 0x43, 0x99, 0x2a, 0x55, 0x77, 0x40, 0x61, 0xec,
    0x67, 0x65, 0x3f, 0x3a, 0xdb, 0x1a, 0xcc, 0xe7, 0x42, 0xe4, 0x73, 0x09, 0xa7, 0x65, 0x5b, 0x0b};
/* SHA-512 of the 48 KB message, first 8 bytes */
static const uint8_t big_sha_head[8] = {0x71, 0xb4, 0x10, 0x5e, 0xe0, 0xae, 0xff, 0x90};
/* SHA-512("abc"), first 8 bytes */
static const uint8_t abc_sha_head[8] = {0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba};

static uint8_t piece[PIECE];

/* Bytes at..at+PIECE of the message: byte i is the top byte of i * 2654435761 (mod 2^32). */
static void big_piece(uint32_t at)
{
    for (uint32_t i = 0; i < PIECE; i++)
        piece[i] = (uint8_t)(((at + i) * 2654435761u) >> 24);
}

static void report(const char *name, uint32_t v)
{
    fw_puts(name);
    fw_putc(' ');
    fw_putdec(v);
    fw_puts("\r\n");
}

/* Paints the free stack below this function's frame; stack_used() finds the deepest word
 * written since. Addresses are compared as numbers: these are different objects. */
static void __attribute__((noinline)) stack_paint(void)
{
    uintptr_t end = (uintptr_t)__builtin_frame_address(0) - 64;
    for (uintptr_t p = (uintptr_t)&_ebss; p < end; p += 4)
        *(volatile uint32_t *)p = PAINT;
}

/* Bytes between top (a local of the caller) and the deepest word no longer painted. */
static uint32_t stack_used(const void *top)
{
    uintptr_t p = (uintptr_t)&_ebss;
    while (p < (uintptr_t)top && *(volatile uint32_t *)p == PAINT)
        p += 4;
    return (uint32_t)((uintptr_t)top - p);
}

/* DWT cycles over a loop of 2 * n instructions (subs, bne): the board's count should be 2n. */
static uint32_t calibrate(uint32_t n)
{
    uint32_t t0, t1;
    __asm__ volatile("ldr %0, [%3]\n"
                     "1: subs %1, #1\n"
                     "bne 1b\n"
                     "ldr %2, [%3]\n"
                     : "=&r"(t0), "+r"(n), "=&r"(t1)
                     : "r"(&DWT_CYCCNT)
                     : "cc", "memory");
    return t1 - t0;
}

int main(void)
{
    struct sha512_ctx sc;
    struct ed25519_ctx ec;
    uint8_t d[64];
    uint32_t t0, upd = 0;
    fw_uart_init();
    DEMCR |= 1u << 24; /* TRCENA */
    DWT_CTRL = 1;      /* CYCCNTENA */
    report("calibration_20000_instructions_cycles", calibrate(10000));

    t0 = DWT_CYCCNT;
    sha512("abc", 3, d);
    report("sha512_abc_cycles", DWT_CYCCNT - t0);
    FW_CHECK(memcmp(d, abc_sha_head, 8) == 0);

    sha512_init(&sc);
    for (uint32_t at = 0; at < BIG_LEN; at += PIECE) {
        big_piece(at);
        t0 = DWT_CYCCNT;
        sha512_update(&sc, piece, PIECE);
        upd += DWT_CYCCNT - t0;
    }
    t0 = DWT_CYCCNT;
    sha512_final(&sc, d);
    report("sha512_48k_cycles", upd + (DWT_CYCCNT - t0));
    FW_CHECK(memcmp(d, big_sha_head, 8) == 0);

    /* one call, with the stack painted around it */
    uint32_t top;
    stack_paint();
    t0 = DWT_CYCCNT;
    int rc = ed25519_verify(rfc1_sig, "", 0, rfc1_pk);
    uint32_t cycles = DWT_CYCCNT - t0;
    report("verify_rfc1_stack_bytes", stack_used(&top));
    report("verify_rfc1_cycles", cycles);
    FW_CHECK(rc == ED25519_OK);

    /* streamed: init, 48 pieces, final */
    t0 = DWT_CYCCNT;
    rc = ed25519_verify_init(&ec, big_sig, rfc1_pk);
    uint32_t init = DWT_CYCCNT - t0;
    FW_CHECK(rc == ED25519_OK);
    upd = 0;
    for (uint32_t at = 0; at < BIG_LEN; at += PIECE) {
        big_piece(at);
        if (at == 0)
            stack_paint();
        t0 = DWT_CYCCNT;
        ed25519_verify_update(&ec, piece, PIECE);
        upd += DWT_CYCCNT - t0;
        if (at == 0)
            report("verify_update_stack_bytes", stack_used(&top));
    }
    stack_paint();
    t0 = DWT_CYCCNT;
    rc = ed25519_verify_final(&ec);
    uint32_t fin = DWT_CYCCNT - t0;
    report("verify_final_stack_bytes", stack_used(&top));
    FW_CHECK(rc == ED25519_OK);
    report("verify_48k_init_cycles", init);
    report("verify_48k_update_cycles", upd);
    report("verify_48k_final_cycles", fin);
    report("verify_48k_cycles", init + upd + fin);

    /* a corrupted image must fail, and cost no more */
    rc = ed25519_verify_init(&ec, big_sig, rfc1_pk);
    for (uint32_t at = 0; at < BIG_LEN; at += PIECE) {
        big_piece(at);
        if (at == 16 * PIECE)
            piece[100] ^= 1;
        ed25519_verify_update(&ec, piece, PIECE);
    }
    FW_CHECK(ed25519_verify_final(&ec) == ED25519_ERR_MISMATCH);
    fw_puts("bench ok\r\n");
    return 0;
}
