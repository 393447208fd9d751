/* DMA1 (RM0008 section 13): 7 channels. A request moves one data item at once through the
 * board's bus (so reading USART1_DR clears RXNE as a CPU read would); memory-to-memory channels
 * run to completion when enabled. Transfers take no emulated time. */
#include <stdlib.h>

#include "periph.h"

#define DMA1_BASE 0x40020000u
#define NCH 7

#define CCR_EN (1u << 0)
#define CCR_TCIE (1u << 1)
#define CCR_HTIE (1u << 2)
#define CCR_TEIE (1u << 3)
#define CCR_DIR (1u << 4)
#define CCR_CIRC (1u << 5)
#define CCR_PINC (1u << 6)
#define CCR_MINC (1u << 7)
#define CCR_MEM2MEM (1u << 14)

#define F_GIF 1u
#define F_TC 2u
#define F_HT 4u
#define F_TE 8u

struct chan {
    uint32_t ccr, cndtr, cpar, cmar;
    uint32_t reload; /* CNDTR as programmed: the circular reload and the HT threshold */
    bool irq;
};

struct dma {
    struct board *b;
    uint32_t isr;
    struct chan ch[NCH];
    uint8_t pending; /* requests raised while a transfer was in progress */
    bool busy;
};

static struct dma *dma_of(struct board *b)
{
    return board_models(b)->dma1;
}

static bool clock_on(const struct dma *d)
{
    return rcc_clock_enabled(d->b, RCC_AHBENR, RCC_AHB_DMA1);
}

static void update_irq(struct dma *d, int i)
{
    struct chan *c = &d->ch[i];
    uint32_t f = (d->isr >> (4 * i)) & 0xFu;
    bool level = ((f & F_TC) && (c->ccr & CCR_TCIE)) || ((f & F_HT) && (c->ccr & CCR_HTIE)) ||
                 ((f & F_TE) && (c->ccr & CCR_TEIE));
    if (level != c->irq) {
        c->irq = level;
        board_irq(d->b, 11 + i, level);
    }
}

static void flag(struct dma *d, int i, uint32_t f)
{
    d->isr |= (f | F_GIF) << (4 * i);
}

static unsigned item_bytes(uint32_t size_field)
{
    return size_field == 0 ? 1u : size_field == 1 ? 2u : 4u; /* 11 reserved: treated as 32 bits */
}

/* One data item. False when the channel stopped on a transfer error. */
static bool transfer(struct dma *d, int i)
{
    struct chan *c = &d->ch[i];
    unsigned ps = item_bytes((c->ccr >> 8) & 3u), ms = item_bytes((c->ccr >> 10) & 3u);
    uint32_t n = c->reload - c->cndtr; /* items done in this cycle */
    /* Addresses are aligned to the item size (the low bits are ignored, RM0008 13.3.4). */
    uint32_t pa = (c->cpar + ((c->ccr & CCR_PINC) ? n * ps : 0)) & ~(ps - 1u);
    uint32_t ma = (c->cmar + ((c->ccr & CCR_MINC) ? n * ms : 0)) & ~(ms - 1u);
    bool to_mem = !(c->ccr & CCR_DIR);
    uint32_t src = to_mem ? pa : ma, dst = to_mem ? ma : pa;
    unsigned ssz = to_mem ? ps : ms, dsz = to_mem ? ms : ps;
    uint32_t v = 0;
    bool ok = board_bus_read(d->b, src, ssz, &v);
    if (ok) {
        if (dsz < 4)
            v &= (1u << (dsz * 8)) - 1u; /* wider source: truncated; narrower: zero-extended */
        ok = board_bus_write(d->b, dst, dsz, v);
    }
    if (!ok) {
        c->ccr &= ~CCR_EN;
        flag(d, i, F_TE);
        board_log(d->b, 1, "DMA1 channel %d: transfer error at 0x%08x -> 0x%08x, channel disabled",
                  i + 1, src, dst);
        update_irq(d, i);
        return false;
    }
    c->cndtr--;
    if (c->cndtr == c->reload / 2)
        flag(d, i, F_HT);
    if (c->cndtr == 0) {
        flag(d, i, F_TC);
        if ((c->ccr & CCR_CIRC) && !(c->ccr & CCR_MEM2MEM))
            c->cndtr = c->reload;
    }
    update_irq(d, i);
    return true;
}

static bool ready(const struct dma *d, int i)
{
    const struct chan *c = &d->ch[i];
    return clock_on(d) && (c->ccr & CCR_EN) && c->cndtr > 0;
}

static void serve(struct dma *d)
{
    if (d->busy)
        return; /* the outer call serves what this transfer raised */
    d->busy = true;
    while (d->pending) {
        int i = __builtin_ctz(d->pending); /* lowest channel first, as with equal PL */
        d->pending &= (uint8_t)~(1u << i);
        if (!ready(d, i))
            continue;
        if (d->ch[i].ccr & CCR_MEM2MEM) {
            while (ready(d, i) && transfer(d, i)) {
            }
        } else {
            transfer(d, i);
        }
    }
    d->busy = false;
}

void dma_request(struct board *b, int channel)
{
    struct dma *d = dma_of(b);
    if (!d || channel < 1 || channel > NCH)
        return;
    d->pending |= (uint8_t)(1u << (channel - 1));
    serve(d);
}

static bool dma_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct dma *d = ctx;
    uint32_t w, v;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > 0x8Cu)
        return false;
    if (w >= 0x08u && (w - 0x08u) % 20u == 16u)
        return false; /* reserved word after each channel's CMAR */
    if (!clock_on(d)) {
        *val = 0;
        return true;
    }
    if (w == 0x00u) {
        v = d->isr;
    } else if (w == 0x04u) {
        v = 0; /* IFCR is write-only */
    } else {
        const struct chan *c = &d->ch[(w - 0x08u) / 20u];
        unsigned r = (w - 0x08u) % 20u;
        v = r == 0 ? c->ccr : r == 4 ? c->cndtr : r == 8 ? c->cpar : c->cmar;
    }
    *val = (v >> sh) & lane_mask(size, 0);
    return true;
}

static bool dma_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct dma *d = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > 0x8Cu)
        return false;
    if (w >= 0x08u && (w - 0x08u) % 20u == 16u)
        return false;
    if (!clock_on(d))
        return true;
    uint32_t lanes = lane_mask(size, sh), v = val << sh;
    if (w == 0x00u)
        return true; /* ISR is read-only */
    if (w == 0x04u) {
        uint32_t m = v & lanes & 0x0FFFFFFFu;
        for (int i = 0; i < NCH; i++) {
            uint32_t f = (m >> (4 * i)) & 0xFu;
            if (f & F_GIF)
                f = 0xFu; /* CGIF clears all four flags of the channel */
            d->isr &= ~(f << (4 * i));
            update_irq(d, i);
        }
        return true;
    }
    int i = (int)((w - 0x08u) / 20u);
    struct chan *c = &d->ch[i];
    unsigned r = (w - 0x08u) % 20u;
    if (r == 0) {
        bool was = c->ccr & CCR_EN;
        c->ccr = reg_merge(c->ccr, v, lanes, 0x7FFFu);
        update_irq(d, i);
        if (!was && (c->ccr & CCR_EN)) {
            /* A request line already asserted (or memory-to-memory) is served at once. */
            if ((c->ccr & CCR_MEM2MEM) || usart_dma_line(d->b, i + 1))
                dma_request(d->b, i + 1);
        }
        return true;
    }
    if (c->ccr & CCR_EN)
        return true; /* CNDTR, CPAR, CMAR are writable only while the channel is disabled */
    if (r == 4) {
        c->cndtr = reg_merge(c->cndtr, v, lanes, 0xFFFFu);
        c->reload = c->cndtr;
    } else if (r == 8) {
        c->cpar = reg_merge(c->cpar, v, lanes, 0xFFFFFFFFu);
    } else {
        c->cmar = reg_merge(c->cmar, v, lanes, 0xFFFFFFFFu);
    }
    return true;
}

static void dma_reset(void *ctx, enum reset_kind kind)
{
    struct dma *d = ctx;
    (void)kind;
    d->isr = 0;
    d->pending = 0;
    for (int i = 0; i < NCH; i++) {
        d->ch[i] = (struct chan){ .irq = d->ch[i].irq };
        update_irq(d, i);
    }
}

static void dma_destroy(void *ctx)
{
    free(ctx);
}

void dma_attach(struct board *b)
{
    struct dma *d = calloc(1, sizeof *d);
    if (!d)
        abort();
    d->b = b;
    board_models(b)->dma1 = d;
    struct periph p = { .name = "DMA1", .base = DMA1_BASE, .size = 0x400, .ctx = d,
                        .read = dma_read, .write = dma_write, .reset = dma_reset,
                        .destroy = dma_destroy };
    board_add_periph(b, &p);
}
