/* A model of a USB-serial adapter (FTDI FT232R-like) between a host tool and the virtual board:
 *
 *   usbrelay --board BOARD_PTY --link LINK [--latency-ms 16] [--fifo 62] [--max-baud N]
 *            [--noise-after-switch MS]
 *
 * Opens the board's pty (stm32emu --uart pty:...) as the wire, and offers the host a pty of its
 * own at LINK (a symlink), as the adapter's /dev/ttyUSB0. What the host sets on LINK (its baud
 * rate) is set on the wire too, so the board sees the rate the host asked for (stm32emu's
 * --host-baud auto reads it), as the adapter's UART would run at it.
 *  - host -> board: bytes leave at the line rate (10 bits a byte at the host's baud);
 *  - board -> host: bytes wait in the adapter until 62 are there (a full USB packet of the FT232R:
 *    64 bytes less its 2 status bytes) or the latency timer (16 ms) expires, then go together.
 * For the step-up's tests: --max-baud N is an adapter whose UART cannot go faster (above N it
 * carries nothing, as a chip at a rate it does not make), --noise-after-switch MS puts random
 * bytes on both sides for MS after each rate change (a line settling).
 * Runs until killed; prints its counts on stderr when it ends (SIGTERM). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
    static const struct { speed_t s; unsigned b; } map[] = {
        {B1200, 1200},       {B2400, 2400},       {B4800, 4800},       {B9600, 9600},
        {B19200, 19200},     {B38400, 38400},     {B57600, 57600},     {B115200, 115200},
        {B230400, 230400},   {B460800, 460800},   {B500000, 500000},   {B576000, 576000},
        {B921600, 921600},   {B1000000, 1000000}, {B1152000, 1152000}, {B1500000, 1500000},
        {B2000000, 2000000}, {B2500000, 2500000}, {B3000000, 3000000},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].s == s)
            return map[i].b;
    return 0;
}

int main(int argc, char **argv)
{
    const char *board_path = NULL, *link_path = NULL;
    double latency = 0.016, noise_s = 0;
    size_t fifo = 62;
    unsigned max_baud = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--board") == 0)
            board_path = argv[i + 1];
        else if (strcmp(argv[i], "--link") == 0)
            link_path = argv[i + 1];
        else if (strcmp(argv[i], "--latency-ms") == 0)
            latency = atof(argv[i + 1]) / 1000.0;
        else if (strcmp(argv[i], "--fifo") == 0)
            fifo = (size_t)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--max-baud") == 0)
            max_baud = (unsigned)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--noise-after-switch") == 0)
            noise_s = atof(argv[i + 1]) / 1000.0;
    }
    if (!board_path || !link_path || fifo == 0 || fifo > 4096) {
        fprintf(stderr, "usage: usbrelay --board PTY --link LINK [--latency-ms 16] [--fifo 62]\n");
        return 1;
    }
    int board = open(board_path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (board < 0) {
        fprintf(stderr, "usbrelay: %s: %s\n", board_path, strerror(errno));
        return 1;
    }
    int master, slave;
    char name[256];
    if (openpty(&master, &slave, name, NULL, NULL) != 0) {
        fprintf(stderr, "usbrelay: openpty: %s\n", strerror(errno));
        return 1;
    }
    raw(slave, B115200);
    raw(board, B115200);
    fcntl(master, F_SETFL, O_NONBLOCK);
    unlink(link_path);
    if (symlink(name, link_path) != 0) {
        fprintf(stderr, "usbrelay: %s: %s\n", link_path, strerror(errno));
        return 1;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);

    static uint8_t up[1 << 16], down[1 << 16];
    size_t nup = 0, ndown = 0;
    unsigned long up_bytes = 0, down_bytes = 0, packets = 0, rate_changes = 0, noise = 0;
    double noise_until = 0;
    uint32_t rng = 0x2545F491u;
    speed_t speed = B115200;
    double credit_at = now_s(), last_flush = now_s();
    double credit = 0;
    while (!stop) {
        /* the host's rate, as its tcsetattr left it on the pty: the adapter's UART follows */
        struct termios t;
        if (tcgetattr(master, &t) == 0 && cfgetospeed(&t) != speed && baud_of(cfgetospeed(&t))) {
            speed = cfgetospeed(&t);
            raw(board, speed);
            rate_changes++;
            noise_until = now_s() + noise_s;
        }
        unsigned baud = baud_of(speed);
        bool dead = max_baud && baud > max_baud;
        struct pollfd p[2] = {{master, POLLIN, 0}, {board, POLLIN, 0}};
        poll(p, 2, 1);
        ssize_t r;
        if (nup < sizeof up && (r = read(master, up + nup, sizeof up - nup)) > 0)
            nup += (size_t)r;
        if (ndown < sizeof down && (r = read(board, down + ndown, sizeof down - ndown)) > 0)
            ndown += (size_t)r;
        double now = now_s();
        if (dead) { /* a rate the adapter cannot make: nothing gets through */
            nup = ndown = 0;
            continue;
        }
        if (now < noise_until && (rng & 7) == 0) {
            uint8_t b[2];
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            b[0] = (uint8_t)rng;
            b[1] = (uint8_t)(rng >> 8);
            if (write(board, &b[0], 1) == 1 && write(master, &b[1], 1) == 1)
                noise += 2;
        }
        rng = rng * 1103515245u + 12345u;
        /* host -> board at the line rate */
        credit += (now - credit_at) * baud / 10.0;
        credit_at = now;
        if (!nup && credit > 64)
            credit = 64; /* an idle line saves no time for later */
        size_t n = nup < (size_t)credit ? nup : (size_t)credit;
        if (n) {
            ssize_t w = write(board, up, n);
            if (w > 0) {
                memmove(up, up + w, nup - (size_t)w);
                nup -= (size_t)w;
                credit -= (double)w;
                up_bytes += (unsigned long)w;
            }
        }
        /* board -> host: a full packet, or whatever is there when the latency timer expires */
        if (ndown && (ndown >= fifo || now - last_flush >= latency)) {
            size_t k = ndown < fifo ? ndown : fifo;
            ssize_t w = write(master, down, k);
            if (w > 0) {
                memmove(down, down + w, ndown - (size_t)w);
                ndown -= (size_t)w;
                down_bytes += (unsigned long)w;
                packets++;
            }
            last_flush = now;
        } else if (!ndown) {
            last_flush = now; /* the timer restarts with the first byte of a packet */
        }
    }
    unlink(link_path);
    fprintf(stderr, "usbrelay: %lu bytes to the board, %lu to the host in %lu packets, %lu rate "
            "changes, %lu noise bytes\n", up_bytes, down_bytes, packets, rate_changes, noise);
    return 0;
}
