/* Transports: the serial port on a pseudo-terminal, TCP on localhost, RFC 2217 against a fake
 * telnet server, the telnet codec, and the errors a user meets (missing port, not a tty, busy,
 * vanished mid-transfer, connection refused, a bridge that says why it closed, a telnet port
 * given as tcp://, a raw port given as rfc2217://). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "test.h"
#include "transport.h"
#include "transports/telnet.h"

static struct iap_err err;

static int open_pty(char *slave, size_t size)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, slave, size))
        return -1;
    return m;
}

static int read_some(int fd, uint8_t *buf, size_t max)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 1000) != 1)
        return -1;
    return (int)read(fd, buf, max);
}

TEST(serial_carries_bytes_both_ways_on_a_pty)
{
    char name[128];
    int m = open_pty(name, sizeof name);
    CHECK(m >= 0);
    struct iap_transport *t = NULL;
    CHECK_EQ(serial_open(name, 115200, &t, &err), 0);
    CHECK(strstr(t->desc, "at 115200 baud") != NULL);
    static const uint8_t out[4] = {0xA5, 0x00, 0x11, 0xFF};
    CHECK_EQ(t->write(t, out, 4, &err), 0);
    uint8_t buf[16];
    CHECK_EQ(read_some(m, buf, sizeof buf), 4);
    CHECK_MEM(buf, out, 4); /* raw: no translation of 0x11 (XON) or 0xFF */
    CHECK_EQ(write(m, "\r\n\x13", 3), 3);
    CHECK_EQ(t->read(t, buf, sizeof buf, 1000, &err), 3);
    CHECK_MEM(buf, "\r\n\x13", 3); /* raw: CR not turned into LF, XOFF passed through */
    CHECK_EQ(t->read(t, buf, sizeof buf, 10, &err), 0); /* timeout */
    t->close(t);
    close(m);
}

TEST(serial_close_gives_the_port_its_settings_back)
{
    char name[128];
    int m = open_pty(name, sizeof name);
    CHECK(m >= 0);
    int keep = open(name, O_RDWR | O_NOCTTY); /* holds the pty's settings across our close */
    CHECK(keep >= 0);
    struct termios before, after;
    CHECK_EQ(tcgetattr(keep, &before), 0);
    struct iap_transport *t = NULL;
    CHECK_EQ(serial_open(name, 115200, &t, &err), 0);
    t->close(t);
    CHECK_EQ(tcgetattr(keep, &after), 0);
    /* a terminal or `cat` on the port afterwards sees it as it was (canonical, VMIN 1) */
    CHECK_EQ(after.c_lflag, before.c_lflag);
    CHECK_EQ(after.c_iflag, before.c_iflag);
    CHECK_EQ(after.c_oflag, before.c_oflag);
    CHECK_EQ(after.c_cc[VMIN], before.c_cc[VMIN]);
    close(keep);
    close(m);
}

TEST(serial_discard_drops_pending_input)
{
    char name[128];
    int m = open_pty(name, sizeof name);
    CHECK(m >= 0);
    struct iap_transport *t = NULL;
    CHECK_EQ(serial_open(name, 115200, &t, &err), 0);
    CHECK_EQ(write(m, "noise", 5), 5);
    usleep(20000);
    t->discard(t);
    uint8_t buf[16];
    CHECK_EQ(t->read(t, buf, sizeof buf, 10, &err), 0);
    t->close(t);
    close(m);
}

TEST(serial_port_that_vanishes_is_a_port_error)
{
    char name[128];
    int m = open_pty(name, sizeof name);
    CHECK(m >= 0);
    struct iap_transport *t = NULL;
    CHECK_EQ(serial_open(name, 115200, &t, &err), 0);
    close(m);
    uint8_t buf[16];
    CHECK_EQ(t->read(t, buf, sizeof buf, 200, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "vanished") != NULL);
    CHECK(strstr(err.msg, "IAP mode") != NULL);
    t->close(t);
}

TEST(missing_serial_port_says_so)
{
    struct iap_transport *t = NULL;
    CHECK_EQ(serial_open("/dev/ttyNOPE42", 115200, &t, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "/dev/ttyNOPE42 does not exist") != NULL);
}

TEST(a_file_that_is_not_a_tty_is_refused)
{
    struct iap_transport *t = NULL;
    CHECK_EQ(serial_open("/dev/null", 115200, &t, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "not a serial port") != NULL);
}

TEST(a_busy_serial_port_is_refused)
{
    char name[128];
    int m = open_pty(name, sizeof name);
    CHECK(m >= 0);
    struct iap_transport *t = NULL, *t2 = NULL;
    CHECK_EQ(serial_open(name, 115200, &t, &err), 0);
    CHECK_EQ(serial_open(name, 115200, &t2, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "in use") != NULL);
    t->close(t);
    close(m);
}

TEST(an_unsupported_baud_rate_is_a_usage_error)
{
    struct iap_transport *t = NULL;
    CHECK_EQ(serial_open("/dev/null", 123456, &t, &err), IAP_ERR_USAGE);
}

static int listen_local(int *port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1) ||
        getsockname(s, (struct sockaddr *)&a, &l))
        return -1;
    *port = ntohs(a.sin_port);
    return s;
}

TEST(tcp_carries_bytes_both_ways_and_reports_a_closed_bridge)
{
    int port, ls = listen_local(&port);
    CHECK(ls >= 0);
    char spec[64];
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", port);
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open(spec, 115200, 1000, &t, &err), 0);
    int c = accept(ls, NULL, NULL);
    CHECK(c >= 0);
    CHECK_EQ(t->write(t, (const uint8_t *)"\xA5\x01", 2, &err), 0);
    uint8_t buf[16];
    CHECK_EQ(read_some(c, buf, sizeof buf), 2);
    CHECK_EQ(write(c, "ok", 2), 2);
    CHECK_EQ(t->read(t, buf, sizeof buf, 1000, &err), 2);
    CHECK_MEM(buf, "ok", 2);
    close(c);
    CHECK_EQ(t->read(t, buf, sizeof buf, 1000, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "closed") != NULL);
    t->close(t);
    close(ls);
}

TEST(tcp_connection_refused_names_the_bridge)
{
    int port, ls = listen_local(&port);
    CHECK(ls >= 0);
    close(ls); /* nobody listens there now */
    char spec[64];
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", port);
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open(spec, 115200, 1000, &t, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "cannot connect to 127.0.0.1") != NULL);
    CHECK(strstr(err.msg, "ser2net") != NULL);
}

TEST(tcp_address_without_port_is_a_usage_error)
{
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open("tcp://localhost", 115200, 1000, &t, &err), IAP_ERR_USAGE);
    CHECK(strstr(err.msg, "tcp://HOST:PORT") != NULL);
}

/* ---- telnet codec ---------------------------------------------------------------------------- */

static void count_option(void *ctx, uint8_t verb, uint8_t opt)
{
    int *n = ctx;
    n[0]++;
    n[1] = verb;
    n[2] = opt;
}
static void count_sub(void *ctx, const uint8_t *d, size_t len)
{
    int *n = ctx;
    n[3]++;
    n[4] = (int)len;
    n[5] = len ? d[len - 1] : -1;
}

TEST(telnet_escape_doubles_0xff)
{
    static const uint8_t in[] = {0xA5, 0xFF, 0x00, 0xFF, 0xFF};
    uint8_t out[2 * sizeof in];
    CHECK_EQ(telnet_escape(out, in, sizeof in), 8);
    CHECK_MEM(out, "\xA5\xFF\xFF\x00\xFF\xFF\xFF\xFF", 8);
}

TEST(telnet_decode_keeps_data_and_takes_out_commands_split_anywhere)
{
    /* data, IAC IAC, WILL ECHO, NOP, SB COM-PORT 106 0xFF(escaped) SE, data */
    static const uint8_t wire[] = {0x01, 0xFF, 0xFF, 0x02, 0xFF, 0xFB, 0x01, 0x03, 0xFF, 0xF1,
                                   0xFF, 0xFA, 0x2C, 0x6A, 0xFF, 0xFF, 0xFF, 0xF0, 0x04};
    static const uint8_t data[] = {0x01, 0xFF, 0x02, 0x03, 0x04};
    for (size_t cut = 0; cut <= sizeof wire; cut++) { /* every split into two reads */
        struct telnet_rx rx;
        int seen[6] = {0};
        struct telnet_handler h = {count_option, count_sub, seen};
        uint8_t buf[sizeof wire];
        memcpy(buf, wire, sizeof wire);
        telnet_rx_init(&rx);
        size_t a = telnet_decode(&rx, buf, cut, &h);
        uint8_t got[sizeof wire];
        memcpy(got, buf, a);
        size_t b = telnet_decode(&rx, buf + cut, sizeof wire - cut, &h);
        memcpy(got + a, buf + cut, b);
        CHECK_EQ(a + b, sizeof data);
        CHECK_MEM(got, data, sizeof data);
        CHECK_EQ(seen[0], 1);
        CHECK_EQ(seen[1], TELNET_WILL);
        CHECK_EQ(seen[2], TELNET_OPT_ECHO);
        CHECK_EQ(seen[3], 1);
        CHECK_EQ(seen[4], 3); /* 0x2C 0x6A 0xFF */
        CHECK_EQ(seen[5], 0xFF);
    }
}

TEST(telnet_sniff_tells_a_telnet_server_from_a_raw_line)
{
    struct telnet_sniff s = {0};
    CHECK(!telnet_sniff(&s, (const uint8_t *)"\xFF", 1)); /* undecided */
    CHECK(telnet_sniff(&s, (const uint8_t *)"\xFB\x03", 2));
    struct telnet_sniff r = {0};
    CHECK(!telnet_sniff(&r, (const uint8_t *)"\xA5\x02\xFF\xFB\x03", 5));
    CHECK(!telnet_sniff(&r, (const uint8_t *)"\xFF\xFD\x2C", 3)); /* only the start counts */
}

/* ---- a fake RFC 2217 server ------------------------------------------------------------------ */

enum peer_mode {
    PEER_GOOD,     /* agrees, confirms the settings, then sends data with commands mixed in */
    PEER_SILENT,   /* a raw bridge: never answers */
    PEER_REFUSES,  /* DONT COM-PORT-OPTION */
    PEER_OTHER_BAUD, /* confirms 9600 whatever is asked */
    PEER_BUSY,     /* ser2net with the port taken: negotiation, a line of text, close */
};

struct peer_state {
    int fd, settings, mode;
};

static void peer_option(void *ctx, uint8_t verb, uint8_t opt)
{
    (void)ctx;
    (void)verb;
    (void)opt;
}

/* Answers each SET command with code + 100 and the value (9600 for the baud in OTHER_BAUD). */
static void peer_sub(void *ctx, const uint8_t *d, size_t len)
{
    struct peer_state *p = ctx;
    if (len < 2 || d[0] != TELNET_OPT_COM_PORT || d[1] < 1 || d[1] > 5)
        return;
    uint8_t val[8], frame[32];
    size_t n = len - 1;
    if (n > sizeof val)
        return;
    memcpy(val, d + 1, n);
    val[0] = (uint8_t)(val[0] + 100);
    if (d[1] == 1 && p->mode == PEER_OTHER_BAUD && n == 5)
        memcpy(val + 1, "\x00\x00\x25\x80", 4);
    if (write(p->fd, frame, telnet_sub(frame, TELNET_OPT_COM_PORT, val, n)) < 0)
        return;
    p->settings++;
}

/* The child: serves one connection on ls per mode and writes every byte the client sent to
 * record (a pipe) until the client closes. */
static void peer_run(int ls, int mode, int record)
{
    int c = accept(ls, NULL, NULL);
    if (c < 0)
        _exit(1);
    static const uint8_t hello[] = {0xFF, 0xFB, 0x03, 0xFF, 0xFD, 0x03, 0xFF, 0xFD, 0x00,
                                    0xFF, 0xFB, 0x00, 0xFF, 0xFD, 0x2C};
    if (mode != PEER_SILENT && write(c, hello, sizeof hello) < 0)
        _exit(1);
    if (mode == PEER_BUSY) {
        if (write(c, "Port already in use\r\n", 21) < 0)
            _exit(1);
        close(c);
        _exit(0);
    }
    struct peer_state p = {c, 0, mode};
    struct telnet_handler h = {peer_option, peer_sub, &p};
    struct telnet_rx rx;
    telnet_rx_init(&rx);
    bool sent_data = false;
    for (;;) {
        uint8_t buf[512], copy[512];
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0)
            break;
        if (write(record, buf, (size_t)n) < 0)
            _exit(1);
        memcpy(copy, buf, (size_t)n);
        if (mode == PEER_REFUSES) {
            if (write(c, "\xFF\xFE\x2C", 3) < 0)
                _exit(1);
            mode = PEER_SILENT;
        }
        size_t data = mode != PEER_SILENT ? telnet_decode(&rx, copy, (size_t)n, &h) : 0;
        if (mode == PEER_GOOD && data && !sent_data) { /* after the client's first data */
            /* A5 FF 01 02 03 as data, with WILL ECHO and a NOTIFY-LINESTATE in between, in
             * two writes cut inside the escaped 0xFF */
            static const uint8_t a[] = {0xA5, 0xFF};
            static const uint8_t b[] = {0xFF, 0x01, 0xFF, 0xFB, 0x01, 0x02, 0xFF, 0xFA,
                                        0x2C, 0x6A, 0x60, 0xFF, 0xF0, 0x03};
            if (write(c, a, sizeof a) < 0)
                _exit(1);
            usleep(20000);
            if (write(c, b, sizeof b) < 0)
                _exit(1);
            sent_data = true;
        }
    }
    _exit(0);
}

struct peer {
    pid_t pid;
    int record; /* read end: what the client sent */
    char url[64];
};

static int peer_start(struct peer *pr, int mode)
{
    int port, ls = listen_local(&port), fds[2];
    if (ls < 0 || pipe(fds))
        return -1;
    fflush(stdout);
    pr->pid = fork();
    if (pr->pid == 0) {
        close(fds[0]);
        peer_run(ls, mode, fds[1]);
    }
    close(ls);
    close(fds[1]);
    pr->record = fds[0];
    snprintf(pr->url, sizeof pr->url, "rfc2217://127.0.0.1:%d", port);
    return pr->pid > 0 ? 0 : -1;
}

/* Everything the client sent, once the peer is done; its length. */
static size_t peer_end(struct peer *pr, uint8_t *buf, size_t max)
{
    size_t n = 0;
    ssize_t r;
    while (n < max && (r = read(pr->record, buf + n, max - n)) > 0)
        n += (size_t)r;
    close(pr->record);
    int st;
    waitpid(pr->pid, &st, 0);
    return n;
}

static bool contains(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

TEST(rfc2217_sets_the_line_and_escapes_0xff_both_ways)
{
    struct peer pr;
    CHECK_EQ(peer_start(&pr, PEER_GOOD), 0);
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open(pr.url, 115200, 1000, &t, &err), 0);
    CHECK(strstr(t->desc, "rfc2217://127.0.0.1:") != NULL);
    static const uint8_t out[] = {0xA5, 0xFF, 0x00, 0xFF};
    CHECK_EQ(t->write(t, out, sizeof out, &err), 0);
    uint8_t buf[64];
    int n = 0, r;
    while (n < 5 && (r = t->read(t, buf + n, sizeof buf - (size_t)n, 1000, &err)) > 0)
        n += r;
    t->close(t);
    CHECK_EQ(n, 5);
    CHECK_MEM(buf, "\xA5\xFF\x01\x02\x03", 5); /* commands taken out, IAC IAC one 0xFF */
    static uint8_t sent[4096];
    size_t len = peer_end(&pr, sent, sizeof sent);
    CHECK(contains(sent, len, "\xFF\xFB\x2C", 3)); /* WILL COM-PORT-OPTION */
    CHECK(contains(sent, len, "\xFF\xFA\x2C\x01\x00\x01\xC2\x00\xFF\xF0", 10)); /* 115200 */
    CHECK(contains(sent, len, "\xFF\xFA\x2C\x02\x08\xFF\xF0", 7)); /* 8 data bits */
    CHECK(contains(sent, len, "\xFF\xFA\x2C\x03\x01\xFF\xF0", 7)); /* no parity */
    CHECK(contains(sent, len, "\xFF\xFA\x2C\x04\x01\xFF\xF0", 7)); /* 1 stop bit */
    CHECK(contains(sent, len, "\xFF\xFE\x01", 3));                 /* DONT ECHO */
    CHECK(contains(sent, len, "\xA5\xFF\xFF\x00\xFF\xFF", 6));    /* the data, escaped */
}

TEST(rfc2217_baud_value_with_0xff_is_escaped_in_the_subnegotiation)
{
    struct peer pr;
    CHECK_EQ(peer_start(&pr, PEER_GOOD), 0);
    struct iap_transport *t = NULL;
    /* 0x0001FFFF would not be a standard rate; RFC 2217 servers take any value */
    CHECK_EQ(transport_open(pr.url, 0x1FFFF, 1000, &t, &err), 0);
    t->close(t);
    static uint8_t sent[4096];
    size_t len = peer_end(&pr, sent, sizeof sent);
    CHECK(contains(sent, len, "\xFF\xFA\x2C\x01\x00\x01\xFF\xFF\xFF\xFF\xFF\xF0", 12));
}

TEST(rfc2217_on_a_raw_bridge_fails_within_seconds_naming_tcp)
{
    struct peer pr;
    CHECK_EQ(peer_start(&pr, PEER_SILENT), 0);
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open(pr.url, 115200, 1000, &t, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "does not speak telnet") != NULL);
    CHECK(strstr(err.msg, "use tcp://127.0.0.1:") != NULL);
    uint8_t sent[256];
    peer_end(&pr, sent, sizeof sent);
}

TEST(rfc2217_refused_by_the_server_says_how_to_enable_it)
{
    struct peer pr;
    CHECK_EQ(peer_start(&pr, PEER_REFUSES), 0);
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open(pr.url, 115200, 1000, &t, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "refuses RFC 2217") != NULL);
    CHECK(strstr(err.msg, "telnet(rfc2217)") != NULL);
    uint8_t sent[256];
    peer_end(&pr, sent, sizeof sent);
}

TEST(rfc2217_server_that_sets_another_rate_is_a_port_error)
{
    struct peer pr;
    CHECK_EQ(peer_start(&pr, PEER_OTHER_BAUD), 0);
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open(pr.url, 115200, 1000, &t, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "set its line to 9600 baud, not 115200") != NULL);
    uint8_t sent[256];
    peer_end(&pr, sent, sizeof sent);
}

TEST(rfc2217_bridge_that_closes_saying_why_is_quoted)
{
    struct peer pr;
    CHECK_EQ(peer_start(&pr, PEER_BUSY), 0);
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open(pr.url, 115200, 1000, &t, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "closed the connection, saying \"Port already in use\"") != NULL);
    uint8_t sent[256];
    peer_end(&pr, sent, sizeof sent);
}

TEST(telnet_server_given_as_tcp_is_refused_naming_rfc2217)
{
    int port, ls = listen_local(&port);
    CHECK(ls >= 0);
    char spec[64];
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", port);
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open(spec, 115200, 1000, &t, &err), 0);
    int c = accept(ls, NULL, NULL);
    CHECK(c >= 0);
    CHECK_EQ(write(c, "\xFF\xFB\x03\xFF\xFD\x2C", 6), 6);
    usleep(20000);
    t->discard(t); /* the session discards first: the sniffer still sees it */
    uint8_t buf[16];
    CHECK_EQ(t->read(t, buf, sizeof buf, 1000, &err), IAP_ERR_PORT);
    CHECK(strstr(err.msg, "is a telnet port") != NULL);
    CHECK(strstr(err.msg, "use rfc2217://127.0.0.1:") != NULL);
    t->close(t);
    close(c);
    close(ls);
}

TEST(raw_bridge_that_closes_saying_why_is_quoted)
{
    int port, ls = listen_local(&port);
    CHECK(ls >= 0);
    char spec[64];
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", port);
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open(spec, 115200, 1000, &t, &err), 0);
    int c = accept(ls, NULL, NULL);
    CHECK(c >= 0);
    CHECK_EQ(write(c, "Device open failure: No such file\r\n", 35), 35);
    close(c);
    uint8_t buf[64];
    int r;
    while ((r = t->read(t, buf, sizeof buf, 1000, &err)) > 0) {
    }
    CHECK_EQ(r, IAP_ERR_PORT);
    CHECK(strstr(err.msg, "saying \"Device open failure: No such file\"") != NULL);
    t->close(t);
    close(ls);
}

TEST(unknown_port_scheme_is_a_usage_error)
{
    struct iap_transport *t = NULL;
    CHECK_EQ(transport_open("telnet://host:23", 115200, 1000, &t, &err), IAP_ERR_USAGE);
    CHECK(strstr(err.msg, "unknown port type 'telnet://'") != NULL);
}

int main(void)
{
    RUN(serial_carries_bytes_both_ways_on_a_pty);
    RUN(serial_close_gives_the_port_its_settings_back);
    RUN(serial_discard_drops_pending_input);
    RUN(serial_port_that_vanishes_is_a_port_error);
    RUN(missing_serial_port_says_so);
    RUN(a_file_that_is_not_a_tty_is_refused);
    RUN(a_busy_serial_port_is_refused);
    RUN(an_unsupported_baud_rate_is_a_usage_error);
    RUN(tcp_carries_bytes_both_ways_and_reports_a_closed_bridge);
    RUN(tcp_connection_refused_names_the_bridge);
    RUN(tcp_address_without_port_is_a_usage_error);
    RUN(telnet_escape_doubles_0xff);
    RUN(telnet_decode_keeps_data_and_takes_out_commands_split_anywhere);
    RUN(telnet_sniff_tells_a_telnet_server_from_a_raw_line);
    RUN(rfc2217_sets_the_line_and_escapes_0xff_both_ways);
    RUN(rfc2217_baud_value_with_0xff_is_escaped_in_the_subnegotiation);
    RUN(rfc2217_on_a_raw_bridge_fails_within_seconds_naming_tcp);
    RUN(rfc2217_refused_by_the_server_says_how_to_enable_it);
    RUN(rfc2217_server_that_sets_another_rate_is_a_port_error);
    RUN(rfc2217_bridge_that_closes_saying_why_is_quoted);
    RUN(telnet_server_given_as_tcp_is_refused_naming_rfc2217);
    RUN(raw_bridge_that_closes_saying_why_is_quoted);
    RUN(unknown_port_scheme_is_a_usage_error);
    return test_summary();
}
