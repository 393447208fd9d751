/* System control space (PM0056 chapter 4): SysTick, NVIC, SCB; and the DWT cycle counter.
 * Unicorn does not model any of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define SCS_BASE 0xE000E000u
#define DWT_BASE 0xE0001000u
/* Interrupt lines: the part's (RM0008 vector tables: 60 on the F103, 68 on connectivity line). */
#define NIRQ(s) ((unsigned)(s)->b->part->nirq)

__extension__ typedef unsigned __int128 u128; /* GCC/Clang: ns x Hz products overflow 64 bits */

struct scs {
    struct board *b;
    uint32_t enabled[NUM_IRQ / 32];
    bool pending[NUM_EXC], active[NUM_EXC], level[NUM_IRQ];
    uint8_t prio[NUM_EXC];      /* configurable priorities (IPR, SHPR) */
    uint32_t vtor, prigroup, scr, ccr, shcsr, cfsr, hfsr, dfsr, mmfar, bfar, actlr, demcr;
    /* SysTick */
    uint32_t st_csr, st_rvr;
    uint64_t st_anchor_ns;      /* time at which the counter held st_anchor_val */
    uint32_t st_anchor_val, st_hz;
    uint64_t st_next_zero;      /* tick (since anchor) of the next 1 -> 0 transition */
    /* DWT */
    uint32_t dwt_ctrl;
    uint64_t dwt_base;
};

static uint64_t cycles(struct board *b)
{
    return b->total_insns + b->slice_cycles + b->idle_cycles;
}

/* ---- SysTick: the counter is a function of time; only its zero crossings are events ---- */

static uint32_t st_hz(struct scs *s)
{
    uint32_t hclk = rcc_clock_hz(s->b, CLK_HCLK);
    return (s->st_csr & 4u) ? hclk : hclk / 8u; /* CLKSOURCE: HCLK, else the HCLK/8 reference */
}

static uint64_t st_ticks(struct scs *s, uint64_t now)
{
    if (now <= s->st_anchor_ns || !s->st_hz)
        return 0;
    return (uint64_t)((u128)(now - s->st_anchor_ns) * s->st_hz / 1000000000u);
}

static uint32_t st_value(struct scs *s, uint64_t now)
{
    if (!(s->st_csr & 1u))
        return s->st_anchor_val;
    uint64_t t = st_ticks(s, now), v0 = s->st_anchor_val, period = (uint64_t)s->st_rvr + 1u;
    if (t < v0)
        return (uint32_t)(v0 - t);
    if (s->st_rvr == 0)
        return 0;
    uint64_t j = (t - v0) % period;
    return j == 0 ? 0 : (uint32_t)(period - j);
}

static void st_anchor(struct scs *s, uint64_t now, uint32_t val)
{
    s->st_anchor_ns = now;
    s->st_anchor_val = val & 0xFFFFFFu;
    s->st_hz = st_hz(s);
    s->st_next_zero = s->st_anchor_val ? s->st_anchor_val : (uint64_t)s->st_rvr + 1u;
}

static uint64_t st_advance(struct scs *s, uint64_t now)
{
    if (!(s->st_csr & 1u))
        return UINT64_MAX;
    if (st_hz(s) != s->st_hz)
        st_anchor(s, now, st_value(s, now));
    if (!s->st_hz)
        return UINT64_MAX;
    uint64_t t = st_ticks(s, now), period = (uint64_t)s->st_rvr + 1u;
    if (s->st_rvr == 0 && s->st_anchor_val == 0)
        return UINT64_MAX; /* reload 0: the counter stops at 0 */
    while (s->st_next_zero <= t) {
        s->st_csr |= 1u << 16; /* COUNTFLAG */
        if (s->st_csr & 2u)    /* TICKINT */
            scs_set_pending(s, EXC_SYSTICK);
        if (s->st_rvr == 0)
            return UINT64_MAX;
        s->st_next_zero += period;
    }
    u128 ns = (u128)s->st_next_zero * 1000000000u + s->st_hz - 1u;
    return s->st_anchor_ns + (uint64_t)(ns / s->st_hz);
}

uint64_t scs_advance(struct scs *s, uint64_t now_ns)
{
    return st_advance(s, now_ns);
}

/* ---- NVIC ---- */

static int group(struct scs *s, int exc)
{
    if (exc == EXC_NMI)
        return -2;
    if (exc == EXC_HARDFAULT)
        return -1;
    uint32_t sub = (2u << s->prigroup) - 1u; /* subpriority bits below the group field */
    return (int)(s->prio[exc] & ~sub & 0xF0u);
}

static bool exc_enabled(struct scs *s, int exc)
{
    if (exc >= EXC_IRQ0)
        return (s->enabled[(exc - EXC_IRQ0) / 32] >> ((exc - EXC_IRQ0) % 32)) & 1u;
    return true;
}

static int exec_priority(struct scs *s)
{
    int p = 256;
    for (int e = 1; e < NUM_EXC; e++)
        if (s->active[e] && group(s, e) < p)
            p = group(s, e);
    return p;
}

int scs_next_exception(struct scs *s, uint32_t primask, uint32_t basepri, uint32_t faultmask,
                       bool ignore_mask)
{
    int p = exec_priority(s);
    if (!ignore_mask) {
        if (faultmask & 1u)
            p = p < -1 ? p : -1;
        else if (primask & 1u)
            p = p < 0 ? p : 0;
        else if (basepri & 0xF0u) {
            uint32_t sub = (2u << s->prigroup) - 1u;
            int bp = (int)(basepri & ~sub & 0xF0u);
            if (bp < p)
                p = bp;
        }
    }
    int best = 0, bestp = p;
    for (int e = 2; e < NUM_EXC; e++)
        if (s->pending[e] && exc_enabled(s, e) && group(s, e) < bestp) {
            best = e;
            bestp = group(s, e);
        }
    return best;
}

bool scs_any_waiting(struct scs *s)
{
    return scs_next_exception(s, 0, 0, 0, true) != 0;
}

void scs_set_pending(struct scs *s, int exc)
{
    if (!s->pending[exc]) {
        s->pending[exc] = true;
        board_kick(s->b);
    }
}

void scs_irq_level(struct scs *s, int irqn, bool level)
{
    if (irqn < 0 || (unsigned)irqn >= NIRQ(s))
        return;
    s->level[irqn] = level;
    if (level && !s->active[EXC_IRQ0 + irqn])
        scs_set_pending(s, EXC_IRQ0 + irqn);
}

void scs_activate(struct scs *s, int exc)
{
    s->pending[exc] = false;
    s->active[exc] = true;
}

bool scs_deactivate(struct scs *s, int exc)
{
    if (exc <= 0 || exc >= NUM_EXC || !s->active[exc])
        return false;
    s->active[exc] = false;
    if (exc >= EXC_IRQ0 && s->level[exc - EXC_IRQ0]) /* a level still asserted pends again */
        s->pending[exc] = true;
    return true;
}

int scs_active_count(struct scs *s)
{
    int n = 0;
    for (int e = 1; e < NUM_EXC; e++)
        n += s->active[e];
    return n;
}

uint32_t scs_vtor(struct scs *s)
{
    return s->vtor;
}

bool scs_stkalign(struct scs *s)
{
    return s->ccr & (1u << 9);
}

void scs_fault_status(struct scs *s, uint32_t cfsr_bits, uint32_t hfsr_bits)
{
    s->cfsr |= cfsr_bits;
    s->hfsr |= hfsr_bits;
}

uint32_t scs_cfsr(struct scs *s)
{
    return s->cfsr;
}

uint32_t scs_hfsr(struct scs *s)
{
    return s->hfsr;
}

void scs_reset(struct scs *s)
{
    struct board *b = s->b;
    memset(s, 0, sizeof *s);
    s->b = b;
    s->ccr = 1u << 9; /* STKALIGN (PM0056 4.4.7 reset value 0x00000200) */
    s->dwt_ctrl = 0x40000000u;
}

/* ---- registers ---- */

static uint32_t vectpending(struct scs *s)
{
    return (uint32_t)scs_next_exception(s, 0, 0, 0, true);
}

static bool scs_read32(struct scs *s, uint32_t off, uint32_t *v)
{
    struct board *b = s->b;
    uint64_t now = board_now_ns(b);
    if (off >= 0x400 && off < 0x400 + NIRQ(s)) { /* IPR (read as words too) */
        uint32_t w = 0;
        for (unsigned i = 0; i < 4; i++)
            if (off + i < 0x400u + NIRQ(s))
                w |= (uint32_t)s->prio[EXC_IRQ0 + off - 0x400 + i] << (8 * i);
        *v = w;
        return true;
    }
    if (off >= 0xD18 && off < 0xD24) { /* SHPR1-3 */
        uint32_t w = 0;
        for (unsigned i = 0; i < 4; i++)
            w |= (uint32_t)s->prio[4 + off - 0xD18 + i] << (8 * i);
        *v = w;
        return true;
    }
    if (off >= 0x100 && off < 0x380 && (off & 0x7F) < 4 * ((NIRQ(s) + 31) / 32)) {
        /* ISER ICER ISPR ICPR IABR */
        unsigned n = (off & 0x7F) / 4, base = EXC_IRQ0 + 32 * n;
        uint32_t w = 0;
        for (unsigned i = 0; i < 32 && base + i < EXC_IRQ0 + NIRQ(s); i++) {
            bool bit = false;
            switch ((off - 0x100) / 0x80) {
            case 0: case 1: bit = (s->enabled[n] >> i) & 1u; break;
            case 2: case 3: bit = s->pending[base + i]; break;
            default: bit = s->active[base + i]; break;
            }
            w |= (uint32_t)bit << i;
        }
        *v = w;
        return true;
    }
    switch (off) {
    case 0x004: *v = (NIRQ(s) - 1) / 32; return true; /* ICTR: lines in groups of 32 */
    case 0x008: *v = s->actlr; return true;
    case 0x010: {
        st_advance(s, now);
        *v = s->st_csr;
        s->st_csr &= ~(1u << 16); /* COUNTFLAG clears on read */
        return true;
    }
    case 0x014: *v = s->st_rvr; return true;
    case 0x018: *v = st_value(s, now); return true;
    case 0x01C: *v = 0x00002328u; return true; /* CALIB: 9000 = 1 ms at 72 MHz / 8 */
    case 0xD00: *v = 0x411FC231u; return true; /* CPUID: Cortex-M3 r1p1 */
    case 0xD04: {
        uint32_t ipsr = 0, vp = vectpending(s);
        uc_reg_read(b->uc, UC_ARM_REG_IPSR, &ipsr);
        bool irqpend = false;
        for (int e = EXC_IRQ0; e < NUM_EXC; e++)
            irqpend |= s->pending[e];
        *v = (ipsr & 0x1FFu) | (vp << 12) | ((uint32_t)irqpend << 22) |
             ((uint32_t)s->pending[EXC_SYSTICK] << 26) | ((uint32_t)s->pending[EXC_PENDSV] << 28) |
             ((uint32_t)s->pending[EXC_NMI] << 31) | ((uint32_t)(scs_active_count(s) <= 1) << 11);
        return true;
    }
    case 0xD08: *v = s->vtor; return true;
    case 0xD0C: *v = 0xFA050000u | (s->prigroup << 8); return true;
    case 0xD10: *v = s->scr; return true;
    case 0xD14: *v = s->ccr; return true;
    case 0xD24: *v = s->shcsr; return true;
    case 0xD28: *v = s->cfsr; return true;
    case 0xD2C: *v = s->hfsr; return true;
    case 0xD30: *v = s->dfsr; return true;
    case 0xD34: *v = s->mmfar; return true;
    case 0xD38: *v = s->bfar; return true;
    case 0xD3C: *v = 0; return true;
    case 0xDF0: *v = 0; return true; /* DHCSR: no debugger attached */
    case 0xDFC: *v = s->demcr; return true;
    default: return false;
    }
}

static bool scs_write32(struct scs *s, uint32_t off, uint32_t v, uint32_t lanes)
{
    struct board *b = s->b;
    uint64_t now = board_now_ns(b);
    if (off >= 0x400 && off < 0x400 + NIRQ(s)) {
        for (unsigned i = 0; i < 4; i++)
            if ((lanes >> (8 * i)) & 0xFFu && off + i < 0x400u + NIRQ(s))
                s->prio[EXC_IRQ0 + off - 0x400 + i] = (uint8_t)(v >> (8 * i)) & 0xF0u;
        return true;
    }
    if (off >= 0xD18 && off < 0xD24) {
        for (unsigned i = 0; i < 4; i++) {
            unsigned e = 4 + off - 0xD18 + i;
            bool impl = e == 4 || e == 5 || e == 6 || e == 11 || e == 14 || e == 15;
            if ((lanes >> (8 * i)) & 0xFFu && impl)
                s->prio[e] = (uint8_t)(v >> (8 * i)) & 0xF0u;
        }
        return true;
    }
    v &= lanes;
    if (off >= 0x100 && off < 0x300 && (off & 0x7F) < 4 * ((NIRQ(s) + 31) / 32)) {
        unsigned n = (off & 0x7F) / 4, base = EXC_IRQ0 + 32 * n;
        if (32 * (n + 1) > NIRQ(s))
            v &= (1u << (NIRQ(s) - 32 * n)) - 1u;
        for (unsigned i = 0; i < 32; i++) {
            if (!((v >> i) & 1u))
                continue;
            switch ((off - 0x100) / 0x80) {
            case 0: s->enabled[n] |= 1u << i; break;
            case 1: s->enabled[n] &= ~(1u << i); break;
            case 2: s->pending[base + i] = true; break;
            default:
                s->pending[base + i] = s->level[base + i - EXC_IRQ0] && !s->active[base + i];
                break;
            }
        }
        board_kick(b);
        return true;
    }
    if (off >= 0x300 && off < 0x300 + 4 * ((NIRQ(s) + 31) / 32))
        return true; /* IABR is read-only */
    switch (off) {
    case 0x008: s->actlr = v & 7u; return true;
    case 0x010: {
        uint32_t cur = st_value(s, now);
        bool was = s->st_csr & 1u;
        s->st_csr = (s->st_csr & (1u << 16)) | (v & 7u);
        if (!was && (v & 1u))
            st_anchor(s, now, cur);
        else if (was && !(v & 1u))
            s->st_anchor_val = cur;
        else if (was)
            st_anchor(s, now, cur); /* the clock source may have changed */
        board_kick(b);
        return true;
    }
    case 0x014: s->st_rvr = v & 0xFFFFFFu; if (s->st_csr & 1u) st_anchor(s, now, st_value(s, now)); return true;
    case 0x018: /* any write clears the counter and COUNTFLAG */
        s->st_csr &= ~(1u << 16);
        st_anchor(s, now, 0);
        board_kick(b);
        return true;
    case 0x01C: return true;
    case 0xD04:
        if (v & (1u << 31)) scs_set_pending(s, EXC_NMI);
        if (v & (1u << 28)) scs_set_pending(s, EXC_PENDSV);
        if (v & (1u << 27)) s->pending[EXC_PENDSV] = false;
        if (v & (1u << 26)) scs_set_pending(s, EXC_SYSTICK);
        if (v & (1u << 25)) s->pending[EXC_SYSTICK] = false;
        return true;
    case 0xD08: s->vtor = v & 0x3FFFFF80u; board_log(b, 2, "VTOR = 0x%08x", s->vtor); return true;
    case 0xD0C:
        if ((v >> 16) != 0x05FAu) {
            board_log(b, 1, "AIRCR write 0x%08x without VECTKEY ignored", v);
            return true;
        }
        s->prigroup = (v >> 8) & 7u;
        if (v & 4u)
            board_reset_request(b, RESET_SYSTEM, "SYSRESETREQ");
        else if (v & 1u)
            board_reset_request(b, RESET_SYSTEM, "VECTRESET");
        return true;
    case 0xD10: s->scr = v & 0x16u; return true;
    case 0xD14: s->ccr = v & 0x31Bu; return true;
    case 0xD24: s->shcsr = v & 0x7FFFFu; return true;
    case 0xD28: s->cfsr &= ~v; return true;
    case 0xD2C: s->hfsr &= ~v; return true;
    case 0xD30: s->dfsr &= ~v; return true;
    case 0xD34: s->mmfar = v; return true;
    case 0xD38: s->bfar = v; return true;
    case 0xD3C: return true;
    case 0xDFC: s->demcr = v & 0x010F07F1u; return true;
    case 0xF00:
        if ((v & 0x1FFu) < NIRQ(s))
            scs_set_pending(s, EXC_IRQ0 + (int)(v & 0x1FFu));
        return true;
    default: return false;
    }
}

static uint64_t scs_mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    struct scs *s = user;
    uint32_t w = 0, o = (uint32_t)off;
    (void)uc;
    if ((o & (size - 1u)) || !scs_read32(s, o & ~3u, &w)) {
        board_fault(s->b, "%u-byte read of unimplemented system control space address 0x%08x, "
                    "PC 0x%08x", size, SCS_BASE + o, board_pc(s->b));
        return 0;
    }
    w >>= 8 * (o & 3u);
    return size == 4 ? w : w & ((1u << (8 * size)) - 1u);
}

static void scs_mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
    struct scs *s = user;
    uint32_t o = (uint32_t)off, sh = 8 * (o & 3u);
    uint32_t lanes = (size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1u)) << sh;
    (void)uc;
    if ((o & (size - 1u)) || !scs_write32(s, o & ~3u, (uint32_t)val << sh, lanes))
        board_fault(s->b, "%u-byte write of 0x%x to unimplemented system control space address "
                    "0x%08x, PC 0x%08x", size, (uint32_t)val, SCS_BASE + o, board_pc(s->b));
}

/* DWT: the cycle counter only (delays and profiling use it). */
static uint64_t dwt_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    struct scs *s = user;
    (void)uc;
    if (size == 4 && off == 0)
        return s->dwt_ctrl;
    if (size == 4 && off == 4)
        return (uint32_t)(cycles(s->b) - s->dwt_base);
    board_fault(s->b, "%u-byte read of unimplemented DWT address 0x%08x, PC 0x%08x", size,
                DWT_BASE + (uint32_t)off, board_pc(s->b));
    return 0;
}

static void dwt_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
    struct scs *s = user;
    (void)uc;
    if (size == 4 && off == 0) {
        s->dwt_ctrl = 0x40000000u | ((uint32_t)val & 1u);
    } else if (size == 4 && off == 4) {
        s->dwt_base = cycles(s->b) - (uint32_t)val;
    } else {
        board_fault(s->b, "%u-byte write to unimplemented DWT address 0x%08x, PC 0x%08x", size,
                    DWT_BASE + (uint32_t)off, board_pc(s->b));
    }
}

struct scs *scs_create(struct board *b)
{
    struct scs *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->b = b;
    scs_reset(s);
    if (uc_mmio_map(b->uc, SCS_BASE, 0x1000, scs_mmio_read, s, scs_mmio_write, s) != UC_ERR_OK ||
        uc_mmio_map(b->uc, DWT_BASE, 0x1000, dwt_read, s, dwt_write, s) != UC_ERR_OK) {
        fprintf(stderr, "emu: cannot map the system control space\n");
        free(s);
        return NULL;
    }
    return s;
}

void scs_destroy(struct scs *s)
{
    free(s);
}
