/* The host bridge of the USART it is wired to (h->name). A pty master whose slave nobody has open reports POLLHUP and fails reads
 * with EIO: the bridge then stops polling it, drops output (as a wire with no one listening) and
 * probes for a reader every 20 ms of wall time (from usart_host_fd), so a host may close and
 * reopen the port freely. */
#include "usart_host.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROBE_WALL_NS 20000000u  /* pty reconnect probe period (wall clock) */

/* termios speeds and their rates (Linux: Bxxx constants; a rate set another way reads as 0). */
static const struct { speed_t sp; uint32_t baud; } speeds[] = {
    { B50, 50 }, { B75, 75 }, { B110, 110 }, { B134, 134 }, { B150, 150 }, { B200, 200 },
    { B300, 300 }, { B600, 600 }, { B1200, 1200 }, { B1800, 1800 }, { B2400, 2400 },
    { B4800, 4800 }, { B9600, 9600 }, { B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 },
    { B115200, 115200 }, { B230400, 230400 }, { B460800, 460800 }, { B500000, 500000 },
    { B576000, 576000 }, { B921600, 921600 }, { B1000000, 1000000 }, { B1152000, 1152000 },
    { B1500000, 1500000 }, { B2000000, 2000000 }, { B2500000, 2500000 }, { B3000000, 3000000 },
    { B3500000, 3500000 }, { B4000000, 4000000 },
};

static uint32_t speed_baud(speed_t sp)
{
    for (unsigned i = 0; i < sizeof speeds / sizeof speeds[0]; i++)
        if (speeds[i].sp == sp)
            return speeds[i].baud;
    return 0;
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int open_pty(struct usart_host *h, const struct emu_config *cfg)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) {
        fprintf(stderr, "stm32emu: cannot create a pseudo-terminal: %s\n", strerror(errno));
        if (m >= 0)
            close(m);
        return -1;
    }
    const char *name = ptsname(m);
    if (!name) {
        close(m);
        return -1;
    }
    /* Raw mode on the line discipline; it persists while the master is open. The rate is left
     * as the kernel made it (38400 on Linux): in auto mode a host still at it never set one. */
    int s = open(name, O_RDWR | O_NOCTTY);
    if (s >= 0) {
        struct termios t;
        if (tcgetattr(s, &t) == 0) {
            cfmakeraw(&t);
            tcsetattr(s, TCSANOW, &t);
            h->pty_initial_speed = cfgetospeed(&t);
        }
        close(s);
    }
    set_nonblock(m);
    h->in_fd = h->out_fd = m;
    h->connected = false;
    fprintf(stderr, "stm32emu: %s on %s\n", h->name, name);
    if (cfg->pty_link) {
        size_t n = strlen(cfg->pty_link);
        char *tmp = malloc(n + 8);
        h->link = strdup(cfg->pty_link);
        if (!tmp || !h->link) {
            free(tmp);
            return -1;
        }
        snprintf(tmp, n + 8, "%s.tmp", cfg->pty_link);
        unlink(tmp);
        /* symlink + rename: the link is replaced atomically, never missing */
        if (symlink(name, tmp) != 0 || rename(tmp, cfg->pty_link) != 0) {
            fprintf(stderr, "stm32emu: cannot create the link %s: %s\n", cfg->pty_link,
                    strerror(errno));
            unlink(tmp);
            free(tmp);
            return -1;
        }
        free(tmp);
    }
    return 0;
}

static int open_tcp(struct usart_host *h, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1) != 0) {
        fprintf(stderr, "stm32emu: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        close(fd);
        return -1;
    }
    set_nonblock(fd);
    h->listen_fd = fd;
    fprintf(stderr, "stm32emu: %s on tcp 127.0.0.1:%d\n", h->name, port);
    return 0;
}

/* The host's rate: --host-baud (emu_config.host_baud), else $STM32EMU_LINE, else auto. */
static int baud_mode(struct usart_host *h, const struct emu_config *cfg)
{
    h->baud_mode = cfg ? cfg->host_baud : EMU_HOST_BAUD_DEFAULT;
    h->fixed_baud = cfg ? cfg->host_baud_rate : 0;
    h->parity = cfg ? cfg->host_parity : EMU_PARITY_MATCH;
    if (h->baud_mode == EMU_HOST_BAUD_FIXED && h->fixed_baud == 0) {
        fprintf(stderr, "stm32emu: a fixed host rate needs host_baud_rate\n");
        return -1;
    }
    if (h->baud_mode != EMU_HOST_BAUD_DEFAULT)
        return 0;
    const char *env = getenv("STM32EMU_LINE");
    if (!env || !*env || strcmp(env, "auto") == 0)
        h->baud_mode = EMU_HOST_BAUD_AUTO;
    else if (strcmp(env, "strict") == 0)
        h->baud_mode = EMU_HOST_BAUD_STRICT;
    else if (strcmp(env, "any") == 0)
        h->baud_mode = EMU_HOST_BAUD_ANY;
    else {
        fprintf(stderr, "stm32emu: STM32EMU_LINE=%s: expected strict, auto or any\n", env);
        return -1;
    }
    return 0;
}

int usart_host_open(struct usart_host *h, struct board *b, const struct emu_config *cfg,
                    const char *name)
{
    h->b = b;
    h->name = name;
    h->in_fd = h->out_fd = h->listen_fd = -1;
    h->mode = cfg ? cfg->uart_mode : EMU_UART_NONE;
    if (baud_mode(h, cfg) != 0)
        return -1;
    switch (h->mode) {
    case EMU_UART_PTY: return open_pty(h, cfg);
    case EMU_UART_TCP: return open_tcp(h, cfg->tcp_port);
    case EMU_UART_STDIO:
        h->in_fd = 0;
        h->out_fd = 1;
        h->connected = true;
        if (isatty(0) && tcgetattr(0, &h->saved) == 0) {
            struct termios t = h->saved;
            cfmakeraw(&t);
            t.c_oflag |= OPOST | ONLCR; /* keep stderr logs readable */
            tcsetattr(0, TCSANOW, &t);
            h->tty_saved = true;
        }
        return 0;
    case EMU_UART_FD:
        if (cfg->uart_fd < 0)
            return -1;
        h->in_fd = h->out_fd = cfg->uart_fd;
        set_nonblock(cfg->uart_fd);
        h->connected = true;
        return 0;
    default: return 0;
    }
}

/* Closing a pty master hangs up the slave, and the host loses what it has not read yet: a board
 * that stops right after its last byte (--stop-on-bkpt, --stop-on-uart) would take its answer
 * with it. Give a connected host up to LINGER_WALL_NS to read and close the port. */
#define LINGER_WALL_NS 200000000u

static void pty_linger(struct usart_host *h)
{
    uint64_t end = wall_ns() + LINGER_WALL_NS;
    while (h->connected && wall_ns() < end) {
        struct pollfd p = { .fd = h->in_fd, .events = 0 };
        if (poll(&p, 1, 10) < 0 || (p.revents & (POLLHUP | POLLERR)))
            return;
        usart_host_flush(h);
    }
}

void usart_host_close(struct usart_host *h)
{
    usart_host_flush(h);
    if (h->mode == EMU_UART_PTY && h->in_fd >= 0)
        pty_linger(h);
    if (h->tty_saved)
        tcsetattr(0, TCSANOW, &h->saved);
    if (h->mode == EMU_UART_PTY && h->in_fd >= 0)
        close(h->in_fd);
    if (h->mode == EMU_UART_TCP) {
        if (h->in_fd >= 0)
            close(h->in_fd);
        if (h->listen_fd >= 0)
            close(h->listen_fd);
    }
    if (h->link) {
        unlink(h->link);
        free(h->link);
    }
    h->in_fd = h->out_fd = h->listen_fd = -1;
}

static void disconnect(struct usart_host *h, const char *why)
{
    h->connected = false;
    h->out_len = 0;
    board_log(h->b, 1, "%s host %s", h->name, why);
    if (h->mode == EMU_UART_TCP) {
        close(h->in_fd);
        h->in_fd = h->out_fd = -1;
    }
}

/* A pty with no reader: look (at most every 20 ms of wall time) whether a host opened it. The
 * core asks for poll_fd on every pass of its loop, also while the board sleeps waiting for the
 * host, so no emulated-time event is needed (one would make an idle board's time run). */
static void pty_probe(struct usart_host *h)
{
    uint64_t w = wall_ns();
    if (w - h->wall_checked_ns < PROBE_WALL_NS)
        return;
    h->wall_checked_ns = w;
    struct pollfd p = { .fd = h->in_fd, .events = POLLIN };
    if (poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP)) {
        h->connected = true;
        h->out_dropped = false;
        board_log(h->b, 1, "%s host opened the port", h->name);
    }
}

int usart_host_fd(struct usart_host *h)
{
    if (h->mode == EMU_UART_PTY && !h->connected && h->in_fd >= 0)
        pty_probe(h);
    if (h->mode == EMU_UART_TCP && h->in_fd < 0)
        return h->listen_fd;
    if (h->q_len == USART_HOST_QUEUE || h->in_eof || !h->connected)
        return -1; /* queue full: the kernel buffers the rest (flow control) */
    return h->in_fd;
}

void usart_host_line(struct usart_host *h, struct host_line *line)
{
    memset(line, 0, sizeof *line);
    line->parity = h->parity;
    if (h->baud_mode == EMU_HOST_BAUD_FIXED)
        line->baud = h->fixed_baud;
    if (h->baud_mode == EMU_HOST_BAUD_ANY && h->parity == EMU_PARITY_MATCH)
        return; /* nothing is checked: no need to ask the tty */
    struct termios t;
    if (h->mode != EMU_UART_PTY || h->in_fd < 0 || tcgetattr(h->in_fd, &t) != 0)
        return; /* no tty: no rate to read, framing from the configuration */
    /* On Linux the master reports the termios the host set on the slave. */
    line->two_stop = t.c_cflag & CSTOPB;
    line->ignpar = t.c_iflag & IGNPAR;
    line->inpck = t.c_iflag & INPCK;
    speed_t sp = cfgetospeed(&t);
    if (h->baud_mode == EMU_HOST_BAUD_STRICT ||
        (h->baud_mode == EMU_HOST_BAUD_AUTO && sp != h->pty_initial_speed))
        line->baud = speed_baud(sp);
}

void usart_host_push(struct usart_host *h, const uint8_t *p, unsigned n, uint64_t now)
{
    struct host_line line;
    usart_host_line(h, &line);
    for (unsigned i = 0; i < n && h->q_len < USART_HOST_QUEUE; i++) {
        unsigned k = (h->q_head + h->q_len++) % USART_HOST_QUEUE;
        h->q[k] = p[i];
        h->q_time[k] = now;
        h->q_baud[k] = line.baud;
        h->q_two_stop[k] = line.two_stop;
    }
}

void usart_host_receive(struct usart_host *h, uint64_t now)
{
    if (h->mode == EMU_UART_TCP && h->in_fd < 0) {
        int c = accept(h->listen_fd, NULL, NULL);
        if (c >= 0) {
            set_nonblock(c);
            h->in_fd = h->out_fd = c;
            h->connected = true;
            h->in_eof = false;
            board_log(h->b, 1, "%s host connected (tcp)", h->name);
        }
        return;
    }
    if (h->in_fd < 0 || !h->connected)
        return;
    uint8_t buf[512];
    unsigned room = USART_HOST_QUEUE - h->q_len;
    ssize_t n = read(h->in_fd, buf, room < sizeof buf ? room : sizeof buf);
    if (n > 0) {
        usart_host_push(h, buf, (unsigned)n, now);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (h->mode == EMU_UART_PTY || h->mode == EMU_UART_TCP)
            disconnect(h, "closed the port");
        else
            h->in_eof = true; /* stdin or fd at end of file: output goes on */
    }
}

bool usart_host_pending(const struct usart_host *h)
{
    return h->q_len > 0;
}

uint64_t usart_host_head_time(const struct usart_host *h)
{
    return h->q_time[h->q_head];
}

uint8_t usart_host_pop(struct usart_host *h, struct host_line *line)
{
    uint8_t c = h->q[h->q_head];
    if (line) {
        memset(line, 0, sizeof *line);
        line->parity = h->parity;
        line->baud = h->q_baud[h->q_head];
        line->two_stop = h->q_two_stop[h->q_head];
    }
    h->q_head = (h->q_head + 1) % USART_HOST_QUEUE;
    h->q_len--;
    return c;
}

static ssize_t put(int fd, const void *p, size_t n)
{
    ssize_t r = send(fd, p, n, MSG_NOSIGNAL); /* no SIGPIPE when a socket peer went away */
    if (r < 0 && errno == ENOTSOCK)
        r = write(fd, p, n);
    return r;
}

void usart_host_flush(struct usart_host *h)
{
    if (!h->out_len || h->out_fd < 0 || !h->connected)
        return;
    ssize_t n = put(h->out_fd, h->out, h->out_len);
    if (n > 0) {
        memmove(h->out, h->out + n, h->out_len - (unsigned)n);
        h->out_len -= (unsigned)n;
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        if (h->mode == EMU_UART_PTY || h->mode == EMU_UART_TCP)
            disconnect(h, "closed the port");
        else
            h->out_len = 0;
    }
}

bool usart_host_deliver_error(struct usart_host *h, const struct host_line *line, uint8_t *c)
{
    (void)h;
    /* As Linux serial drivers and n_tty do: IGNPAR ignores the byte, INPCK passes '\0' (with
     * PARMRK it would mark it with 0xFF 0x00, which cannot cross a pty: the line discipline
     * doubles every 0xFF written to the master), otherwise the byte passes as received. */
    if (line->ignpar)
        return false;
    if (line->inpck)
        *c = 0;
    return true;
}

void usart_host_send(struct usart_host *h, uint8_t c)
{
    if (h->out_fd < 0 || !h->connected)
        return; /* nobody on the line */
    if (h->out_len == USART_HOST_OUTBUF) {
        if (!h->out_dropped)
            board_log(h->b, 1, "%s host is not reading: output dropped", h->name);
        h->out_dropped = true;
        return;
    }
    h->out[h->out_len++] = c;
    usart_host_flush(h);
}
