/* A fault-injecting byte relay between a host tool and a board's serial-over-TCP bridge:
 *
 *   linefault --listen PORT --connect PORT [--rate R] [--seed S] [--stall-ms MS]
 *   linefault --board PTY --link LINK [--rate R] [--seed S] [--stall-ms MS]
 *   ... [--stall-at N]: also a stall of exactly --stall-ms when a direction carries its Nth byte
 *   (with --rate 0: that one stall alone, e.g. longer than the device's 3 s return to its boot
 *   rate after a step-up)
 *
 * Accepts one client on 127.0.0.1:PORT at a time, connects it to 127.0.0.1:PORT (the board:
 * stm32emu --uart tcp:PORT) and copies bytes both ways. Each byte is hit by a fault with
 * probability R (default 1e-3), the fault drawn evenly from: a flipped bit, a dropped byte, a
 * duplicated byte, a burst (the byte and the next 3..31 replaced by noise), and a stall (this
 * direction holds its bytes for 1..2 x --stall-ms, default 2000 ms, as a stuck USB adapter).
 * Seeded and reproducible for the same byte sequence. When the client leaves, the board
 * connection is closed and the next client is served. Counts go to stderr at each disconnect.
 *
 * The second form is a serial line whose rate can change: it opens the board's pty (stm32emu
 * --uart pty:...) as the wire and offers the host a pty of its own at LINK (a symlink). The rate
 * the host sets on LINK is set on the wire too (stm32emu's --host-baud auto checks it against the
 * USART's), so a baud step-up (iap --baud-max) goes through with the same faults at the new rate.
 * Runs until SIGTERM, then prints its counts, the rate changes and the fastest rate on stderr. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum fault { F_FLIP, F_DROP, F_DUP, F_BURST, F_STALL, F_KINDS };
static const char *const fault_name[F_KINDS] = {"flips", "drops", "dups", "bursts", "stalls"};

struct dir {
    uint8_t q[1 << 16];
    size_t n;
    uint64_t hold_until; /* stall: nothing leaves before this (ms) */
    unsigned burst;      /* bytes of noise still to come */
    unsigned long bytes, faults[F_KINDS];
};

static uint32_t rng;
static double rate = 1e-3;
static unsigned stall_ms = 2000;
static unsigned long stall_at; /* 0: none */

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void put(struct dir *d, uint8_t c)
{
    if (d->n < sizeof d->q)
        d->q[d->n++] = c;
}

static void feed(struct dir *d, uint8_t c)
{
    d->bytes++;
    if (stall_at && d->bytes == stall_at) {
        d->faults[F_STALL]++;
        d->hold_until = now_ms() + stall_ms;
    }
    if (d->burst) {
        d->burst--;
        put(d, (uint8_t)rnd());
        return;
    }
    if ((double)(rnd() >> 8) / (double)(1u << 24) >= rate) {
        put(d, c);
        return;
    }
    enum fault f = (enum fault)(rnd() % F_KINDS);
    d->faults[f]++;
    switch (f) {
    case F_FLIP: put(d, c ^ (uint8_t)(1u << (rnd() % 8))); break;
    case F_DROP: break;
    case F_DUP: put(d, c); put(d, c); break;
    case F_BURST: d->burst = 3 + rnd() % 29; put(d, (uint8_t)rnd()); break;
    default:
        d->hold_until = now_ms() + stall_ms + rnd() % (stall_ms + 1);
        put(d, c);
        break;
    }
}

/* Reads what src has, faults it into d. 0 when src closed. */
static int pump_in(int src, struct dir *d)
{
    uint8_t buf[4096];
    ssize_t n = read(src, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return 0;
    for (ssize_t i = 0; i < n; i++)
        feed(d, buf[i]);
    return 1;
}

static int pump_out(int dst, struct dir *d)
{
    if (!d->n || now_ms() < d->hold_until)
        return 1;
    ssize_t n = write(dst, d->q, d->n);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR;
    memmove(d->q, d->q + n, d->n - (size_t)n);
    d->n -= (size_t)n;
    return 1;
}

static int tcp_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static struct sockaddr_in local(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static void report(const char *what, const struct dir *d)
{
    fprintf(stderr, "linefault: %s %lu bytes", what, d->bytes);
    for (int k = 0; k < F_KINDS; k++)
        fprintf(stderr, ", %lu %s", d->faults[k], fault_name[k]);
    fputc('\n', stderr);
}

static void serve(int client, int board_port)
{
    static struct dir up, down; /* host -> board, board -> host */
    memset(&up, 0, sizeof up);
    memset(&down, 0, sizeof down);
    int board = tcp_socket();
    struct sockaddr_in a = local(board_port);
    if (connect(board, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("linefault: connect to the board");
        close(board);
        return;
    }
    fcntl(client, F_SETFL, O_NONBLOCK);
    fcntl(board, F_SETFL, O_NONBLOCK);
    for (;;) {
        struct pollfd p[2] = {{client, POLLIN, 0}, {board, POLLIN, 0}};
        if (up.n && now_ms() >= up.hold_until)
            p[1].events |= POLLOUT;
        if (down.n && now_ms() >= down.hold_until)
            p[0].events |= POLLOUT;
        poll(p, 2, 10);
        if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !pump_in(client, &up))
            break;
        if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) && !pump_in(board, &down))
            break;
        if (!pump_out(board, &up) || !pump_out(client, &down))
            break;
    }
    report("host->board", &up);
    report("board->host", &down);
    close(board);
    close(client);
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static void raw(int fd, speed_t speed)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return;
    cfmakeraw(&t);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, speed);
    cfsetospeed(&t, speed);
    tcsetattr(fd, TCSANOW, &t);
}

static unsigned baud_of(speed_t s)
{
    static const struct {
        speed_t s;
        unsigned b;
    } map[] = {
        {B9600, 9600},       {B19200, 19200},     {B38400, 38400},     {B57600, 57600},
        {B115200, 115200},   {B230400, 230400},   {B460800, 460800},   {B500000, 500000},
        {B576000, 576000},   {B921600, 921600},   {B1000000, 1000000}, {B1152000, 1152000},
        {B1500000, 1500000}, {B2000000, 2000000}, {B2500000, 2500000}, {B3000000, 3000000},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].s == s)
            return map[i].b;
    return 0;
}

/* The pty form: one line for as long as the relay runs (the host may come and go). */
static int serve_pty(const char *board_path, const char *link_path)
{
    static struct dir up, down; /* host -> board, board -> host */
    int board = open(board_path, O_RDWR | O_NOCTTY | O_NONBLOCK), master, slave;
    char name[256];
    if (board < 0) {
        fprintf(stderr, "linefault: %s: %s\n", board_path, strerror(errno));
        return 1;
    }
    if (openpty(&master, &slave, name, NULL, NULL) != 0) {
        fprintf(stderr, "linefault: openpty: %s\n", strerror(errno));
        return 1;
    }
    /* the relay keeps its own slave open: the master never sees the host's close as a hangup */
    raw(slave, B115200);
    raw(board, B115200);
    fcntl(master, F_SETFL, O_NONBLOCK);
    unlink(link_path);
    if (symlink(name, link_path) != 0) {
        fprintf(stderr, "linefault: %s: %s\n", link_path, strerror(errno));
        return 1;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    fprintf(stderr, "linefault: pty %s -> %s, byte fault rate %g\n", link_path, board_path, rate);
    speed_t speed = B115200;
    unsigned long changes = 0;
    unsigned fastest = 115200;
    while (!stop) {
        struct pollfd p[2] = {{master, POLLIN, 0}, {board, POLLIN, 0}};
        if (up.n && now_ms() >= up.hold_until)
            p[1].events |= POLLOUT;
        if (down.n && now_ms() >= down.hold_until)
            p[0].events |= POLLOUT;
        poll(p, 2, 5);
        /* the host's rate, as its tcsetattr left it (before it wrote at that rate): the wire
         * follows before the bytes are passed on */
        struct termios t;
        if (tcgetattr(master, &t) == 0 && cfgetospeed(&t) != speed && baud_of(cfgetospeed(&t))) {
            speed = cfgetospeed(&t);
            raw(board, speed);
            changes++;
            if (baud_of(speed) > fastest)
                fastest = baud_of(speed);
        }
        if (p[0].revents & POLLIN)
            pump_in(master, &up);
        if (p[1].revents & POLLIN)
            pump_in(board, &down);
        pump_out(board, &up);
        pump_out(master, &down);
    }
    unlink(link_path);
    report("host->board", &up);
    report("board->host", &down);
    fprintf(stderr, "linefault: %lu rate changes, fastest %u baud\n", changes, fastest);
    return 0;
}

int main(int argc, char **argv)
{
    int listen_port = 0, board_port = 0;
    const char *board_pty = NULL, *link_path = NULL;
    unsigned long seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--listen"))
            listen_port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--connect"))
            board_port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--rate"))
            rate = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed"))
            seed = strtoul(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--stall-ms"))
            stall_ms = (unsigned)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--stall-at"))
            stall_at = strtoul(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--board"))
            board_pty = argv[i + 1];
        else if (!strcmp(argv[i], "--link"))
            link_path = argv[i + 1];
        else
            break;
    }
    if ((!listen_port || !board_port) && (!board_pty || !link_path)) {
        fprintf(stderr, "usage: linefault --listen PORT --connect PORT [--rate R] [--seed S] "
                        "[--stall-ms MS]\n"
                        "       linefault --board PTY --link LINK [--rate R] [--seed S] "
                        "[--stall-ms MS]\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    rng = (uint32_t)(seed * 2654435761u) | 1u;
    if (board_pty)
        return serve_pty(board_pty, link_path);
    int ls = tcp_socket();
    struct sockaddr_in a = local(listen_port);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0) {
        perror("linefault: listen");
        return 1;
    }
    fprintf(stderr, "linefault: 127.0.0.1:%d -> 127.0.0.1:%d, byte fault rate %g, seed %lu\n",
            listen_port, board_port, rate, seed);
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c >= 0)
            serve(c, board_port);
    }
}
