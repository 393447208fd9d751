/* A USART's host side: a pseudo-terminal, stdin/stdout, a TCP port on 127.0.0.1 or a given fd.
 * Input bytes wait in a queue, each stamped with the emulated time it arrived and the host's line
 * settings when it was sent, until the receiver takes them. The host's line settings (its rate,
 * read from the pty, and its framing, from the configuration) let the USART model tell when the
 * two sides disagree (usart.c, uart_line.c). */
#ifndef EMU_USART_HOST_H
#define EMU_USART_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#include "board.h"

#define USART_HOST_QUEUE 16384u
#define USART_HOST_OUTBUF 65536u

/* The host's side of the line. */
struct host_line {
    uint32_t baud;         /* the host's rate; 0 = not known (no rate check) */
    enum emu_parity parity; /* its framing: 8 data bits and this parity; MATCH = the USART's */
    bool two_stop;         /* CSTOPB */
    bool ignpar, inpck;    /* its tty drops bytes with an error (IGNPAR), or makes them 0 (INPCK) */
};
struct usart_host {
    struct board *b;
    const char *name;  /* the USART it is wired to, for messages */
    enum emu_uart_mode mode;
    int in_fd, out_fd; /* -1 when absent */
    int listen_fd;     /* tcp */
    bool connected;    /* pty: a host has the slave open; tcp: a client is connected */
    bool in_eof;
    char *link;        /* pty symlink path (owned copy) */
    bool tty_saved;
    struct termios saved;
    uint64_t wall_checked_ns;
    /* the host's line settings: how to know them */
    enum emu_host_baud baud_mode; /* resolved: AUTO, ANY, STRICT or FIXED */
    uint32_t fixed_baud;
    enum emu_parity parity;
    speed_t pty_initial_speed;    /* AUTO: a pty still at this rate has not been set by a host */
    /* input queue */
    uint8_t q[USART_HOST_QUEUE];
    uint64_t q_time[USART_HOST_QUEUE];
    uint32_t q_baud[USART_HOST_QUEUE]; /* the host's rate when it sent the byte (0 = unknown) */
    bool q_two_stop[USART_HOST_QUEUE];
    unsigned q_head, q_len;
    /* output not yet accepted by the host */
    uint8_t out[USART_HOST_OUTBUF];
    unsigned out_len;
    bool out_dropped;
};

int usart_host_open(struct usart_host *h, struct board *b, const struct emu_config *cfg,
                    const char *name);
void usart_host_close(struct usart_host *h);
int usart_host_fd(struct usart_host *h); /* to poll for input, or -1; probes a closed pty */
void usart_host_receive(struct usart_host *h, uint64_t now);
bool usart_host_pending(const struct usart_host *h);
uint64_t usart_host_head_time(const struct usart_host *h);
/* Pops the head byte; *line (may be NULL) gets the host's settings when it sent it. */
uint8_t usart_host_pop(struct usart_host *h, struct host_line *line);
void usart_host_push(struct usart_host *h, const uint8_t *p, unsigned n, uint64_t now);
/* The host's line settings now: its rate re-read from the pty (per the baud mode), framing. */
void usart_host_line(struct usart_host *h, struct host_line *line);
void usart_host_send(struct usart_host *h, uint8_t c);
/* A byte the host's own UART received with a framing or parity error: what its tty makes of it
 * (IGNPAR drops it, INPCK turns it into 0, else it passes). Returns whether a byte was passed,
 * its value in *c. */
bool usart_host_deliver_error(struct usart_host *h, const struct host_line *line, uint8_t *c);
void usart_host_flush(struct usart_host *h);

#endif
