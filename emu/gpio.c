/* GPIOA.. (as many ports as the part has: A-E, or A-G on high/XL density) and AFIO (RM0008
 * section 9), with the USART pin remaps of AFIO_MAPR. Pin levels: an output pin reads what it drives; an
 * input pin reads its external drive (gpio_set_input, pin events), and a released input reads
 * its pull (input with pull-up/-down: ODR selects up or down), a floating or analog one reads 0.
 * Output changes are logged at level 1 as "[  12.345678 ms] PA4 = 1" (0, 1, or z for an
 * open-drain output released / a pin that stops being an output). */
#include <stdlib.h>

#include "periph.h"

#define GPIO_BASE(p) (0x40010800u + 0x400u * (unsigned)(p))
#define AFIO_BASE 0x40010000u
#define NPORT 7 /* A..G at most */

enum { CRL = 0x00, CRH = 0x04, IDR = 0x08, ODR = 0x0C, BSRR = 0x10, BRR = 0x14, LCKR = 0x18 };
#define LCKK (1u << 16)

struct gpio;
struct port {
    struct gpio *g;
    int idx;
    uint32_t cr[2], odr, lckr;
    int lock_step;    /* LCKR key sequence: write 1, write 0, write 1, read 0, read 1 */
    int8_t ext[16];   /* external drive: 1, 0, -1 released */
    int8_t shown[16]; /* last logged output level: 0, 1, 2 = z */
};

struct gpio {
    struct board *b;
    int nports;
    bool has_mapr2;
    uint32_t mapr_mask;
    struct port port[NPORT];
    uint32_t evcr, mapr, exticr[4], mapr2;
    bool applied[EMU_MAX_PIN_EVENTS];
};

static unsigned pin_cfg(const struct port *p, int pin)
{
    return (p->cr[pin / 8] >> (4 * (pin % 8))) & 0xFu; /* CNF[1:0] MODE[1:0] */
}

/* The level the pin drives: 0, 1, 2 = not driving (input or open-drain released). */
static int driven(const struct port *p, int pin)
{
    unsigned c = pin_cfg(p, pin);
    if ((c & 3u) == 0)
        return 2;
    if (c & 8u) /* alternate function output: idles high (a USART TX), never animated */
        return 1;
    int o = (p->odr >> pin) & 1;
    if ((c & 4u) && o) /* open-drain, released */
        return 2;
    return o;
}

static int pin_level(const struct port *p, int pin)
{
    unsigned c = pin_cfg(p, pin);
    int d = driven(p, pin);
    if (d != 2)
        return d;
    if ((c & 3u) != 0) /* open-drain released */
        return p->ext[pin] >= 0 ? p->ext[pin] : 0;
    switch (c >> 2) {
    case 0: return 0;                                                     /* analog */
    case 2: return p->ext[pin] >= 0 ? p->ext[pin] : (int)((p->odr >> pin) & 1u); /* pull */
    default: return p->ext[pin] >= 0 ? p->ext[pin] : 0;                    /* floating */
    }
}

static uint32_t idr(const struct port *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 16; i++)
        v |= (uint32_t)pin_level(p, i) << i;
    return v;
}

static void log_outputs(struct port *p)
{
    for (int i = 0; i < 16; i++) {
        int d = driven(p, i);
        if (d == p->shown[i])
            continue;
        p->shown[i] = (int8_t)d;
        board_log(p->g->b, 1, "P%c%d = %c", 'A' + p->idx, i,
                  d == 2 ? 'z' : '0' + d);
    }
}

static bool clock_on(const struct port *p)
{
    return rcc_clock_enabled(p->g->b, RCC_APB2ENR, RCC_APB2_IOPA + (unsigned)p->idx);
}

static bool port_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct port *p = ctx;
    uint32_t w, v = 0;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > LCKR)
        return false;
    if (!clock_on(p)) {
        *val = 0;
        return true;
    }
    switch (w) {
    case CRL: v = p->cr[0]; break;
    case CRH: v = p->cr[1]; break;
    case IDR: v = idr(p); break;
    case ODR: v = p->odr; break;
    case BSRR: case BRR: v = 0; break; /* write-only */
    case LCKR:
        v = p->lckr;
        if (p->lock_step == 3) {
            p->lock_step = 4;
            v &= ~LCKK;
        } else if (p->lock_step == 4) {
            p->lock_step = 0;
            p->lckr |= LCKK; /* locked until the next reset */
            v = p->lckr;
        }
        break;
    }
    *val = (v >> sh) & lane_mask(size, 0);
    return true;
}

static void write_lckr(struct port *p, uint32_t v)
{
    if (p->lckr & LCKK)
        return; /* locked: frozen until reset */
    uint32_t keys = v & 0xFFFFu;
    bool k = v & LCKK;
    bool same = keys == (p->lckr & 0xFFFFu);
    if (k && (p->lock_step == 0 || p->lock_step > 2)) {
        p->lock_step = 1;
    } else if (!k && p->lock_step == 1 && same) {
        p->lock_step = 2;
    } else if (k && p->lock_step == 2 && same) {
        p->lock_step = 3;
    } else {
        p->lock_step = 0;
    }
    p->lckr = keys;
}

static bool port_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct port *p = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > LCKR)
        return false;
    if (!clock_on(p))
        return true;
    uint32_t lanes = lane_mask(size, sh), v = val << sh;
    switch (w) {
    case CRL:
    case CRH: {
        uint32_t locked = 0;
        for (int i = 0; i < 8; i++)
            if (p->lckr & LCKK && p->lckr & (1u << (i + (w == CRH ? 8 : 0))))
                locked |= 0xFu << (4 * i);
        p->cr[w / 4] = reg_merge(p->cr[w / 4], v, lanes, ~locked);
        break;
    }
    case IDR: break; /* read-only */
    case ODR: p->odr = reg_merge(p->odr, v, lanes, 0xFFFFu); break;
    case BSRR: {
        uint32_t m = v & lanes;
        p->odr = (p->odr & ~(m >> 16)) | (m & 0xFFFFu); /* set wins over reset */
        break;
    }
    case BRR: p->odr &= ~(v & lanes & 0xFFFFu); break;
    case LCKR: write_lckr(p, reg_merge(p->lckr, v, lanes, 0x1FFFFu)); break;
    }
    log_outputs(p);
    return true;
}

static void port_reset(struct port *p)
{
    p->cr[0] = p->cr[1] = 0x44444444u; /* floating inputs */
    p->odr = p->lckr = 0;
    p->lock_step = 0;
    log_outputs(p);
}

static void gpio_reset(void *ctx, enum reset_kind kind)
{
    struct gpio *g = ctx;
    (void)kind; /* external drive is outside the chip: it survives every reset */
    for (int i = 0; i < g->nports; i++)
        port_reset(&g->port[i]);
    g->evcr = g->mapr = g->mapr2 = 0;
    for (int i = 0; i < 4; i++)
        g->exticr[i] = 0;
}

static void set_ext(struct gpio *g, int port, int pin, int level)
{
    if (port < 0 || port >= g->nports || pin < 0 || pin > 15)
        return;
    g->port[port].ext[pin] = (int8_t)(level > 0 ? 1 : level == 0 ? 0 : -1);
}

/* Pin events of the configuration: at_ns 0 applies at power-on (attach), later ones when
 * emulated time reaches them. The core applies (and logs) them too; applying twice is harmless. */
static uint64_t gpio_advance(void *ctx, uint64_t now)
{
    struct gpio *g = ctx;
    const struct emu_config *cfg = board_config(g->b);
    uint64_t next = UINT64_MAX;
    for (int i = 0; cfg && i < cfg->npins && i < EMU_MAX_PIN_EVENTS; i++) {
        const struct emu_pin_event *e = &cfg->pins[i];
        if (g->applied[i])
            continue;
        if (e->at_ns <= now) {
            g->applied[i] = true;
            set_ext(g, e->port, e->pin, e->level);
        } else if (e->at_ns < next) {
            next = e->at_ns;
        }
    }
    return next;
}

/* EVCR, MAPR, EXTICR1-4; MAPR2 (0x1C) on parts that have it (XL density). */
static bool afio_reg(const struct gpio *g, uint32_t w)
{
    return w <= 0x14u || (w == 0x1Cu && g->has_mapr2);
}

static bool afio_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct gpio *g = ctx;
    uint32_t w, v;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || !afio_reg(g, w))
        return false;
    if (!rcc_clock_enabled(g->b, RCC_APB2ENR, RCC_APB2_AFIO)) {
        *val = 0;
        return true;
    }
    v = w == 0 ? g->evcr : w == 4 ? g->mapr & ~0x07000000u /* SWJ_CFG is write-only */
      : w == 0x1Cu ? g->mapr2 : g->exticr[(w - 8) / 4];
    *val = (v >> sh) & lane_mask(size, 0);
    return true;
}

static bool afio_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct gpio *g = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || !afio_reg(g, w))
        return false;
    if (!rcc_clock_enabled(g->b, RCC_APB2ENR, RCC_APB2_AFIO))
        return true;
    uint32_t lanes = lane_mask(size, sh), v = val << sh;
    if (w == 0) {
        g->evcr = reg_merge(g->evcr, v, lanes, 0xFFu);
    } else if (w == 4) {
        uint32_t old = g->mapr;
        g->mapr = reg_merge(g->mapr, v, lanes, g->mapr_mask);
        if ((old ^ g->mapr) & 0x3Cu)
            board_log(g->b, 1, "AFIO_MAPR: USART1_REMAP %u, USART2_REMAP %u, USART3_REMAP %u",
                      (g->mapr >> 2) & 1u, (g->mapr >> 3) & 1u, (g->mapr >> 4) & 3u);
    } else if (w == 0x1Cu) {
        g->mapr2 = reg_merge(g->mapr2, v, lanes, 0x7E0u); /* TIM9-11, TIM13-14, FSMC_NADV */
    } else
        g->exticr[(w - 8) / 4] = reg_merge(g->exticr[(w - 8) / 4], v, lanes, 0xFFFFu);
    return true;
}

static void gpio_destroy(void *ctx)
{
    free(ctx);
}

void gpio_attach(struct board *b)
{
    struct gpio *g = calloc(1, sizeof *g);
    if (!g)
        abort();
    g->b = b;
    const struct part *pt = board_part(b);
    g->nports = pt->gpio_ports < NPORT ? pt->gpio_ports : NPORT;
    g->has_mapr2 = pt->afio_mapr2;
    /* Connectivity line adds ETH/CAN2/MII_RMII/SPI3/TIM2ITR1/PTP_PPS remaps (bits 21-23, 28-30). */
    g->mapr_mask = pt->rcc_kind == RCC_CL ? 0x77FFFFFFu : 0x071FFFFFu;
    board_models(b)->gpio = g;
    for (int i = 0; i < g->nports; i++) {
        struct port *p = &g->port[i];
        p->g = g;
        p->idx = i;
        for (int k = 0; k < 16; k++) {
            p->ext[k] = -1;
            p->shown[k] = 2;
        }
    }
    gpio_reset(g, RESET_POWER);
    gpio_advance(g, 0);
    static const char *const names[NPORT] = { "GPIOA", "GPIOB", "GPIOC", "GPIOD", "GPIOE",
                                              "GPIOF", "GPIOG" };
    for (int i = 0; i < g->nports; i++) {
        struct periph p = { .name = names[i], .base = GPIO_BASE(i), .size = 0x400,
                            .ctx = &g->port[i], .read = port_read, .write = port_write };
        board_add_periph(b, &p);
    }
    struct periph a = { .name = "AFIO", .base = AFIO_BASE, .size = 0x400, .ctx = g,
                        .read = afio_read, .write = afio_write, .reset = gpio_reset,
                        .advance = gpio_advance, .destroy = gpio_destroy };
    board_add_periph(b, &a);
}

void gpio_set_input(struct board *b, int port, int pin, int level)
{
    struct gpio *g = board_models(b)->gpio;
    if (g)
        set_ext(g, port, pin, level);
}

void gpio_rcc_reset(struct board *b, int port)
{
    struct gpio *g = board_models(b)->gpio;
    if (!g)
        return;
    if (port < 0) {
        g->evcr = g->mapr = g->mapr2 = 0;
        for (int i = 0; i < 4; i++)
            g->exticr[i] = 0;
    } else if (port < g->nports) {
        port_reset(&g->port[port]);
    }
}

unsigned gpio_pin_cfg(struct board *b, int port, int pin)
{
    struct gpio *g = board_models(b)->gpio;
    if (!g || port < 0 || port >= g->nports || pin < 0 || pin > 15)
        return 0x4u; /* floating input, as after reset */
    return pin_cfg(&g->port[port], pin);
}

/* USART pins per remap value (RM0008 9.3.8): USART1_REMAP (MAPR bit 2), USART2_REMAP (bit 3),
 * USART3_REMAP (bits 5:4; 10 is "not used"). Ports: 0 = A. */
static const struct { struct pin tx, rx; } usart_map[3][4] = {
    { { { 0, 9 }, { 0, 10 } }, { { 1, 6 }, { 1, 7 } }, { { -1, 0 }, { -1, 0 } }, { { -1, 0 }, { -1, 0 } } },
    { { { 0, 2 }, { 0, 3 } }, { { 3, 5 }, { 3, 6 } }, { { -1, 0 }, { -1, 0 } }, { { -1, 0 }, { -1, 0 } } },
    { { { 1, 10 }, { 1, 11 } }, { { 2, 10 }, { 2, 11 } }, { { -1, 0 }, { -1, 0 } }, { { 3, 8 }, { 3, 9 } } },
};

bool afio_usart_map(int usart, unsigned remap, struct pin *tx, struct pin *rx)
{
    if (usart < 1 || usart > 3 || remap > 3 || usart_map[usart - 1][remap].tx.port < 0)
        return false;
    *tx = usart_map[usart - 1][remap].tx;
    *rx = usart_map[usart - 1][remap].rx;
    return true;
}

unsigned afio_usart_remap(struct board *b, int usart)
{
    struct gpio *g = board_models(b)->gpio;
    uint32_t m = g ? g->mapr : 0;
    return usart == 1 ? (m >> 2) & 1u : usart == 2 ? (m >> 3) & 1u : (m >> 4) & 3u;
}
