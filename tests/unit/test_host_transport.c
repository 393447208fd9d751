/* Transports: the serial port on a pseudo-terminal, TCP on localhost, and the errors a user
 * meets (missing port, not a tty, busy, vanished mid-transfer, connection refused). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "test.h"
#include "transport.h"

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
    return test_summary();
}
