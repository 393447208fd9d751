/* A UART wire as bits, and a receiver that samples it as the STM32F1's USART does (RM0008
 * 27.3.3-27.3.5: 16 samples per bit, start bit confirmed on samples 3, 5, 7 and 8, 9, 10, every
 * bit decided by the majority of samples 8, 9, 10, noise when they disagree, framing error when
 * the stop bit reads 0). The USART model uses it when the host and the USART disagree on the
 * line (rate beyond the receiver's tolerance, or framing): each transmitter puts its frames on a
 * line at its own rate, the other side's receiver samples them at its own. Times in picoseconds
 * (one bit at 115200 baud is 8680556 ps). */
#ifndef EMU_UART_LINE_H
#define EMU_UART_LINE_H

#include <stdbool.h>
#include <stdint.h>

struct uart_fmt {
    uint64_t bit_ps;   /* one bit */
    uint8_t word_bits; /* bits between start and stop bits: data and parity, 7..10 */
    uint8_t stop_half; /* stop bits x 2: 1 (0.5), 2 (1), 3 (1.5), 4 (2) */
};

struct uart_frame {
    uint64_t start_ps;
    uint16_t word; /* LSB first on the wire, parity bit (if any) included as the MSB */
    struct uart_fmt fmt;
};

#define UART_LINE_FRAMES 1024u /* enough for a receiver 100 times slower than the sender */

/* The frames one transmitter put on a wire, in time order; idle (1) elsewhere. */
struct uart_line {
    struct uart_frame f[UART_LINE_FRAMES];
    unsigned head, len;
};

uint64_t uart_frame_ps(const struct uart_fmt *fmt);   /* start + word + stop bits */
bool uart_line_put(struct uart_line *l, uint64_t start_ps, uint16_t word,
                   const struct uart_fmt *fmt);      /* false when full */
uint64_t uart_line_end(const struct uart_line *l);     /* end of the last frame, 0 if none */
int uart_line_level(const struct uart_line *l, uint64_t t_ps);
/* The first falling edge at or after t_ps, UINT64_MAX if none on the line yet. */
uint64_t uart_line_next_fall(const struct uart_line *l, uint64_t t_ps);
void uart_line_drop_before(struct uart_line *l, uint64_t t_ps); /* frames that ended before */
void uart_line_clear(struct uart_line *l);

/* A receiver working through a line: searching for a start bit, confirming one, receiving a
 * character. The phase of its sample clock against each start edge is drawn from rng. */
struct uart_rx {
    enum { RX_SEARCH, RX_START, RX_DATA } state;
    uint64_t from_ps; /* RX_SEARCH: look for a falling edge from here */
    uint64_t td_ps;   /* sample 1 of the start bit (the tick after the edge) */
    uint64_t edge_ps; /* RX_SEARCH: the edge found (UINT64_MAX: none yet) */
    bool start_noise; /* the start bit's samples disagreed */
    uint32_t rng;
};

struct uart_char {
    uint16_t word;  /* the bits between start and stop, LSB first */
    bool fe, ne;    /* stop bit read 0; samples disagreed (start, data or stop bit) */
    uint64_t at_ps; /* sample 10 of the stop bit: the character is complete */
};

void uart_rx_reset(struct uart_rx *r, uint64_t from_ps, uint32_t seed);
/* Time of the receiver's next step on line l at format fmt, UINT64_MAX when it waits for a
 * frame that is not on the line yet. */
uint64_t uart_rx_next(struct uart_rx *r, const struct uart_line *l, const struct uart_fmt *fmt);
/* Takes the step due at uart_rx_next(); true when it completed a character (*out). */
bool uart_rx_step(struct uart_rx *r, const struct uart_line *l, const struct uart_fmt *fmt,
                  struct uart_char *out);
bool uart_rx_idle(const struct uart_rx *r); /* searching: no character in progress */

/* RM0008 27.3.5 (tables "USART receiver's tolerance when DIV_Fraction is 0 / is different from
 * 0"), the "NF is an error" column: 3.75 % (M = 0) or 3.41 % (M = 1) with an integer divider,
 * 3.33 % or 3.03 % with a fractional one. In parts per million. */
unsigned uart_tolerance_ppm(bool m9, bool fractional);

#endif
