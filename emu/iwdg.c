/* Independent watchdog (RM0008 section 19). Clocked by the LSI at a nominal 40 kHz (the real
 * RC oscillator runs anywhere from 30 to 60 kHz). Started by KR = 0xCCCC and then stoppable only
 * by a reset; the timeout requests a system reset and sets RCC_CSR.IWDGRSTF. A reset stops it
 * (software watchdog, the option byte default WDG_SW = 1), unless the option byte selects the
 * hardware watchdog (WDG_SW = 0): then every reset starts it, with PR and RLR at their reset
 * values (409.6 ms). PR/RLR updates raise PVU/RVU for 5 LSI periods. */
#include <stdlib.h>

#include "periph.h"

#define IWDG_BASE 0x40003000u
#define LSI_PERIOD_NS 25000u /* 40 kHz */
#define UPDATE_NS (5u * LSI_PERIOD_NS)

enum { KR = 0x0, PR = 0x4, RLR = 0x8, SR = 0xC };

struct iwdg {
    struct board *b;
    uint32_t pr, rlr;
    bool running, unlocked, fired;
    uint64_t reloaded_at; /* counter = count at this time */
    uint32_t count;
    uint64_t pvu_until, rvu_until;
};

static uint64_t tick_ns(const struct iwdg *w)
{
    unsigned pr = w->pr > 6u ? 6u : w->pr;
    return (uint64_t)LSI_PERIOD_NS * (4u << pr);
}

/* The counter reaches 0 after count + 1 ticks (0xFFF with /4 -> 409.6 ms, as the datasheet). */
static uint64_t expiry(const struct iwdg *w)
{
    return w->running && !w->fired ? w->reloaded_at + (w->count + 1u) * tick_ns(w) : UINT64_MAX;
}

static uint64_t sync(struct iwdg *w, uint64_t now)
{
    uint64_t t = expiry(w);
    if (t <= now) {
        w->fired = true;
        board_log(w->b, 1, "IWDG timeout: system reset");
        rcc_note_reset_cause(w->b, RCC_CSR_IWDGRSTF);
        board_reset_request(w->b, RESET_SYSTEM, "IWDG");
        return UINT64_MAX;
    }
    uint64_t next = t;
    if (w->pvu_until > now && w->pvu_until < next)
        next = w->pvu_until;
    if (w->rvu_until > now && w->rvu_until < next)
        next = w->rvu_until;
    return next;
}

static uint32_t counter_now(const struct iwdg *w, uint64_t now)
{
    uint64_t ticks = (now - w->reloaded_at) / tick_ns(w);
    return ticks >= w->count ? 0 : w->count - (uint32_t)ticks;
}

static bool iwdg_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct iwdg *w = ctx;
    uint32_t r, v;
    unsigned sh;
    if (!reg_split(off, size, &r, &sh) || r > SR)
        return false;
    uint64_t now = board_now_ns(w->b);
    sync(w, now);
    switch (r) {
    case KR: v = 0; break; /* write-only */
    case PR: v = w->pr; break;
    case RLR: v = w->rlr; break;
    default: v = (w->pvu_until > now ? 1u : 0u) | (w->rvu_until > now ? 2u : 0u); break;
    }
    *val = (v >> sh) & lane_mask(size, 0);
    return true;
}

static bool iwdg_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct iwdg *w = ctx;
    uint32_t r;
    unsigned sh;
    if (!reg_split(off, size, &r, &sh) || r > SR)
        return false;
    uint64_t now = board_now_ns(w->b);
    sync(w, now);
    uint32_t v = (val << sh) & lane_mask(size, sh);
    switch (r) {
    case KR:
        w->unlocked = (v & 0xFFFFu) == 0x5555u; /* any other key protects PR/RLR again */
        if ((v & 0xFFFFu) == 0xAAAAu && w->running) {
            w->count = w->rlr;
            w->reloaded_at = now;
        } else if ((v & 0xFFFFu) == 0xCCCCu && !w->running) {
            w->running = true;
            w->count = 0xFFFu; /* counts down from the reset value */
            w->reloaded_at = now;
            board_log(w->b, 1, "IWDG started");
        }
        break;
    case PR:
        if (w->unlocked) {
            if (w->running) { /* rebase so the new prescaler applies from now */
                w->count = counter_now(w, now);
                w->reloaded_at = now;
            }
            w->pr = v & 7u;
            w->pvu_until = now + UPDATE_NS;
        }
        break;
    case RLR:
        if (w->unlocked) {
            w->rlr = v & 0xFFFu;
            w->rvu_until = now + UPDATE_NS;
        }
        break;
    default: break; /* SR is read-only */
    }
    return true;
}

static void iwdg_reset(void *ctx, enum reset_kind kind)
{
    struct iwdg *w = ctx;
    (void)kind;
    w->pr = 0;
    w->rlr = 0xFFFu;
    w->running = w->unlocked = w->fired = false;
    w->pvu_until = w->rvu_until = 0;
    if (flash_hw_watchdog(w->b)) {
        w->running = true;
        w->count = 0xFFFu;
        w->reloaded_at = board_now_ns(w->b);
        board_log(w->b, 1, "IWDG started at reset (hardware watchdog option)");
    }
}

static uint64_t iwdg_advance(void *ctx, uint64_t now)
{
    return sync(ctx, now);
}

static void iwdg_destroy(void *ctx)
{
    free(ctx);
}

void iwdg_attach(struct board *b)
{
    struct iwdg *w = calloc(1, sizeof *w);
    if (!w)
        abort();
    w->b = b;
    board_models(b)->iwdg = w;
    w->pr = 0;
    w->rlr = 0xFFFu; /* the board's power-on reset follows (and may start it) */
    struct periph p = { .name = "IWDG", .base = IWDG_BASE, .size = 0x400, .ctx = w,
                        .read = iwdg_read, .write = iwdg_write, .reset = iwdg_reset,
                        .advance = iwdg_advance, .destroy = iwdg_destroy };
    board_add_periph(b, &p);
}
