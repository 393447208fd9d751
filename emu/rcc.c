/* RCC (RM0008 section 7.3): oscillators with start-up delays, clock switch, prescalers, clock
 * gates, peripheral resets, backup domain control and reset flags. */
#include <stdlib.h>

#include "periph.h"

#define RCC_BASE 0x40021000u

enum { CR = 0x00, CFGR = 0x04, CIR = 0x08, APB2RSTR = 0x0C, APB1RSTR = 0x10, AHBENR = 0x14,
       APB2ENR = 0x18, APB1ENR = 0x1C, BDCR = 0x20, CSR = 0x24 };

#define CR_HSION (1u << 0)
#define CR_HSIRDY (1u << 1)
#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_HSEBYP (1u << 18)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
#define CSR_LSION (1u << 0)
#define CSR_LSIRDY (1u << 1)
#define CSR_RMVF (1u << 24)
#define CSR_FLAGS 0xFC000000u
#define BDCR_LSEON (1u << 0)
#define BDCR_LSERDY (1u << 1)
#define BDCR_LSEBYP (1u << 2)
#define BDCR_RTCSEL (3u << 8)
#define BDCR_BDRST (1u << 16)
#define CFGR_PLLCFG (0xFu << 18 | 1u << 17 | 1u << 16) /* PLLMUL, PLLXTPRE, PLLSRC */

#define HSI_HZ 8000000u
#define HSE_HZ 8000000u
#define IRQ_RCC 5

/* Start-up times (datasheet typical/max, rounded): HSI 2 us, HSE crystal 500 us (bypass 1 us),
 * PLL lock 100 us, LSI 85 us, LSE 2 ms (a real 32 kHz crystal takes up to seconds). */
#define T_HSI 2000u
#define T_HSE 500000u
#define T_HSEBYP 1000u
#define T_PLL 100000u
#define T_LSI 85000u
#define T_LSE 2000000u

enum osc { HSI, HSE, PLL, LSI, LSE, NOSC };
/* CIR ready flags, in enum osc order */
static const uint32_t osc_rdyf[NOSC] = { 1u << 2, 1u << 3, 1u << 4, 1u << 0, 1u << 1 };

struct rcc {
    struct board *b;
    uint32_t cr, cfgr, cir, apb2rstr, apb1rstr, ahbenr, apb2enr, apb1enr, bdcr, csr;
    uint64_t rdy_at[NOSC]; /* when a starting oscillator becomes ready, UINT64_MAX if none */
    uint32_t next_cause;   /* CSR flag for the next system reset (IWDG), else software */
    bool irq;
};

static struct rcc *rcc_of(struct board *b)
{
    return board_models(b)->rcc;
}

static bool osc_ready(const struct rcc *r, enum osc o)
{
    switch (o) {
    case HSI: return r->cr & CR_HSIRDY;
    case HSE: return r->cr & CR_HSERDY;
    case PLL: return r->cr & CR_PLLRDY;
    case LSI: return r->csr & CSR_LSIRDY;
    default: return r->bdcr & BDCR_LSERDY;
    }
}

static void set_ready(struct rcc *r, enum osc o, bool on)
{
    uint32_t *reg = o <= PLL ? &r->cr : o == LSI ? &r->csr : &r->bdcr;
    uint32_t bit = o == HSI ? CR_HSIRDY : o == HSE ? CR_HSERDY : o == PLL ? CR_PLLRDY
                 : o == LSI ? CSR_LSIRDY : BDCR_LSERDY;
    if (on && !(*reg & bit) && (r->cir & (osc_rdyf[o] << 8)))
        r->cir |= osc_rdyf[o];
    *reg = on ? *reg | bit : *reg & ~bit;
}

static void update_irq(struct rcc *r)
{
    bool level = (r->cir & 0x1Fu) & ((r->cir >> 8) & 0x1Fu);
    if (level != r->irq) {
        r->irq = level;
        board_irq(r->b, IRQ_RCC, level);
    }
}

/* SW takes effect once the selected source is ready (RM0008: "the switch occurs when the clock
 * source is ready"). */
static void try_switch(struct rcc *r)
{
    uint32_t sw = r->cfgr & 3u;
    if (sw == 3u || sw == ((r->cfgr >> 2) & 3u))
        return;
    if (osc_ready(r, (enum osc)sw))
        r->cfgr = (r->cfgr & ~0xCu) | (sw << 2);
}

static void start_osc(struct rcc *r, enum osc o, bool on, uint64_t delay)
{
    if (on) {
        if (!osc_ready(r, o) && r->rdy_at[o] == UINT64_MAX)
            r->rdy_at[o] = board_now_ns(r->b) + delay;
    } else {
        r->rdy_at[o] = UINT64_MAX;
        set_ready(r, o, false);
    }
}

static uint64_t sync(struct rcc *r, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    for (int o = 0; o < NOSC; o++) {
        if (r->rdy_at[o] <= now) {
            r->rdy_at[o] = UINT64_MAX;
            set_ready(r, (enum osc)o, true);
        }
        if (r->rdy_at[o] < next)
            next = r->rdy_at[o];
    }
    try_switch(r);
    update_irq(r);
    return next;
}

static unsigned sysclk_source(const struct rcc *r)
{
    return (r->cfgr >> 2) & 3u;
}

static void write_cr(struct rcc *r, uint32_t v)
{
    unsigned sws = sysclk_source(r);
    uint32_t old = r->cr;
    /* An oscillator feeding SYSCLK (directly or through the PLL) cannot be switched off. */
    bool pll_from_hse = r->cfgr & (1u << 16);
    if (sws == 0 || (sws == 2 && !pll_from_hse))
        v |= CR_HSION;
    if (sws == 1 || (sws == 2 && pll_from_hse))
        v |= CR_HSEON;
    if (sws == 2)
        v |= CR_PLLON;
    if (old & CR_HSEON) /* HSEBYP is writable only while HSE is off */
        v = (v & ~CR_HSEBYP) | (old & CR_HSEBYP);
    r->cr = (old & (CR_HSIRDY | CR_HSERDY | CR_PLLRDY | 0xFF00u)) | (v & 0x010D00F9u);
    start_osc(r, HSI, r->cr & CR_HSION, T_HSI);
    start_osc(r, HSE, r->cr & CR_HSEON, (r->cr & CR_HSEBYP) ? T_HSEBYP : T_HSE);
    /* The PLL locks only when its input is running. */
    enum osc in = (r->cfgr & (1u << 16)) ? HSE : HSI;
    bool in_on = in == HSE ? (r->cr & CR_HSEON) : (r->cr & CR_HSION);
    uint64_t now = board_now_ns(r->b);
    uint64_t in_wait = r->rdy_at[in] == UINT64_MAX ? 0 : r->rdy_at[in] - now;
    start_osc(r, PLL, (r->cr & CR_PLLON) && in_on, in_wait + T_PLL);
}

static void write_cfgr(struct rcc *r, uint32_t v)
{
    if ((r->cr & CR_PLLON) && ((v ^ r->cfgr) & CFGR_PLLCFG)) {
        board_log(r->b, 1, "RCC: PLL configuration written while the PLL is on (ignored, as RM0008 "
                  "requires the PLL off) pc=0x%08x", board_pc(r->b));
        v = (v & ~CFGR_PLLCFG) | (r->cfgr & CFGR_PLLCFG);
    }
    r->cfgr = (r->cfgr & 0xCu) | (v & 0x077FFFF3u);
    try_switch(r);
}

static void peripheral_resets(struct rcc *r, uint32_t apb2_set, uint32_t apb1_set)
{
    if (apb2_set & (1u << 0))
        gpio_rcc_reset(r->b, -1);
    for (int p = 0; p < 3; p++)
        if (apb2_set & (1u << (2 + p)))
            gpio_rcc_reset(r->b, p);
    if (apb2_set & (1u << 14))
        usart_rcc_reset(r->b);
    if (apb1_set & (1u << 28))
        pwr_rcc_reset(r->b);
    /* BKPRST resets the backup interface only: the backup data survive (BDRST clears them). */
}

static bool rcc_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct rcc *r = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > CSR)
        return false;
    sync(r, board_now_ns(r->b));
    static const size_t idx[] = { offsetof(struct rcc, cr), offsetof(struct rcc, cfgr),
        offsetof(struct rcc, cir), offsetof(struct rcc, apb2rstr), offsetof(struct rcc, apb1rstr),
        offsetof(struct rcc, ahbenr), offsetof(struct rcc, apb2enr), offsetof(struct rcc, apb1enr),
        offsetof(struct rcc, bdcr), offsetof(struct rcc, csr) };
    *val = (*(uint32_t *)((char *)r + idx[w / 4]) >> sh) & (lane_mask(size, 0));
    return true;
}

static bool rcc_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct rcc *r = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > CSR)
        return false;
    sync(r, board_now_ns(r->b));
    uint32_t lanes = lane_mask(size, sh), v = val << sh;
    switch (w) {
    case CR: write_cr(r, reg_merge(r->cr, v, lanes, 0xFFFFFFFFu)); break;
    case CFGR: write_cfgr(r, reg_merge(r->cfgr, v, lanes, 0xFFFFFFFFu)); break;
    case CIR: {
        uint32_t m = reg_merge(0, v, lanes, 0xFFFFFFFFu);
        r->cir = (r->cir & ~0x1F00u) | (m & 0x1F00u);  /* RDYIE bits */
        r->cir &= ~((m >> 16) & 0x9Fu);                 /* xxRDYC and CSSC clear the flags */
        break;
    }
    case APB2RSTR: {
        uint32_t n = reg_merge(r->apb2rstr, v, lanes, 0x0038FFFDu);
        uint32_t set = n & ~r->apb2rstr;
        r->apb2rstr = n;
        peripheral_resets(r, set, 0);
        break;
    }
    case APB1RSTR: {
        uint32_t n = reg_merge(r->apb1rstr, v, lanes, 0x3AFEC9FFu);
        uint32_t set = n & ~r->apb1rstr;
        r->apb1rstr = n;
        peripheral_resets(r, 0, set);
        break;
    }
    case AHBENR: r->ahbenr = reg_merge(r->ahbenr, v, lanes, 0x557u); break;
    case APB2ENR: r->apb2enr = reg_merge(r->apb2enr, v, lanes, 0x0038FFFDu); break;
    case APB1ENR: r->apb1enr = reg_merge(r->apb1enr, v, lanes, 0x3AFEC9FFu); break;
    case BDCR: {
        uint32_t n = reg_merge(r->bdcr, v, lanes, 0xFFFFFFFFu);
        if (!bkp_backup_writable(r->b))
            break; /* backup domain: write-protected until PWR_CR.DBP = 1 */
        if (n & BDCR_BDRST) {
            bkp_backup_domain_reset(r->b);
            r->bdcr = BDCR_BDRST;
            r->rdy_at[LSE] = UINT64_MAX;
            break;
        }
        if (r->bdcr & BDCR_RTCSEL) /* RTCSEL is set once until a backup domain reset */
            n = (n & ~BDCR_RTCSEL) | (r->bdcr & BDCR_RTCSEL);
        if (r->bdcr & BDCR_LSEON)
            n = (n & ~BDCR_LSEBYP) | (r->bdcr & BDCR_LSEBYP);
        r->bdcr = (r->bdcr & BDCR_LSERDY) | (n & 0x00018305u);
        start_osc(r, LSE, r->bdcr & BDCR_LSEON, (r->bdcr & BDCR_LSEBYP) ? T_HSEBYP : T_LSE);
        break;
    }
    case CSR: {
        uint32_t n = reg_merge(r->csr, v, lanes, 0xFFFFFFFFu);
        if (n & CSR_RMVF)
            r->csr &= ~CSR_FLAGS;
        r->csr = (r->csr & ~CSR_LSION) | (n & CSR_LSION);
        start_osc(r, LSI, r->csr & CSR_LSION, T_LSI);
        break;
    }
    default: return false; /* 0x28 AHBRSTR / 0x2C CFGR2 exist on connectivity line only */
    }
    sync(r, board_now_ns(r->b));
    return true;
}

static void rcc_reset(void *ctx, enum reset_kind kind)
{
    struct rcc *r = ctx;
    uint32_t flags = r->csr & CSR_FLAGS;
    r->cr = 0x00000083u; /* HSION, HSIRDY, HSITRIM = 16 */
    r->cfgr = r->cir = r->apb2rstr = r->apb1rstr = r->apb2enr = r->apb1enr = 0;
    r->ahbenr = 0x14u; /* SRAMEN, FLITFEN */
    for (int o = 0; o < NOSC; o++)
        if (o != LSE)
            r->rdy_at[o] = UINT64_MAX;
    if (kind == RESET_POWER) {
        r->bdcr = 0;
        r->rdy_at[LSE] = UINT64_MAX;
        r->csr = RCC_CSR_PORRSTF | RCC_CSR_PINRSTF;
    } else {
        /* A system reset also drives NRST low, so PINRSTF comes with its cause. */
        r->csr = flags | RCC_CSR_PINRSTF | (r->next_cause ? r->next_cause : RCC_CSR_SFTRSTF);
    }
    r->next_cause = 0;
    if (r->irq) {
        r->irq = false;
        board_irq(r->b, IRQ_RCC, false);
    }
}

static uint64_t rcc_advance(void *ctx, uint64_t now)
{
    return sync(ctx, now);
}

static void rcc_destroy(void *ctx)
{
    free(ctx);
}

void rcc_attach(struct board *b)
{
    struct rcc *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->b = b;
    board_models(b)->rcc = r;
    for (int o = 0; o < NOSC; o++)
        r->rdy_at[o] = UINT64_MAX;
    rcc_reset(r, RESET_POWER);
    struct periph p = { .name = "RCC", .base = RCC_BASE, .size = 0x400, .ctx = r,
                        .read = rcc_read, .write = rcc_write, .reset = rcc_reset,
                        .advance = rcc_advance, .destroy = rcc_destroy };
    board_add_periph(b, &p);
}

void rcc_note_reset_cause(struct board *b, uint32_t csr_flag)
{
    struct rcc *r = rcc_of(b);
    if (r)
        r->next_cause = csr_flag;
}

static uint32_t pll_hz(const struct rcc *r)
{
    uint32_t in = (r->cfgr & (1u << 16)) ? ((r->cfgr & (1u << 17)) ? HSE_HZ / 2 : HSE_HZ)
                                          : HSI_HZ / 2;
    uint32_t mul = ((r->cfgr >> 18) & 0xFu) + 2u;
    return in * (mul > 16u ? 16u : mul);
}

uint32_t rcc_clock_hz(struct board *b, enum clk which)
{
    struct rcc *r = rcc_of(b);
    if (!r)
        return HSI_HZ;
    sync(r, board_now_ns(b));
    unsigned sws = sysclk_source(r);
    uint32_t sys = sws == 1 ? HSE_HZ : sws == 2 ? pll_hz(r) : HSI_HZ;
    if (which == CLK_SYSCLK)
        return sys;
    static const unsigned hdiv[8] = { 2, 4, 8, 16, 64, 128, 256, 512 };
    unsigned hpre = (r->cfgr >> 4) & 0xFu;
    uint32_t hclk = hpre & 8u ? sys / hdiv[hpre & 7u] : sys;
    if (which == CLK_HCLK)
        return hclk;
    unsigned ppre = which == CLK_PCLK1 ? (r->cfgr >> 8) & 7u : (r->cfgr >> 11) & 7u;
    return ppre & 4u ? hclk >> ((ppre & 3u) + 1u) : hclk;
}

bool rcc_clock_enabled(struct board *b, uint32_t enr_offset, unsigned bit)
{
    struct rcc *r = rcc_of(b);
    if (!r)
        return true;
    uint32_t v = enr_offset == AHBENR ? r->ahbenr : enr_offset == APB2ENR ? r->apb2enr
               : enr_offset == APB1ENR ? r->apb1enr : 0;
    return (v >> bit) & 1u;
}
