/* TCP on POSIX, under tcp:// (a raw serial-over-TCP bridge: ser2net without telnet, socat) and
 * under rfc2217://. The baud rate is the bridge's business; iap only uses it to size its
 * timeouts. What arrives is watched (net.c): a tcp:// peer that opens with telnet negotiation is
 * refused at once, and a bridge that closes saying why is quoted. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdio.h"
#include "net.h"

struct tcp {
    struct iap_transport t;
    int fd;
    struct net_watch watch;
    char lost[400];
};

static int tcp_write(struct iap_transport *t, const uint8_t *buf, size_t len, struct iap_err *err)
{
    struct tcp *c = (struct tcp *)t;
    int rc = net_watch_received(&c->watch, NULL, 0, err);
    if (!rc)
        rc = fdio_write(c->fd, buf, len, c->lost, err);
    return rc ? net_watch_failed(&c->watch, rc, err) : 0;
}

static int tcp_read(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                    struct iap_err *err)
{
    struct tcp *c = (struct tcp *)t;
    int rc = net_watch_received(&c->watch, NULL, 0, err);
    if (rc)
        return rc;
    int n = fdio_read(c->fd, buf, max, timeout_ms, c->lost, err);
    if (n < 0)
        return net_watch_failed(&c->watch, n, err);
    rc = net_watch_received(&c->watch, buf, (size_t)n, err);
    return rc ? rc : n;
}

static void tcp_discard(struct iap_transport *t)
{
    struct tcp *c = (struct tcp *)t;
    uint8_t junk[256];
    ssize_t n;
    while ((n = read(c->fd, junk, sizeof junk)) > 0)
        net_watch_received(&c->watch, junk, (size_t)n, NULL); /* the next read reports it */
}

static void tcp_close(struct iap_transport *t)
{
    struct tcp *c = (struct tcp *)t;
    close(c->fd);
    free(c);
}

static int connect_one(const struct addrinfo *ai, int connect_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno == EINPROGRESS) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (poll(&p, 1, connect_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
            soerr == 0)
            return fd;
        errno = soerr ? soerr : ETIMEDOUT;
    }
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

int net_open(const char *scheme, const char *hostport, unsigned baud, int connect_ms, bool raw,
             struct iap_transport **out, struct iap_err *err)
{
    char host[256], port[32];
    int rc = net_split(scheme, hostport, host, sizeof host, port, sizeof port, err);
    if (rc)
        return rc;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai)
        return iap_fail(err, IAP_ERR_PORT, "cannot resolve %s: %s", host, gai_strerror(gai));
    int fd = -1, e = 0;
    for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_one(ai, connect_ms);
        if (fd < 0)
            e = errno;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return iap_fail(err, IAP_ERR_PORT,
                        "cannot connect to %s:%s: %s: check that the serial bridge (ser2net, "
                        "socat) is running there",
                        host, port, strerror(e));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct tcp *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory");
    }
    c->fd = fd;
    net_watch_init(&c->watch, hostport, raw);
    snprintf(c->t.desc, sizeof c->t.desc, "%s://%s (line at %u baud)", scheme, hostport, baud);
    snprintf(c->lost, sizeof c->lost,
             "connection to %s:%s closed: check the bridge and run iap again; an interrupted "
             "update leaves the board in IAP mode",
             host, port);
    c->t.write = tcp_write;
    c->t.read = tcp_read;
    c->t.discard = tcp_discard;
    c->t.close = tcp_close;
    *out = &c->t;
    return 0;
}

int tcp_open(const char *hostport, unsigned baud, int connect_ms, struct iap_transport **out,
             struct iap_err *err)
{
    return net_open("tcp", hostport, baud, connect_ms, true, out, err);
}
