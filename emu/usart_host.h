/* A USART's host side: a pseudo-terminal, stdin/stdout, a TCP port on 127.0.0.1 or a given fd.
 * Input bytes wait in a queue, each stamped with the emulated time it arrived, until the
 * receiver takes them at the line rate. The bridge carries bytes only (no parity, break or
 * framing errors). */
#ifndef EMU_USART_HOST_H
#define EMU_USART_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#include "board.h"

#define USART_HOST_QUEUE 16384u
#define USART_HOST_OUTBUF 65536u

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
    /* input queue */
    uint8_t q[USART_HOST_QUEUE];
    uint64_t q_time[USART_HOST_QUEUE];
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
uint8_t usart_host_pop(struct usart_host *h);
void usart_host_push(struct usart_host *h, const uint8_t *p, unsigned n, uint64_t now);
void usart_host_send(struct usart_host *h, uint8_t c);
void usart_host_flush(struct usart_host *h);

#endif
