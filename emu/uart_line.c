/* A UART wire as bits and an STM32F1-style receiver sampling it (uart_line.h). */
#include "uart_line.h"

uint64_t uart_frame_ps(const struct uart_fmt *fmt)
{
    return (1u + fmt->word_bits) * fmt->bit_ps + fmt->stop_half * fmt->bit_ps / 2u;
}

static const struct uart_frame *frame(const struct uart_line *l, unsigned i)
{
    return &l->f[(l->head + i) % UART_LINE_FRAMES];
}

bool uart_line_put(struct uart_line *l, uint64_t start_ps, uint16_t word,
                   const struct uart_fmt *fmt)
{
    if (l->len == UART_LINE_FRAMES)
        return false;
    struct uart_frame *f = &l->f[(l->head + l->len++) % UART_LINE_FRAMES];
    f->start_ps = start_ps;
    f->word = word;
    f->fmt = *fmt;
    return true;
}

uint64_t uart_line_end(const struct uart_line *l)
{
    if (!l->len)
        return 0;
    const struct uart_frame *f = frame(l, l->len - 1);
    return f->start_ps + uart_frame_ps(&f->fmt);
}

/* Level of bit k (0 = start) of a frame: start 0, word bits LSB first, stop bits 1. */
static int bit_level(const struct uart_frame *f, uint64_t k)
{
    if (k == 0)
        return 0;
    if (k <= f->fmt.word_bits)
        return (f->word >> (k - 1)) & 1;
    return 1;
}

int uart_line_level(const struct uart_line *l, uint64_t t_ps)
{
    for (unsigned i = 0; i < l->len; i++) {
        const struct uart_frame *f = frame(l, i);
        if (t_ps < f->start_ps)
            return 1;
        if (t_ps < f->start_ps + uart_frame_ps(&f->fmt))
            return bit_level(f, (t_ps - f->start_ps) / f->fmt.bit_ps);
    }
    return 1;
}

uint64_t uart_line_next_fall(const struct uart_line *l, uint64_t t_ps)
{
    for (unsigned i = 0; i < l->len; i++) {
        const struct uart_frame *f = frame(l, i);
        /* Falling edges: the start bit (a stop bit or idle line before it), and each word bit
         * 0 after a 1. */
        for (unsigned k = 0; k <= f->fmt.word_bits; k++) {
            bool fall = k == 0 || (bit_level(f, k - 1) == 1 && bit_level(f, k) == 0);
            uint64_t t = f->start_ps + k * f->fmt.bit_ps;
            if (fall && t >= t_ps)
                return t;
        }
    }
    return UINT64_MAX;
}

void uart_line_drop_before(struct uart_line *l, uint64_t t_ps)
{
    while (l->len) {
        const struct uart_frame *f = frame(l, 0);
        if (f->start_ps + uart_frame_ps(&f->fmt) >= t_ps)
            return;
        l->head = (l->head + 1) % UART_LINE_FRAMES;
        l->len--;
    }
}

void uart_line_clear(struct uart_line *l)
{
    l->head = l->len = 0;
}

/* ---- the receiver ---- */

static uint32_t rnd(struct uart_rx *r)
{
    uint32_t x = r->rng; /* xorshift32 */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return r->rng = x;
}

void uart_rx_reset(struct uart_rx *r, uint64_t from_ps, uint32_t seed)
{
    r->state = RX_SEARCH;
    r->from_ps = from_ps;
    r->edge_ps = UINT64_MAX;
    r->td_ps = 0;
    if (seed)
        r->rng = seed;
    if (!r->rng)
        r->rng = 0x2545F491u;
}

bool uart_rx_idle(const struct uart_rx *r)
{
    return r->state == RX_SEARCH;
}

/* Sample n (0 = sample 1 of the start bit; 16 per bit) of the character being received. */
static uint64_t sample_at(const struct uart_rx *r, const struct uart_fmt *fmt, uint64_t n)
{
    return r->td_ps + n * fmt->bit_ps / 16u;
}

/* Samples 8, 9, 10 of bit i: majority level, and whether they disagreed (noise). */
static int bit_vote(const struct uart_rx *r, const struct uart_line *l, const struct uart_fmt *fmt,
                    unsigned i, bool *noise)
{
    int ones = 0;
    for (unsigned k = 7; k <= 9; k++)
        ones += uart_line_level(l, sample_at(r, fmt, 16u * i + k));
    if (ones == 1 || ones == 2)
        *noise = true;
    return ones >= 2;
}

static uint64_t data_done_ps(const struct uart_rx *r, const struct uart_fmt *fmt)
{
    /* Sample 10 of the (first) stop bit; 0.5 stop bit is not sampled (RM0008 27.3.4). */
    unsigned stop = 1u + fmt->word_bits;
    return sample_at(r, fmt, 16u * stop + (fmt->stop_half == 1 ? 0u : 9u));
}

uint64_t uart_rx_next(struct uart_rx *r, const struct uart_line *l, const struct uart_fmt *fmt)
{
    switch (r->state) {
    case RX_SEARCH:
        if (r->edge_ps == UINT64_MAX)
            r->edge_ps = uart_line_next_fall(l, r->from_ps);
        return r->edge_ps;
    case RX_START: return sample_at(r, fmt, 9);
    default: return data_done_ps(r, fmt);
    }
}

static void search_from(struct uart_rx *r, uint64_t t_ps)
{
    r->state = RX_SEARCH;
    r->from_ps = t_ps;
    r->edge_ps = UINT64_MAX;
}

bool uart_rx_step(struct uart_rx *r, const struct uart_line *l, const struct uart_fmt *fmt,
                  struct uart_char *out)
{
    uint64_t ts = fmt->bit_ps / 16u;
    switch (r->state) {
    case RX_SEARCH: {
        uint64_t e = r->edge_ps;
        if (e == UINT64_MAX)
            return false;
        /* The sample clock's phase against this edge is arbitrary: the first sample that sees
         * the line low comes 0..1 sample period after it. The F1 needs three 1 samples before
         * the first 0 (RM0008 figure "Start bit detection"); a shorter low pulse than the gap
         * to the next sample is not seen at all. */
        r->td_ps = e + (uint64_t)(rnd(r) % 1024u) * ts / 1024u;
        bool preamble = true; /* before time 0 the line was idle */
        for (unsigned k = 1; preamble && k <= 3 && r->td_ps >= k * ts; k++)
            preamble = uart_line_level(l, r->td_ps - k * ts) == 1;
        if (!preamble || uart_line_level(l, r->td_ps) != 0) {
            search_from(r, e + 1);
            return false;
        }
        r->state = RX_START;
        return false;
    }
    case RX_START: {
        /* Samples 3, 5, 7 and 8, 9, 10 of the start bit: all 0, or at least two of three in
         * each group with NE; otherwise a false start, back to searching (RM0008 27.3.4). */
        static const unsigned group[2][3] = { { 2, 4, 6 }, { 7, 8, 9 } };
        int zeros[2] = { 0, 0 };
        for (int g = 0; g < 2; g++)
            for (int k = 0; k < 3; k++)
                zeros[g] += uart_line_level(l, sample_at(r, fmt, group[g][k])) == 0;
        if (zeros[0] < 2 || zeros[1] < 2) {
            search_from(r, sample_at(r, fmt, 9));
            return false;
        }
        r->state = RX_DATA;
        r->start_noise = zeros[0] != 3 || zeros[1] != 3;
        return false;
    }
    default: {
        bool noise = r->start_noise;
        uint16_t word = 0;
        for (unsigned i = 1; i <= fmt->word_bits; i++)
            word |= (uint16_t)(bit_vote(r, l, fmt, i, &noise) << (i - 1));
        bool fe = false;
        if (fmt->stop_half != 1)
            fe = !bit_vote(r, l, fmt, 1u + fmt->word_bits, &noise);
        out->word = word;
        out->fe = fe;
        out->ne = noise;
        out->at_ps = data_done_ps(r, fmt);
        search_from(r, out->at_ps);
        return true;
    }
    }
}

unsigned uart_tolerance_ppm(bool m9, bool fractional)
{
    static const unsigned ppm[2][2] = { { 37500, 33300 }, { 34100, 30300 } };
    return ppm[m9][fractional];
}
