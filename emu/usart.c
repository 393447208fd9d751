/* USART1, USART2, USART3 (RM0008 section 27) at the character level: one model, one instance per
 * USART (its base, bus clock, clock gate, interrupt line and DMA channels in a table). The host
 * bridge (usart_host.c) is wired to one of them, at the pins of one AFIO remap.
 *
 * Timing: one character lasts (start + word length + stop bits) * BRR / PCLKx. Host bytes wait in
 * a queue until the receiver is enabled (UE and RE), then arrive back to back at that rate; a
 * character that completes while RXNE is still set sets ORE and is lost (RDR keeps the old one).
 * Every register access first brings the model up to the current emulated time, so the result
 * does not depend on how often the core calls advance().
 *
 * When the host's line settings (its rate, its framing) disagree with the USART's beyond what a
 * receiver tolerates, bytes no longer cross as bytes: each side puts frames of bits on a line
 * at its own rate and the other side samples them at its own (struct sim, uart_line.c), so the
 * USART gets what a real one would (wrong values, FE, NE, PE, bytes lost or added) and so does
 * the host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "periph.h"
#include "uart_line.h"
#include "usart_host.h"

/* RM0008: memory map, vector table (interrupts), DMA1 request mapping (13.3.7). */
struct usart_def {
    const char *name;
    uint32_t base;
    enum clk clk;     /* USART1 on APB2, the others on APB1 */
    uint32_t enr;     /* RCC enable register and bit */
    unsigned enr_bit;
    int irq;
    int dma_rx, dma_tx;
};
static const struct usart_def defs[NUSART] = {
    { "USART1", 0x40013800u, CLK_PCLK2, RCC_APB2ENR, RCC_APB2_USART1, 37, 5, 4 },
    { "USART2", 0x40004400u, CLK_PCLK1, RCC_APB1ENR, RCC_APB1_USART2, 38, 6, 7 },
    { "USART3", 0x40004800u, CLK_PCLK1, RCC_APB1ENR, RCC_APB1_USART3, 39, 3, 2 },
};

/* R_ prefix: <termios.h> defines CR1, CR2, CR3 */
enum { R_SR = 0x00, R_DR = 0x04, R_BRR = 0x08, R_CR1 = 0x0C, R_CR2 = 0x10, R_CR3 = 0x14,
       R_GTPR = 0x18 };

#define SR_PE (1u << 0)
#define SR_FE (1u << 1)
#define SR_NE (1u << 2)
#define SR_ORE (1u << 3)
#define SR_IDLE (1u << 4)
#define SR_RXNE (1u << 5)
#define SR_TC (1u << 6)
#define SR_TXE (1u << 7)
#define SR_LBD (1u << 8)
#define SR_CTS (1u << 9)
#define SR_ERRS (SR_PE | SR_FE | SR_NE | SR_ORE | SR_IDLE) /* cleared by R_SR read, R_DR read */

#define CR1_SBK (1u << 0)
#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define CR1_IDLEIE (1u << 4)
#define CR1_RXNEIE (1u << 5)
#define CR1_TCIE (1u << 6)
#define CR1_TXEIE (1u << 7)
#define CR1_PEIE (1u << 8)
#define CR1_PS (1u << 9)
#define CR1_PCE (1u << 10)
#define CR1_M (1u << 12)
#define CR1_UE (1u << 13)
#define CR2_LBDIE (1u << 6)
#define CR3_EIE (1u << 0)
#define CR3_DMAR (1u << 6)
#define CR3_DMAT (1u << 7)
#define CR3_CTSIE (1u << 10)

/* The bridged USART's lines when the two sides disagree (see the top of this file). */
struct sim {
    struct uart_line rx_line;  /* host frames toward the USART */
    struct uart_rx rx;         /* the USART's receiver on it */
    uint64_t wire_free;        /* ns: the host's transmitter can start its next frame */
    struct uart_line tx_line;  /* the USART's frames toward the host */
    struct uart_rx host_rx;    /* the host's receiver on it */
    struct host_line tx_host;  /* the host's settings for the frames on tx_line */
    struct uart_fmt tx_fmt;    /* the USART's frame format when it sent them */
    bool full_logged;
    char logged[200];          /* the last disagreement logged */
};

struct usart {
    struct board *b;
    const struct usart_def *def;
    int n;                 /* 1..3 */
    struct usart_host *host; /* the bridge, when it is wired to this USART; else NULL */
    struct pin wire_tx, wire_rx; /* the pins the host is wired to */
    unsigned wire_remap;   /* the AFIO remap those pins belong to */
    unsigned tx_problem, rx_problem; /* last logged reason the wire is cut (0 = none) */
    uint32_t sr, brr, cr1, cr2, cr3, gtpr;
    uint16_t rdr, tdr;
    uint32_t sr_seen;      /* flags set when SR was last read, for the SR-then-DR clear sequences */
    bool sr_seen_valid;
    /* receiver */
    bool rx_busy;
    uint64_t rx_end;       /* current character completes */
    uint8_t rx_byte;
    uint64_t rx_free_at;   /* earliest start of the next character */
    uint64_t idle_at;      /* IDLE line detected, UINT64_MAX when not armed */
    struct sim *sim;       /* the bridged USART only */
    /* transmitter */
    bool tx_busy, tx_idle_frame;
    bool tx_sim;           /* the character in the shifter went on sim->tx_line */
    uint64_t tx_end;
    uint16_t tsr;
    bool irq;
    bool in_sync;          /* processing an event: DMA accesses happen at t_cur, no nested sync */
    uint64_t t_cur;
    /* stop_on_uart: the last strlen(stop) bytes sent */
    char *win;
    size_t win_len, stop_len;
};

static struct usart *usart_of(struct board *b, int n)
{
    return n >= 1 && n <= NUSART ? board_models(b)->usart[n - 1] : NULL;
}

static bool rx_on(const struct usart *u)
{
    return (u->cr1 & (CR1_UE | CR1_RE)) == (CR1_UE | CR1_RE);
}

static bool tx_on(const struct usart *u)
{
    return (u->cr1 & (CR1_UE | CR1_TE)) == (CR1_UE | CR1_TE);
}

/* One character time in ns; 0 when the baud rate generator is stopped (BRR = 0). */
static uint64_t char_ns(const struct usart *u)
{
    uint32_t brr = u->brr & 0xFFFFu;
    uint64_t hz = rcc_clock_hz(u->b, u->def->clk);
    if (brr == 0 || hz == 0)
        return 0;
    static const unsigned stop_half[4] = { 2, 1, 4, 3 }; /* 1, 0.5, 2, 1.5 stop bits */
    unsigned half_bits = 2u * (1u + ((u->cr1 & CR1_M) ? 9u : 8u)) + stop_half[(u->cr2 >> 12) & 3u];
    return ((uint64_t)half_bits * brr * 1000000000u + hz) / (2u * hz);
}

static unsigned parity(uint32_t v)
{
    return (unsigned)__builtin_parity(v);
}

/* The data word on the line for a host byte: the parity bit, when enabled, is the MSB of the
 * word (bit 7 with M = 0, bit 8 with M = 1) and is always generated correctly. */
static uint16_t rx_word(const struct usart *u, uint8_t byte)
{
    bool m = u->cr1 & CR1_M;
    if (!(u->cr1 & CR1_PCE))
        return byte;
    unsigned odd = (u->cr1 & CR1_PS) ? 1u : 0u;
    if (m)
        return (uint16_t)(byte | ((parity(byte) ^ odd) << 8));
    return (uint16_t)((byte & 0x7Fu) | ((parity(byte & 0x7Fu) ^ odd) << 7));
}

/* The byte a host (8 data bits) sees for a transmitted word. */
static uint8_t tx_byte(const struct usart *u, uint16_t word)
{
    unsigned odd = (u->cr1 & CR1_PS) ? 1u : 0u;
    if ((u->cr1 & CR1_PCE) && !(u->cr1 & CR1_M))
        return (uint8_t)((word & 0x7Fu) | ((parity(word & 0x7Fu) ^ odd) << 7));
    return (uint8_t)word; /* with M = 1 the 9th bit (data or parity) does not reach a byte host */
}

/* ---- a line the two sides disagree on ---- */

/* The USART's frame on the wire (uart_line.h); false while its baud rate generator is stopped. */
static bool usart_fmt(const struct usart *u, struct uart_fmt *f)
{
    uint32_t brr = u->brr & 0xFFFFu;
    uint64_t hz = rcc_clock_hz(u->b, u->def->clk);
    if (brr == 0 || hz == 0)
        return false;
    static const uint8_t stop_half[4] = { 2, 1, 4, 3 };
    f->bit_ps = (uint64_t)brr * 1000000000000u / hz;
    f->word_bits = (u->cr1 & CR1_M) ? 9u : 8u;
    f->stop_half = stop_half[(u->cr2 >> 12) & 3u];
    return true;
}

/* The host's frame: its rate (the USART's when unknown), 8 data bits and its parity (the USART's
 * framing when it matches by definition), 1 or 2 stop bits. */
static void host_fmt(const struct host_line *hl, const struct uart_fmt *uf, struct uart_fmt *f)
{
    f->bit_ps = hl->baud ? 1000000000000u / hl->baud : uf->bit_ps;
    f->word_bits = hl->parity == EMU_PARITY_MATCH ? uf->word_bits
                 : hl->parity == EMU_PARITY_NONE ? 8u : 9u;
    f->stop_half = hl->two_stop ? 4u : 2u;
}

static void frame_name(char *buf, size_t n, unsigned data, char par, const char *stop)
{
    snprintf(buf, n, "%u%c%s", data, par, stop);
}

/* Whether the host and the USART disagree beyond what a receiver tolerates: rates further apart
 * than RM0008's tolerance for this frame (uart_tolerance_ppm), or another framing (data bits,
 * parity). Describes it in why (for the log). */
static bool mismatch(const struct usart *u, const struct host_line *hl, char *why, size_t n)
{
    struct uart_fmt uf;
    if ((!hl->baud && hl->parity == EMU_PARITY_MATCH) || !usart_fmt(u, &uf))
        return false;
    bool m9 = u->cr1 & CR1_M, pce = u->cr1 & CR1_PCE, odd = u->cr1 & CR1_PS;
    uint32_t brr = u->brr & 0xFFFFu;
    double rate = (double)rcc_clock_hz(u->b, u->def->clk) / brr;
    unsigned tol = uart_tolerance_ppm(m9, (brr & 0xFu) != 0);
    double dev = hl->baud ? ((double)hl->baud - rate) / rate : 0;
    bool bad_rate = hl->baud && (dev > tol / 1e6 || dev < -(tol / 1e6));
    bool bad_frame = false;
    if (hl->parity != EMU_PARITY_MATCH)
        bad_frame = hl->parity == EMU_PARITY_NONE ? (m9 || pce)
                  : !(m9 && pce && odd == (hl->parity == EMU_PARITY_ODD));
    if (!bad_rate && !bad_frame)
        return false;
    static const char *const stop[4] = { "1", "0.5", "2", "1.5" };
    char hf[32], df[16];
    char hp = hl->parity == EMU_PARITY_EVEN ? 'E' : hl->parity == EMU_PARITY_ODD ? 'O' : 'N';
    if (hl->parity == EMU_PARITY_MATCH)
        snprintf(hf, sizeof hf, "framing as the USART");
    else
        frame_name(hf, sizeof hf, 8, hp, hl->two_stop ? "2" : "1");
    frame_name(df, sizeof df, (m9 ? 9u : 8u) - (pce ? 1u : 0u), pce ? (odd ? 'O' : 'E') : 'N',
               stop[(u->cr2 >> 12) & 3u]);
    char hr[24] = "rate as the USART";
    if (hl->baud)
        snprintf(hr, sizeof hr, "%u baud", hl->baud);
    snprintf(why, n, "host %s %s, %s %.0f baud %s (%+.2f %%, a receiver tolerates %.2f %%)", hr,
             hf, u->def->name, rate, df, dev * 100.0, tol / 1e4);
    return true;
}

static void log_mismatch(struct usart *u, const char *why)
{
    if (strcmp(u->sim->logged, why) == 0)
        return;
    snprintf(u->sim->logged, sizeof u->sim->logged, "%s", why);
    board_log(u->b, 1, "line mismatch: %s: bytes are garbled both ways", why);
}

static uint64_t ps_to_ns(uint64_t ps)
{
    return ps == UINT64_MAX ? UINT64_MAX : (ps + 999u) / 1000u;
}

/* Frames a receiver no longer needs: those that ended a bit before its reference point. */
static void prune(struct uart_line *l, const struct uart_rx *r, uint64_t bit_ps, uint64_t now_ps)
{
    uint64_t ref = r->state == RX_SEARCH ? (r->from_ps < now_ps ? r->from_ps : now_ps) : r->td_ps;
    uart_line_drop_before(l, ref > bit_ps ? ref - bit_ps : 0);
}

static bool put_frame(struct usart *u, struct uart_line *l, uint64_t start_ps, uint16_t word,
                      const struct uart_fmt *f)
{
    uint64_t end = uart_line_end(l);
    if (uart_line_put(l, start_ps > end ? start_ps : end, word, f))
        return true;
    if (!u->sim->full_logged)
        board_log(u->b, 1, "%s: a receiver fell %u frames behind on a mismatched line: frames "
                  "dropped", u->def->name, UART_LINE_FRAMES);
    u->sim->full_logged = true;
    return false;
}

/* The frame the transmitter puts on the wire for a DR value: with PCE the MSB is the parity. */
static uint16_t tx_wire_word(const struct usart *u, uint16_t v)
{
    unsigned odd = (u->cr1 & CR1_PS) ? 1u : 0u;
    if (!(u->cr1 & CR1_PCE))
        return (u->cr1 & CR1_M) ? v & 0x1FFu : v & 0xFFu;
    if (u->cr1 & CR1_M)
        return (uint16_t)((v & 0xFFu) | ((parity(v & 0xFFu) ^ odd) << 8));
    return (uint16_t)((v & 0x7Fu) | ((parity(v & 0x7Fu) ^ odd) << 7));
}

/* The frame the host sends for a byte: 8 data bits and its parity bit, or in the USART's framing
 * (parity generated right) when the framing matches by definition. */
static uint16_t host_wire_word(const struct usart *u, const struct host_line *hl, uint8_t c)
{
    if (hl->parity == EMU_PARITY_MATCH)
        return rx_word(u, c);
    if (hl->parity == EMU_PARITY_NONE)
        return c;
    return (uint16_t)(c | ((parity(c) ^ (hl->parity == EMU_PARITY_ODD ? 1u : 0u)) << 8));
}

static void update_irq(struct usart *u)
{
    uint32_t s = u->sr, c1 = u->cr1, c3 = u->cr3;
    bool level = ((c1 & CR1_TXEIE) && (s & SR_TXE)) || ((c1 & CR1_TCIE) && (s & SR_TC)) ||
                 ((c1 & CR1_RXNEIE) && (s & (SR_RXNE | SR_ORE))) ||
                 ((c1 & CR1_IDLEIE) && (s & SR_IDLE)) || ((c1 & CR1_PEIE) && (s & SR_PE)) ||
                 ((u->cr2 & CR2_LBDIE) && (s & SR_LBD)) || ((c3 & CR3_CTSIE) && (s & SR_CTS)) ||
                 ((c3 & CR3_EIE) && (c3 & CR3_DMAR) && (s & (SR_FE | SR_NE | SR_ORE)));
    if (level != u->irq) {
        u->irq = level;
        board_irq(u->b, u->def->irq, level);
    }
}

static void stop_window(struct usart *u, uint8_t c)
{
    if (!u->stop_len)
        return;
    if (u->win_len == u->stop_len) {
        memmove(u->win, u->win + 1, u->stop_len - 1);
        u->win_len--;
    }
    u->win[u->win_len++] = (char)c;
    const struct emu_config *cfg = board_config(u->b);
    if (u->win_len == u->stop_len && memcmp(u->win, cfg->stop_on_uart, u->stop_len) == 0)
        board_stop(u->b, EMU_EXIT_OK, "the UART output contains the stop string");
}

static char port_letter(struct pin p)
{
    return (char)('A' + p.port);
}

/* Whether a signal crosses between this USART and the host's wire: AFIO_MAPR must put the USART
 * on the pins the host is wired to, and the pin must be configured for it (RM0008 9.1.11: TX an
 * alternate-function output, RX a floating or pull-up/down input). Each new reason the wire is
 * cut is logged once (level 1). */
enum { WIRE_OK, WIRE_REMAPPED, WIRE_PIN_MODE };
static bool wired(struct usart *u, bool tx)
{
    struct pin p = tx ? u->wire_tx : u->wire_rx, at_tx, at_rx;
    unsigned remap = afio_usart_remap(u->b, u->n), cfg = gpio_pin_cfg(u->b, p.port, p.pin);
    unsigned problem = remap != u->wire_remap ? WIRE_REMAPPED
                     : !(tx ? gpio_cfg_af_output(cfg) : gpio_cfg_digital_input(cfg)) ? WIRE_PIN_MODE
                     : WIRE_OK;
    unsigned *logged = tx ? &u->tx_problem : &u->rx_problem;
    if (problem != *logged && problem == WIRE_REMAPPED) {
        if (afio_usart_map(u->n, remap, &at_tx, &at_rx))
            board_log(u->b, 1, "%s %s is on P%c%d (AFIO_MAPR), the host is wired to P%c%d: %s",
                      u->def->name, tx ? "TX" : "RX", port_letter(tx ? at_tx : at_rx),
                      tx ? at_tx.pin : at_rx.pin, port_letter(p), p.pin,
                      tx ? "the host hears nothing" : "the USART hears nothing from the host");
        else
            board_log(u->b, 1, "%s remap %u is \"not used\" (RM0008): the USART has no pins",
                      u->def->name, remap);
    } else if (problem != *logged && problem == WIRE_PIN_MODE) {
        board_log(u->b, 1, "%s %s pin P%c%d is configured 0x%x (CNF:MODE), not %s: %s",
                  u->def->name, tx ? "TX" : "RX", port_letter(p), p.pin, cfg,
                  tx ? "an alternate-function output" : "a floating or pull-up/down input",
                  tx ? "the host hears nothing" : "the USART hears nothing from the host");
    }
    *logged = problem;
    return problem == WIRE_OK;
}

static void load_shifter(struct usart *u, uint64_t t)
{
    u->tsr = u->tdr;
    u->sr |= SR_TXE;
    u->tx_busy = true;
    u->tx_idle_frame = false;
    uint64_t c = char_ns(u);
    u->tx_end = c ? t + c : UINT64_MAX; /* BRR = 0: the baud rate generator is stopped */
    /* On a mismatched line (or one still carrying such frames) the character goes on the wire
     * as bits; the host's receiver makes of them what it can (sim_host_step). The host's rate is
     * read again for every character. */
    u->tx_sim = false;
    struct uart_fmt uf;
    if (u->sim && usart_fmt(u, &uf)) {
        struct sim *m = u->sim;
        struct host_line hl;
        char why[200];
        usart_host_line(u->host, &hl);
        if (uart_rx_idle(&m->host_rx))
            prune(&m->tx_line, &m->host_rx, uf.bit_ps, t * 1000u);
        bool bad = mismatch(u, &hl, why, sizeof why);
        if (bad)
            log_mismatch(u, why);
        if (bad || m->tx_line.len > 0 || !uart_rx_idle(&m->host_rx)) {
            u->tx_sim = true;
            m->tx_host = hl;
            m->tx_fmt = uf;
            if (wired(u, true))
                put_frame(u, &m->tx_line, t * 1000u, tx_wire_word(u, u->tsr), &uf);
        }
    }
    if (u->cr3 & CR3_DMAT)
        dma_request(u->b, u->def->dma_tx);
}

static void tx_complete(struct usart *u, uint64_t t)
{
    u->tx_busy = false;
    if (!u->tx_idle_frame) {
        uint8_t c = tx_byte(u, u->tsr);
        board_log(u->b, 2, "%s TX 0x%02x", u->def->name, c);
        if (u->host && !u->tx_sim && wired(u, true)) {
            usart_host_send(u->host, c);
            stop_window(u, c);
        }
    }
    if (!(u->sr & SR_TXE) && tx_on(u))
        load_shifter(u, t);
    else
        u->sr |= SR_TC;
}

static void rx_complete(struct usart *u, uint64_t t)
{
    u->rx_busy = false;
    u->rx_free_at = t;
    if (!rx_on(u))
        return;
    u->idle_at = t + char_ns(u);
    if (u->sr & SR_RXNE) {
        u->sr |= SR_ORE;
        board_log(u->b, 1, "%s overrun: byte 0x%02x lost (RDR holds 0x%02x)", u->def->name,
                  u->rx_byte, u->rdr & 0xFFu);
        return;
    }
    u->rdr = rx_word(u, u->rx_byte);
    u->sr |= SR_RXNE;
    board_log(u->b, 2, "%s RX 0x%02x", u->def->name, u->rx_byte);
    if (u->cr3 & CR3_DMAR)
        dma_request(u->b, u->def->dma_rx);
}

/* A character the receiver sampled off a mismatched line: RDR takes it with its flags (RM0008
 * 27.3.3: on a framing error, noise or a parity error the data is still transferred, and FE, NE,
 * PE are set with RXNE). */
static void rx_deliver(struct usart *u, uint64_t t, const struct uart_char *ch)
{
    bool m9 = u->cr1 & CR1_M;
    uint16_t word = (uint16_t)(ch->word & (m9 ? 0x1FFu : 0xFFu));
    bool pe = (u->cr1 & CR1_PCE) && parity(word) != ((u->cr1 & CR1_PS) ? 1u : 0u);
    u->idle_at = t + char_ns(u);
    if (u->sr & SR_RXNE) {
        u->sr |= SR_ORE;
        board_log(u->b, 1, "%s overrun: byte 0x%02x lost (RDR holds 0x%02x)", u->def->name,
                  word & 0xFFu, u->rdr & 0xFFu);
        return;
    }
    u->rdr = word;
    u->sr |= SR_RXNE | (ch->fe ? SR_FE : 0u) | (ch->ne ? SR_NE : 0u) | (pe ? SR_PE : 0u);
    board_log(u->b, 2, "%s RX 0x%02x%s%s%s", u->def->name, word, ch->fe ? " FE" : "",
              ch->ne ? " NE" : "", pe ? " PE" : "");
    if (u->cr3 & CR3_DMAR)
        dma_request(u->b, u->def->dma_rx);
}

/* The USART's receiver on the mismatched line: its next step, and the step. */
static uint64_t sim_rx_next(struct usart *u)
{
    struct uart_fmt uf;
    if (!u->sim || (u->sim->rx_line.len == 0 && uart_rx_idle(&u->sim->rx)) || !rx_on(u) ||
        !usart_fmt(u, &uf))
        return UINT64_MAX;
    return ps_to_ns(uart_rx_next(&u->sim->rx, &u->sim->rx_line, &uf));
}

static void sim_rx_step(struct usart *u, uint64_t t)
{
    struct uart_fmt uf;
    struct uart_char ch;
    usart_fmt(u, &uf);
    if (uart_rx_step(&u->sim->rx, &u->sim->rx_line, &uf, &ch))
        rx_deliver(u, t, &ch);
    if (!uart_rx_idle(&u->sim->rx))
        u->idle_at = UINT64_MAX; /* a start bit: the line is not idle */
    prune(&u->sim->rx_line, &u->sim->rx, uf.bit_ps, t * 1000u);
}

/* The host's receiver on the USART's frames: what it makes of them goes to the host. */
static uint64_t sim_host_next(struct usart *u)
{
    struct uart_fmt hf;
    if (!u->sim || (u->sim->tx_line.len == 0 && uart_rx_idle(&u->sim->host_rx)))
        return UINT64_MAX;
    host_fmt(&u->sim->tx_host, &u->sim->tx_fmt, &hf);
    return ps_to_ns(uart_rx_next(&u->sim->host_rx, &u->sim->tx_line, &hf));
}

static void sim_host_step(struct usart *u, uint64_t t)
{
    struct uart_fmt hf;
    struct uart_char ch;
    const struct host_line *hl = &u->sim->tx_host;
    host_fmt(hl, &u->sim->tx_fmt, &hf);
    if (uart_rx_step(&u->sim->host_rx, &u->sim->tx_line, &hf, &ch)) {
        uint8_t c = (uint8_t)ch.word;
        bool pe = false;
        if (hl->parity == EMU_PARITY_MATCH && (u->cr1 & CR1_PCE))
            pe = parity(ch.word & ((u->cr1 & CR1_M) ? 0x1FFu : 0xFFu)) != ((u->cr1 & CR1_PS) ? 1u : 0u);
        else if (hl->parity == EMU_PARITY_EVEN || hl->parity == EMU_PARITY_ODD)
            pe = parity(ch.word & 0x1FFu) != (hl->parity == EMU_PARITY_ODD ? 1u : 0u);
        board_log(u->b, 2, "%s line -> host 0x%02x%s%s", u->def->name, c, ch.fe ? " FE" : "",
                  pe ? " PE" : "");
        if (!(ch.fe || pe) || usart_host_deliver_error(u->host, hl, &c)) {
            usart_host_send(u->host, c);
            stop_window(u, c);
        }
    }
    prune(&u->sim->tx_line, &u->sim->host_rx, hf.bit_ps, t * 1000u);
}

/* The next host byte goes on the wire: as a byte (the sides agree), or as a frame on the
 * mismatched line, which stays in use until the USART's receiver has worked through it. */
static void rx_start(struct usart *u, uint64_t t)
{
    struct host_line hl;
    uint8_t c = usart_host_pop(u->host, &hl);
    struct uart_fmt uf, hf;
    char why[200];
    bool sim = false;
    if (u->sim && usart_fmt(u, &uf)) {
        if (uart_rx_idle(&u->sim->rx))
            prune(&u->sim->rx_line, &u->sim->rx, uf.bit_ps, t * 1000u);
        if (mismatch(u, &hl, why, sizeof why)) {
            log_mismatch(u, why);
            sim = true;
        }
        sim |= u->sim->rx_line.len > 0 || !uart_rx_idle(&u->sim->rx);
    }
    if (!sim) {
        if (!wired(u, false)) { /* on the wire, but not at this USART's RX pin: lost */
            u->rx_free_at = t + char_ns(u);
            return;
        }
        u->rx_byte = c;
        u->rx_busy = true;
        u->rx_end = t + char_ns(u);
        u->idle_at = UINT64_MAX; /* a start bit: the line is not idle */
        return;
    }
    host_fmt(&hl, &uf, &hf);
    uint64_t start = t * 1000u, end = start + uart_frame_ps(&hf);
    u->sim->wire_free = ps_to_ns(end);
    if (wired(u, false))
        put_frame(u, &u->sim->rx_line, start, host_wire_word(u, &hl, c), &hf);
}

/* When the next host byte can go on the wire, UINT64_MAX when none can: after the previous one
 * (its character, or its frame on a mismatched line), and only with the receiver on. */
static uint64_t rx_next_start(const struct usart *u)
{
    if (!u->host || u->rx_busy || !rx_on(u) || !usart_host_pending(u->host) || char_ns(u) == 0)
        return UINT64_MAX;
    uint64_t t = usart_host_head_time(u->host);
    if (u->rx_free_at > t)
        t = u->rx_free_at;
    if (u->sim && u->sim->wire_free > t)
        t = u->sim->wire_free;
    return t;
}

/* Process every event up to now, in time order. */
static uint64_t sync(struct usart *u, uint64_t now)
{
    if (u->in_sync)
        return UINT64_MAX;
    u->in_sync = true;
    for (;;) {
        uint64_t t_tx = u->tx_busy ? u->tx_end : UINT64_MAX;
        uint64_t t_rx = u->rx_busy ? u->rx_end : UINT64_MAX;
        uint64_t t_start = rx_next_start(u);
        uint64_t t_rsim = sim_rx_next(u);
        uint64_t t_hsim = sim_host_next(u);
        uint64_t t_idle = u->idle_at;
        uint64_t t = t_tx < t_rx ? t_tx : t_rx;
        if (t_start < t)
            t = t_start;
        if (t_rsim < t)
            t = t_rsim;
        if (t_hsim < t)
            t = t_hsim;
        if (t_idle < t)
            t = t_idle;
        if (t > now) {
            u->in_sync = false;
            update_irq(u);
            return t;
        }
        u->t_cur = t;
        /* At equal times: frames go on a line before its receiver looks at it. */
        if (t == t_rx) {
            rx_complete(u, t);
        } else if (t == t_tx) {
            tx_complete(u, t);
        } else if (t == t_start) {
            rx_start(u, t);
        } else if (t == t_rsim) {
            sim_rx_step(u, t);
        } else if (t == t_hsim) {
            sim_host_step(u, t);
        } else {
            u->idle_at = UINT64_MAX;
            u->sr |= SR_IDLE;
        }
        update_irq(u);
    }
}

/* Register accesses made by the DMA while an event is processed happen at that event's time. */
static uint64_t now_of(const struct usart *u)
{
    return u->in_sync ? u->t_cur : board_now_ns(u->b);
}

static bool clock_on(const struct usart *u)
{
    return rcc_clock_enabled(u->b, u->def->enr, u->def->enr_bit);
}

static uint32_t read_reg(struct usart *u, uint32_t w)
{
    switch (w) {
    case R_SR:
        u->sr_seen = u->sr;
        u->sr_seen_valid = true;
        return u->sr;
    case R_DR: {
        uint32_t v = u->rdr & ((u->cr1 & CR1_M) ? 0x1FFu : 0xFFu);
        u->sr &= ~SR_RXNE;
        if (u->sr_seen_valid)
            u->sr &= ~(u->sr_seen & SR_ERRS);
        u->sr_seen_valid = false;
        return v;
    }
    case R_BRR: return u->brr;
    case R_CR1: return u->cr1;
    case R_CR2: return u->cr2;
    case R_CR3: return u->cr3;
    default: return u->gtpr;
    }
}

static bool usart_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct usart *u = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > R_GTPR)
        return false;
    if (!clock_on(u)) {
        *val = 0;
        return true;
    }
    sync(u, now_of(u));
    *val = (read_reg(u, w) >> sh) & lane_mask(size, 0);
    update_irq(u);
    return true;
}

static void write_dr(struct usart *u, uint32_t v, uint64_t now)
{
    u->tdr = (uint16_t)(v & 0x1FFu);
    u->sr &= ~SR_TXE;
    /* TC clears on a DR write preceded by an SR read, even when TC rose in between (a write
     * racing the end of the previous character must not leave TC set for the new one). */
    if (u->sr_seen_valid)
        u->sr &= ~SR_TC;
    u->sr_seen_valid = false;
    if (tx_on(u) && !u->tx_busy)
        load_shifter(u, now);
}

static void write_cr1(struct usart *u, uint32_t v, uint64_t now)
{
    bool rx_was = rx_on(u), tx_was = tx_on(u), ue_was = u->cr1 & CR1_UE;
    u->cr1 = v & 0x3FFFu & ~CR1_SBK; /* a break cannot cross a byte bridge: SBK clears at once */
    if (ue_was && !(u->cr1 & CR1_UE)) {
        /* UE = 0 stops the prescalers: the character in progress is lost. */
        u->tx_busy = false;
        u->rx_busy = false;
    }
    if (!rx_on(u)) {
        u->rx_busy = false;
        u->idle_at = UINT64_MAX;
        if (u->sim) { /* the receiver stops: what is on its line is lost */
            uart_line_clear(&u->sim->rx_line);
            uart_rx_reset(&u->sim->rx, UINT64_MAX, 0);
        }
    } else if (!rx_was) {
        u->rx_free_at = now;
        if (u->sim)
            uart_rx_reset(&u->sim->rx, now * 1000u, 0);
    }
    if (tx_on(u) && !tx_was && !u->tx_busy) {
        /* Setting TE sends an idle frame (preamble) first. */
        u->tx_busy = true;
        u->tx_idle_frame = true;
        uint64_t c = char_ns(u);
        u->tx_end = c ? now + c : UINT64_MAX;
    }
}

static bool usart_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct usart *u = ctx;
    uint32_t w;
    unsigned sh;
    if (!reg_split(off, size, &w, &sh) || w > R_GTPR)
        return false;
    if (!clock_on(u))
        return true;
    uint64_t now = now_of(u);
    sync(u, now);
    uint32_t lanes = lane_mask(size, sh), v = val << sh;
    switch (w) {
    case R_SR: {
        uint32_t m = reg_merge(u->sr, v, lanes, 0xFFFFFFFFu);
        u->sr &= m | ~(SR_CTS | SR_LBD | SR_TC | SR_RXNE); /* rc_w0 bits */
        break;
    }
    case R_DR: write_dr(u, reg_merge(u->tdr, v, lanes, 0x1FFu), now); break;
    case R_BRR:
        u->brr = reg_merge(u->brr, v, lanes, 0xFFFFu);
        if (u->tx_busy && u->tx_end == UINT64_MAX && char_ns(u))
            u->tx_end = now + char_ns(u);
        break;
    case R_CR1: write_cr1(u, reg_merge(u->cr1, v, lanes, 0x3FFFu), now); break;
    case R_CR2: u->cr2 = reg_merge(u->cr2, v, lanes, 0x7F6Fu); break;
    case R_CR3: u->cr3 = reg_merge(u->cr3, v, lanes, 0x7FFu); break;
    default: u->gtpr = reg_merge(u->gtpr, v, lanes, 0xFFFFu); break;
    }
    sync(u, now);
    /* DMA request lines are levels: a request enabled while its flag is set is served now. */
    if (w == R_CR3 || w == R_CR1) {
        if ((u->cr3 & CR3_DMAT) && (u->sr & SR_TXE))
            dma_request(u->b, u->def->dma_tx);
        if ((u->cr3 & CR3_DMAR) && (u->sr & SR_RXNE))
            dma_request(u->b, u->def->dma_rx);
    }
    update_irq(u);
    return true;
}

static void hw_reset(struct usart *u)
{
    u->sr = SR_TXE | SR_TC;
    u->brr = u->cr1 = u->cr2 = u->cr3 = u->gtpr = 0;
    u->rdr = u->tdr = u->tsr = 0;
    u->sr_seen_valid = false;
    u->rx_busy = u->tx_busy = false;
    u->idle_at = UINT64_MAX;
    u->rx_free_at = 0;
    u->tx_sim = false;
    if (u->sim) {
        /* The chip's side of both lines stops; the host's receiver, outside the chip, goes on
         * and sees an idle line where the USART's frames were cut. */
        uart_line_clear(&u->sim->rx_line);
        uart_rx_reset(&u->sim->rx, UINT64_MAX, 0);
        uart_line_clear(&u->sim->tx_line);
    }
    update_irq(u);
}

static void usart_reset(void *ctx, enum reset_kind kind)
{
    (void)kind; /* the host side (queued input, connection) is not part of the chip */
    hw_reset(ctx);
}

static uint64_t usart_advance(void *ctx, uint64_t now)
{
    struct usart *u = ctx;
    if (u->host)
        usart_host_flush(u->host);
    return sync(u, now);
}

static int usart_poll_fd(void *ctx)
{
    struct usart *u = ctx;
    return usart_host_fd(u->host);
}

static void usart_poll_in(void *ctx)
{
    struct usart *u = ctx;
    uint64_t now = board_now_ns(u->b);
    sync(u, now);
    usart_host_receive(u->host, now);
}

static void usart_destroy(void *ctx)
{
    struct usart *u = ctx;
    if (u->host) {
        usart_host_close(u->host);
        free(u->host);
    }
    free(u->sim);
    free(u->win);
    free(u);
}

/* The bridge's USART (emu_config.uart_index, 1..3) and the remap whose pins it is wired to. */
static int bridge_setup(struct usart *u, const struct emu_config *cfg)
{
    int want = cfg && cfg->uart_index ? cfg->uart_index : 1;
    unsigned remap = cfg ? (unsigned)cfg->uart_remap : 0;
    if (want < 1 || want > NUSART) {
        board_log(u->b, 0, "the host bridge can be wired to USART1..USART%d, not %d", NUSART, want);
        return -1;
    }
    if (want != u->n)
        return 0;
    if (!afio_usart_map(u->n, remap, &u->wire_tx, &u->wire_rx)) {
        board_log(u->b, 0, "%s has no remap %u (RM0008 9.3.8: USART1/2 0 or 1, USART3 0, 1 or 3)",
                  u->def->name, remap);
        return -1;
    }
    u->wire_remap = remap;
    if (cfg && cfg->stop_on_uart && cfg->stop_on_uart[0]) {
        u->stop_len = strlen(cfg->stop_on_uart);
        u->win = malloc(u->stop_len);
        if (!u->win)
            abort();
    }
    u->host = calloc(1, sizeof *u->host);
    u->sim = calloc(1, sizeof *u->sim);
    if (!u->host || !u->sim)
        abort();
    uint32_t seed = cfg && cfg->line_seed ? cfg->line_seed : 0x5EED1234u;
    uart_rx_reset(&u->sim->rx, UINT64_MAX, seed * 2654435761u | 1u);
    uart_rx_reset(&u->sim->host_rx, 0, (seed ^ 0xA5A5A5A5u) * 40503u | 1u);
    return usart_host_open(u->host, u->b, cfg, u->def->name);
}

void usart_attach(struct board *b)
{
    const struct emu_config *cfg = board_config(b);
    for (int i = 0; i < NUSART; i++) {
        struct usart *u = calloc(1, sizeof *u);
        if (!u)
            abort();
        u->b = b;
        u->def = &defs[i];
        u->n = i + 1;
        board_models(b)->usart[i] = u;
        if (bridge_setup(u, cfg) != 0)
            board_stop(b, EMU_EXIT_SETUP, "UART host bridge");
        hw_reset(u);
        struct periph p = { .name = u->def->name, .base = u->def->base, .size = 0x400, .ctx = u,
                            .read = usart_read, .write = usart_write, .reset = usart_reset,
                            .advance = usart_advance, .destroy = usart_destroy };
        if (u->host) {
            p.poll_fd = usart_poll_fd;
            p.poll_in = usart_poll_in;
        }
        board_add_periph(b, &p);
    }
}

void usart_rcc_reset(struct board *b, int n)
{
    struct usart *u = usart_of(b, n);
    if (u)
        hw_reset(u);
}

/* A DMA1 channel's request line: the OR of every USART request mapped to it (RM0008 13.3.7). */
bool usart_dma_line(struct board *b, int channel)
{
    bool level = false;
    for (int n = 1; n <= NUSART; n++) {
        struct usart *u = usart_of(b, n);
        if (!u || !clock_on(u))
            continue;
        if (channel == u->def->dma_tx)
            level |= (u->cr3 & CR3_DMAT) && (u->sr & SR_TXE);
        if (channel == u->def->dma_rx)
            level |= (u->cr3 & CR3_DMAR) && (u->sr & SR_RXNE);
    }
    return level;
}
