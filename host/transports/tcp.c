/* tcp://HOST:PORT: a raw serial-over-TCP bridge (ser2net in raw mode, socat). The baud rate is
 * the bridge's business; iap only uses it to size its timeouts. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../transport.h"
#include "fdio.h"

struct tcp {
    struct iap_transport t;
    int fd;
    char lost[400];
};

static int tcp_write(struct iap_transport *t, const uint8_t *buf, size_t len, struct iap_err *err)
{
    struct tcp *c = (struct tcp *)t;
    return fdio_write(c->fd, buf, len, c->lost, err);
}

static int tcp_read(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                    struct iap_err *err)
{
    struct tcp *c = (struct tcp *)t;
    return fdio_read(c->fd, buf, max, timeout_ms, c->lost, err);
}

static void tcp_discard(struct iap_transport *t) { fdio_drain(((struct tcp *)t)->fd); }

static void tcp_close(struct iap_transport *t)
{
    struct tcp *c = (struct tcp *)t;
    close(c->fd);
    free(c);
}

/* Splits "host:port" or "[v6]:port". */
static int split(const char *hp, char *host, size_t hostsz, char *port, size_t portsz)
{
    const char *colon;
    if (hp[0] == '[') {
        const char *end = strchr(hp, ']');
        if (!end || end[1] != ':')
            return -1;
        if ((size_t)(end - hp - 1) >= hostsz)
            return -1;
        memcpy(host, hp + 1, (size_t)(end - hp - 1));
        host[end - hp - 1] = 0;
        colon = end + 1;
    } else {
        colon = strrchr(hp, ':');
        if (!colon || (size_t)(colon - hp) >= hostsz || colon == hp)
            return -1;
        memcpy(host, hp, (size_t)(colon - hp));
        host[colon - hp] = 0;
    }
    if (!colon[1] || strlen(colon + 1) >= portsz)
        return -1;
    strcpy(port, colon + 1);
    return 0;
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

int tcp_open(const char *hostport, unsigned baud, int connect_ms, struct iap_transport **out,
             struct iap_err *err)
{
    char host[256], port[32];
    if (split(hostport, host, sizeof host, port, sizeof port))
        return iap_fail(err, IAP_ERR_USAGE,
                        "bad TCP port 'tcp://%s': write tcp://HOST:PORT, e.g. tcp://10.0.0.5:4001",
                        hostport);
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
    snprintf(c->t.desc, sizeof c->t.desc, "tcp://%s (line at %u baud)", hostport, baud);
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
