/* PWR (RM0008 section 5.4) and BKP (section 6): the part's 16-bit data registers (DR1..DR10
 * at 0x04..0x28 on every part, DR11..DR42 at 0x40..0xBC on high/XL density and connectivity
 * line), RTC calibration, tamper control. The backup domain survives system resets and is
 * cleared by a power-on reset or RCC_BDCR.BDRST; it is written only with PWR_CR.DBP = 1 (which
 * needs the PWR clock) and the BKP clock on. */
#include <stdlib.h>
#include <string.h>

#include "periph.h"

#define PWR_BASE 0x40007000u
#define BKP_BASE 0x40006C00u
#define NDR 42

#define PWR_CR_CWUF (1u << 2)
#define PWR_CR_CSBF (1u << 3)
#define PWR_CR_DBP (1u << 8)

struct bkp {
    struct board *b;
    unsigned ndr; /* the part's data registers: 10 or 42 */
    uint32_t pwr_cr, pwr_csr;
    uint16_t dr[NDR];
    uint32_t rtccr, cr, csr;
};

static struct bkp *bkp_of(struct board *b)
{
    return board_models(b)->bkp;
}

static bool pwr_clock(const struct bkp *k)
{
    return rcc_clock_enabled(k->b, RCC_APB1ENR, RCC_APB1_PWR);
}

static bool bkp_clock(const struct bkp *k)
{
    return rcc_clock_enabled(k->b, RCC_APB1ENR, RCC_APB1_BKP);
}

static bool pwr_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct bkp *k = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > 4u)
        return false;
    uint32_t v = !pwr_clock(k) ? 0 : w == 0 ? k->pwr_cr : k->pwr_csr;
    *val = (v >> sh) & lane_mask(size, 0);
    return true;
}

static bool pwr_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct bkp *k = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > 4u)
        return false;
    if (!pwr_clock(k))
        return true;
    uint32_t lanes = lane_mask(size, sh), v = val << sh;
    if (w == 0) {
        uint32_t n = reg_merge(k->pwr_cr, v, lanes, 0x1FFu);
        if (n & PWR_CR_CWUF)
            k->pwr_csr &= ~1u; /* WUF */
        if (n & PWR_CR_CSBF)
            k->pwr_csr &= ~2u; /* SBF */
        k->pwr_cr = n & ~(PWR_CR_CWUF | PWR_CR_CSBF); /* these read as 0 */
    } else {
        k->pwr_csr = reg_merge(k->pwr_csr, v, lanes, 1u << 8); /* EWUP; PVDO stays 0: VDD is fine */
    }
    return true;
}

static void pwr_reset(void *ctx, enum reset_kind kind)
{
    struct bkp *k = ctx;
    (void)kind;
    k->pwr_cr = 0;
    k->pwr_csr = 0;
}

/* The data register at word offset w: DR1..10 at 0x04..0x28, DR11..42 at 0x40..0xBC; -1 for
 * none (0x00 and 0x38..0x3C are reserved). */
static int dr_index(const struct bkp *k, uint32_t w)
{
    int i = w >= 0x04u && w <= 0x28u ? (int)(w / 4u) - 1 : w >= 0x40u ? (int)(w - 0x40u) / 4 + 10 : -1;
    return i < (int)k->ndr ? i : -1;
}

static bool bkp_reg(const struct bkp *k, uint32_t w)
{
    return dr_index(k, w) >= 0 || (w >= 0x2Cu && w <= 0x34u);
}

static bool bkp_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct bkp *k = ctx;
    uint32_t w, v;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || !bkp_reg(k, w))
        return false;
    if (!bkp_clock(k)) {
        *val = 0;
        return true;
    }
    if (dr_index(k, w) >= 0)
        v = k->dr[dr_index(k, w)];
    else
        v = w == 0x2Cu ? k->rtccr : w == 0x30u ? k->cr : k->csr;
    *val = (v >> sh) & lane_mask(size, 0);
    return true;
}

static bool bkp_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct bkp *k = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || !bkp_reg(k, w))
        return false;
    if (!bkp_clock(k) || !(k->pwr_cr & PWR_CR_DBP)) {
        board_log(k->b, 2, "BKP: write to 0x%03x ignored (DBP = 0 or clock off) pc=0x%08x", w,
                  board_pc(k->b));
        return true;
    }
    uint32_t lanes = lane_mask(size, sh), v = val << sh;
    int i = dr_index(k, w);
    if (i >= 0) {
        k->dr[i] = (uint16_t)reg_merge(k->dr[i], v, lanes, 0xFFFFu);
    } else if (w == 0x2Cu) {
        k->rtccr = reg_merge(k->rtccr, v, lanes, 0x3FFu);
    } else if (w == 0x30u) {
        k->cr = reg_merge(k->cr, v, lanes, 3u);
    } else {
        uint32_t n = reg_merge(k->csr, v, lanes, 0xFFFFFFFFu);
        if (n & 1u)
            k->csr &= ~(1u << 8); /* CTE clears TEF */
        if (n & 2u)
            k->csr &= ~(1u << 9); /* CTI clears TIF */
        k->csr = (k->csr & ~4u) | (n & 4u); /* TPIE */
    }
    return true;
}

static void backup_clear(struct bkp *k)
{
    memset(k->dr, 0, sizeof k->dr);
    k->rtccr = k->cr = k->csr = 0;
}

static void bkp_reset(void *ctx, enum reset_kind kind)
{
    if (kind == RESET_POWER)
        backup_clear(ctx);
}

static void bkp_destroy(void *ctx)
{
    free(ctx);
}

void bkp_attach(struct board *b)
{
    struct bkp *k = calloc(1, sizeof *k);
    if (!k)
        abort();
    k->b = b;
    k->ndr = board_part(b)->bkp_dr <= NDR ? board_part(b)->bkp_dr : NDR;
    board_models(b)->bkp = k;
    struct periph pwr = { .name = "PWR", .base = PWR_BASE, .size = 0x400, .ctx = k,
                          .read = pwr_read, .write = pwr_write, .reset = pwr_reset };
    struct periph bkp = { .name = "BKP", .base = BKP_BASE, .size = 0x400, .ctx = k,
                          .read = bkp_read, .write = bkp_write, .reset = bkp_reset,
                          .destroy = bkp_destroy };
    board_add_periph(b, &pwr);
    board_add_periph(b, &bkp);
}

bool bkp_backup_writable(struct board *b)
{
    struct bkp *k = bkp_of(b);
    return k && (k->pwr_cr & PWR_CR_DBP);
}

void pwr_rcc_reset(struct board *b)
{
    struct bkp *k = bkp_of(b);
    if (k)
        pwr_reset(k, RESET_SYSTEM);
}

void bkp_backup_domain_reset(struct board *b)
{
    struct bkp *k = bkp_of(b);
    if (k)
        backup_clear(k);
}
