/* CRC calculation unit (RM0008 section 4): CRC-32 with polynomial 0x04C11DB7 over 32-bit words,
 * MSB first, no reflection, no final XOR; CR.RESET reloads 0xFFFFFFFF. Only word writes to DR
 * are modelled: narrower ones stop the board loudly. One word takes 4 HCLK cycles (4.2) and "the
 * write operation is stalled until the end of the CRC computation" (4.3): the CPU's write to DR
 * costs those 4 cycles on top of its own (docs/EMULATOR.md, CRC: we chose no overlap). */
#include <stdlib.h>

#include "periph.h"

#define CRC_BASE 0x40023000u
#define CRC_HCLK_CYCLES 4u /* one word (RM0008 4.2) */

struct crcu {
    struct board *b;
    uint32_t dr, idr;
};

static uint32_t crc_word(uint32_t crc, uint32_t w)
{
    crc ^= w;
    for (int i = 0; i < 32; i++)
        crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    return crc;
}

static bool clock_on(const struct crcu *c)
{
    return rcc_clock_enabled(c->b, RCC_AHBENR, RCC_AHB_CRC);
}

/* The computation's 4 HCLK cycles in the core's SYSCLK cycles (the AHB prescaler), rounded up. */
static uint32_t word_cycles(const struct crcu *c)
{
    uint64_t sys = rcc_clock_hz(c->b, CLK_SYSCLK), hclk = rcc_clock_hz(c->b, CLK_HCLK);
    if (!hclk || !sys)
        return CRC_HCLK_CYCLES;
    return (uint32_t)((CRC_HCLK_CYCLES * sys + hclk - 1u) / hclk);
}

static bool crc_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct crcu *c = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > 8u)
        return false;
    uint32_t v = !clock_on(c) ? 0 : w == 0 ? c->dr : w == 4 ? c->idr : 0; /* CR reads 0 */
    *val = (v >> sh) & lane_mask(size, 0);
    return true;
}

static bool crc_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct crcu *c = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > 8u)
        return false;
    if (w == 0 && size != 4)
        return false;
    if (!clock_on(c))
        return true;
    uint32_t v = val << sh, lanes = lane_mask(size, sh);
    if (w == 0) {
        c->dr = crc_word(c->dr, val);
        board_stall(c->b, word_cycles(c));
    }
    else if (w == 4)
        c->idr = reg_merge(c->idr, v, lanes, 0xFFu);
    else if (v & lanes & 1u)
        c->dr = 0xFFFFFFFFu;
    return true;
}

static void crc_reset(void *ctx, enum reset_kind kind)
{
    struct crcu *c = ctx;
    (void)kind;
    c->dr = 0xFFFFFFFFu;
    c->idr = 0;
}

static void crc_destroy(void *ctx)
{
    free(ctx);
}

void crc_attach(struct board *b)
{
    struct crcu *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->b = b;
    board_models(b)->crc = c;
    crc_reset(c, RESET_POWER);
    struct periph p = { .name = "CRC", .base = CRC_BASE, .size = 0x400, .ctx = c,
                        .read = crc_read, .write = crc_write, .reset = crc_reset,
                        .destroy = crc_destroy, .writes_schedule_nothing = true };
    board_add_periph(b, &p);
}
