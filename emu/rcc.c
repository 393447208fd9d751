/* RCC (RM0008 sections 7.3 and 8.3): oscillators with start-up delays, clock switch, prescalers,
 * clock gates, peripheral resets, backup domain control and reset flags. The part says which
 * RCC it has: the F10x one, or the connectivity line's (PREDIV1/PREDIV2, PLL2 and PLL3 in
 * RCC_CFGR2, another PLLMUL encoding, RCC_AHBRSTR). */
#include <stdlib.h>

#include "periph.h"

#define RCC_BASE 0x40021000u

enum { CR = 0x00, CFGR = 0x04, CIR = 0x08, APB2RSTR = 0x0C, APB1RSTR = 0x10, AHBENR = 0x14,
       APB2ENR = 0x18, APB1ENR = 0x1C, BDCR = 0x20, CSR = 0x24, AHBRSTR = 0x28, CFGR2 = 0x2C };

#define CR_HSION (1u << 0)
#define CR_HSIRDY (1u << 1)
#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_HSEBYP (1u << 18)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
#define CR_PLL2ON (1u << 26)  /* connectivity line */
#define CR_PLL2RDY (1u << 27)
#define CR_PLL3ON (1u << 28)
#define CR_PLL3RDY (1u << 29)
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
#define CFGR_PLLSRC (1u << 16)
#define CFGR2_PREDIV1 0xFu         /* connectivity line RCC_CFGR2 */
#define CFGR2_PREDIV2 (0xFu << 4)
#define CFGR2_PLL2MUL (0xFu << 8)
#define CFGR2_PLL3MUL (0xFu << 12)
#define CFGR2_PREDIV1SRC (1u << 16)

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

enum osc { HSI, HSE, PLL, LSI, LSE, PLL2, PLL3, NOSC };
/* CIR ready flags, in enum osc order (PLL2, PLL3: connectivity line) */
static const uint32_t osc_rdyf[NOSC] = { 1u << 2, 1u << 3, 1u << 4, 1u << 0, 1u << 1,
                                         1u << 5, 1u << 6 };

struct rcc {
    struct board *b;
    bool cl; /* connectivity line RCC */
    uint32_t cr, cfgr, cir, apb2rstr, apb1rstr, ahbenr, apb2enr, apb1enr, bdcr, csr;
    uint32_t ahbrstr, cfgr2; /* connectivity line */
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
    case PLL2: return r->cr & CR_PLL2RDY;
    case PLL3: return r->cr & CR_PLL3RDY;
    case LSI: return r->csr & CSR_LSIRDY;
    default: return r->bdcr & BDCR_LSERDY;
    }
}

static void set_ready(struct rcc *r, enum osc o, bool on)
{
    uint32_t *reg = o == LSI ? &r->csr : o == LSE ? &r->bdcr : &r->cr;
    uint32_t bit = o == HSI ? CR_HSIRDY : o == HSE ? CR_HSERDY : o == PLL ? CR_PLLRDY
                 : o == PLL2 ? CR_PLL2RDY : o == PLL3 ? CR_PLL3RDY
                 : o == LSI ? CSR_LSIRDY : BDCR_LSERDY;
    if (on && !(*reg & bit) && (r->cir & (osc_rdyf[o] << 8)))
        r->cir |= osc_rdyf[o];
    *reg = on ? *reg | bit : *reg & ~bit;
}

static void update_irq(struct rcc *r)
{
    bool level = (r->cir & 0x7Fu) & ((r->cir >> 8) & 0x7Fu);
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

/* Multipliers of the connectivity line (RM0008 8.3.2, 8.3.12), x2 to show x6.5; 0 = reserved. */
static unsigned cl_pllmul_x2(uint32_t field)
{
    return field >= 2 && field <= 7 ? 2 * (field + 2) : field == 13 ? 13 : 0;
}

static unsigned cl_pll23mul(uint32_t field)
{
    return field >= 6 && field <= 12 ? field + 2 : field == 14 ? 16 : field == 15 ? 20 : 0;
}

/* The PLL's input oscillator: HSI (/2), else HSE, or on connectivity line PLL2 through PREDIV1
 * when PREDIV1SRC selects it. */
static enum osc pll_input(const struct rcc *r)
{
    if (!(r->cfgr & CFGR_PLLSRC))
        return HSI;
    return r->cl && (r->cfgr2 & CFGR2_PREDIV1SRC) ? PLL2 : HSE;
}

static bool osc_on(const struct rcc *r, enum osc o)
{
    switch (o) {
    case HSI: return r->cr & CR_HSION;
    case HSE: return r->cr & CR_HSEON;
    case PLL: return r->cr & CR_PLLON;
    case PLL2: return r->cr & CR_PLL2ON;
    case PLL3: return r->cr & CR_PLL3ON;
    case LSI: return r->csr & CSR_LSION;
    default: return r->bdcr & BDCR_LSEON;
    }
}

/* Time until oscillator o is ready: 0 when it is, UINT64_MAX when it is off. */
static uint64_t osc_wait(const struct rcc *r, enum osc o, uint64_t now)
{
    if (osc_ready(r, o))
        return 0;
    return r->rdy_at[o] == UINT64_MAX ? UINT64_MAX : r->rdy_at[o] - now;
}

/* A PLL locks T_PLL after its input runs; with the input off it does not lock. */
static void start_pll(struct rcc *r, enum osc pll, enum osc in, uint64_t now)
{
    uint64_t w = osc_wait(r, in, now);
    start_osc(r, pll, osc_on(r, pll) && w != UINT64_MAX, (w == UINT64_MAX ? 0 : w) + T_PLL);
}

/* Connectivity line: a PLL switched on with a reserved multiplier. RM0008 only says "reserved";
 * we chose to stop the board, as the frequency it would give is undefined. */
static bool cl_reserved_mul(struct rcc *r, uint32_t old_cr)
{
    static const struct { uint32_t on; const char *name; } pll[3] = {
        { CR_PLLON, "PLLMUL" }, { CR_PLL2ON, "PLL2MUL" }, { CR_PLL3ON, "PLL3MUL" } };
    unsigned field[3] = { (r->cfgr >> 18) & 0xFu, (r->cfgr2 >> 8) & 0xFu, (r->cfgr2 >> 12) & 0xFu };
    for (int i = 0; i < 3; i++) {
        bool ok = i == 0 ? cl_pllmul_x2(field[i]) != 0 : cl_pll23mul(field[i]) != 0;
        if ((r->cr & pll[i].on) && !(old_cr & pll[i].on) && !ok) {
            board_fault(r->b, "RCC: %s = 0x%x is reserved on the connectivity line (PLLMUL x4..x9 "
                        "or x6.5, PLL2MUL/PLL3MUL x8..x14, x16, x20), PC 0x%08x", pll[i].name,
                        field[i], board_pc(r->b));
            return true;
        }
    }
    return false;
}

static void write_cr(struct rcc *r, uint32_t v)
{
    unsigned sws = sysclk_source(r);
    uint32_t old = r->cr;
    /* An oscillator feeding SYSCLK (directly or through the PLL, PREDIV1 and PLL2) cannot be
     * switched off. */
    enum osc in = pll_input(r);
    if (sws == 0 || (sws == 2 && in == HSI))
        v |= CR_HSION;
    if (sws == 1 || (sws == 2 && in != HSI))
        v |= CR_HSEON;
    if (sws == 2)
        v |= CR_PLLON | (in == PLL2 ? CR_PLL2ON : 0u);
    if (old & CR_HSEON) /* HSEBYP is writable only while HSE is off */
        v = (v & ~CR_HSEBYP) | (old & CR_HSEBYP);
    uint32_t writable = 0x010D00F9u | (r->cl ? CR_PLL2ON | CR_PLL3ON : 0u);
    uint32_t status = CR_HSIRDY | CR_HSERDY | CR_PLLRDY | CR_PLL2RDY | CR_PLL3RDY | 0xFF00u;
    r->cr = (old & status) | (v & writable);
    if (r->cl && cl_reserved_mul(r, old))
        return;
    start_osc(r, HSI, r->cr & CR_HSION, T_HSI);
    start_osc(r, HSE, r->cr & CR_HSEON, (r->cr & CR_HSEBYP) ? T_HSEBYP : T_HSE);
    uint64_t now = board_now_ns(r->b);
    if (r->cl) { /* PLL2 and PLL3 run from HSE / PREDIV2 */
        start_pll(r, PLL2, HSE, now);
        start_pll(r, PLL3, HSE, now);
    }
    start_pll(r, PLL, in, now);
}

static void write_cfgr(struct rcc *r, uint32_t v)
{
    if ((r->cr & CR_PLLON) && ((v ^ r->cfgr) & CFGR_PLLCFG)) {
        board_log(r->b, 1, "RCC: PLL configuration written while the PLL is on (ignored, as RM0008 "
                  "requires the PLL off) pc=0x%08x", board_pc(r->b));
        v = (v & ~CFGR_PLLCFG) | (r->cfgr & CFGR_PLLCFG);
    }
    /* Connectivity line: MCO is 4 bits (27:24), PLLXTPRE is bit 0 of PREDIV1 (RCC_CFGR2). */
    r->cfgr = (r->cfgr & 0xCu) | (v & (r->cl ? 0x0F7FFFF3u : 0x077FFFF3u));
    if (r->cl && !(r->cr & CR_PLLON))
        r->cfgr2 = (r->cfgr2 & ~1u) | ((r->cfgr >> 17) & 1u);
    try_switch(r);
}

/* Connectivity line RCC_CFGR2: each field is writable only while the PLLs it feeds are off. */
static void write_cfgr2(struct rcc *r, uint32_t v)
{
    struct { uint32_t mask, on; } lock[] = {
        { CFGR2_PREDIV1 | CFGR2_PREDIV1SRC, CR_PLLON },
        { CFGR2_PREDIV2, CR_PLL2ON | CR_PLL3ON },
        { CFGR2_PLL2MUL, CR_PLL2ON },
        { CFGR2_PLL3MUL, CR_PLL3ON },
    };
    v &= 0x0007FFFFu;
    for (unsigned i = 0; i < sizeof lock / sizeof lock[0]; i++)
        if ((r->cr & lock[i].on) && ((v ^ r->cfgr2) & lock[i].mask)) {
            board_log(r->b, 1, "RCC: CFGR2 bits 0x%05x written while the PLL they feed is on "
                      "(ignored) pc=0x%08x", lock[i].mask, board_pc(r->b));
            v = (v & ~lock[i].mask) | (r->cfgr2 & lock[i].mask);
        }
    r->cfgr2 = v;
    r->cfgr = (r->cfgr & ~(1u << 17)) | ((v & 1u) << 17); /* PLLXTPRE mirrors PREDIV1[0] */
}

static void peripheral_resets(struct rcc *r, uint32_t apb2_set, uint32_t apb1_set)
{
    if (apb2_set & (1u << 0))
        gpio_rcc_reset(r->b, -1);
    for (int p = 0; p < 7; p++) /* IOPARST..IOPGRST */
        if (apb2_set & (1u << (2 + p)))
            gpio_rcc_reset(r->b, p);
    if (apb2_set & (1u << RCC_APB2_USART1))
        usart_rcc_reset(r->b, 1);
    if (apb1_set & (1u << RCC_APB1_USART2))
        usart_rcc_reset(r->b, 2);
    if (apb1_set & (1u << RCC_APB1_USART3))
        usart_rcc_reset(r->b, 3);
    if (apb1_set & (1u << 28))
        pwr_rcc_reset(r->b);
    /* BKPRST resets the backup interface only: the backup data survive (BDRST clears them). */
}

static bool rcc_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct rcc *r = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > (r->cl ? CFGR2 : CSR))
        return false; /* AHBRSTR and CFGR2 exist on connectivity line only */
    sync(r, board_now_ns(r->b));
    static const size_t idx[] = { offsetof(struct rcc, cr), offsetof(struct rcc, cfgr),
        offsetof(struct rcc, cir), offsetof(struct rcc, apb2rstr), offsetof(struct rcc, apb1rstr),
        offsetof(struct rcc, ahbenr), offsetof(struct rcc, apb2enr), offsetof(struct rcc, apb1enr),
        offsetof(struct rcc, bdcr), offsetof(struct rcc, csr), offsetof(struct rcc, ahbrstr),
        offsetof(struct rcc, cfgr2) };
    *val = (*(uint32_t *)((char *)r + idx[w / 4]) >> sh) & (lane_mask(size, 0));
    return true;
}

static bool rcc_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct rcc *r = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > (r->cl ? CFGR2 : CSR))
        return false;
    sync(r, board_now_ns(r->b));
    uint32_t lanes = lane_mask(size, sh), v = val << sh;
    switch (w) {
    case CR: write_cr(r, reg_merge(r->cr, v, lanes, 0xFFFFFFFFu)); break;
    case CFGR: write_cfgr(r, reg_merge(r->cfgr, v, lanes, 0xFFFFFFFFu)); break;
    case CIR: {
        uint32_t m = reg_merge(0, v, lanes, 0xFFFFFFFFu);
        uint32_t ie = r->cl ? 0x7F00u : 0x1F00u; /* PLL2/PLL3 on connectivity line */
        r->cir = (r->cir & ~ie) | (m & ie);            /* RDYIE bits */
        r->cir &= ~((m >> 16) & (0x80u | (ie >> 8))); /* xxRDYC and CSSC clear the flags */
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
    case AHBRSTR: r->ahbrstr = reg_merge(r->ahbrstr, v, lanes, 0x5000u); break; /* OTGFS, ETHMAC */
    case CFGR2: write_cfgr2(r, reg_merge(r->cfgr2, v, lanes, 0xFFFFFFFFu)); break;
    default: return false;
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
    r->ahbrstr = r->cfgr2 = 0;
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
    r->cl = board_part(b)->rcc_kind == RCC_CL;
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
    if (r->cl) {
        /* PLL input: HSI/2, or PREDIV1 output from HSE or from PLL2 (= HSE / PREDIV2 x PLL2MUL) */
        uint64_t in = HSI_HZ / 2;
        if (r->cfgr & CFGR_PLLSRC) {
            uint64_t src = HSE_HZ;
            if (r->cfgr2 & CFGR2_PREDIV1SRC)
                src = (uint64_t)HSE_HZ / (((r->cfgr2 >> 4) & 0xFu) + 1u) *
                      cl_pll23mul((r->cfgr2 >> 8) & 0xFu);
            in = src / ((r->cfgr2 & 0xFu) + 1u);
        }
        return (uint32_t)(in * cl_pllmul_x2((r->cfgr >> 18) & 0xFu) / 2u);
    }
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
