/* TCP on Windows (Winsock 2), under tcp:// and rfc2217://: the counterpart of tcp.c, with the
 * same watch over what arrives (net.c) and the same messages. */
#include <winsock2.h>
#include <ws2tcpip.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

#define WRITE_STALL_MS 5000

struct tcp_win {
    struct iap_transport t;
    SOCKET s;
    struct net_watch watch;
    char lost[400];
};

static const char *wsa_error(int e, char *buf, size_t size)
{
    if (!FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                        (DWORD)e, 0, buf, (DWORD)size, NULL))
        snprintf(buf, size, "Winsock error %d", e);
    buf[strcspn(buf, "\r\n")] = 0;
    return buf;
}

static int lost(struct tcp_win *c, int e, struct iap_err *err)
{
    char why[160];
    int rc = e ? iap_fail(err, IAP_ERR_PORT, "%s (%s)", c->lost, wsa_error(e, why, sizeof why))
               : iap_fail(err, IAP_ERR_PORT, "%s", c->lost);
    return net_watch_failed(&c->watch, rc, err);
}

/* Waits up to ms for the socket to be readable (or writable): 1, 0 on timeout, -1. */
static int wait_for(SOCKET s, bool write, int ms)
{
    fd_set set;
    FD_ZERO(&set);
    FD_SET(s, &set);
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    return select(0, write ? NULL : &set, write ? &set : NULL, NULL, &tv);
}

static int tcp_write(struct iap_transport *t, const uint8_t *buf, size_t len, struct iap_err *err)
{
    struct tcp_win *c = (struct tcp_win *)t;
    int rc = net_watch_received(&c->watch, NULL, 0, err);
    if (rc)
        return rc;
    while (len) {
        int chunk = len > 65536 ? 65536 : (int)len;
        int n = send(c->s, (const char *)buf, chunk, 0);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        int e = WSAGetLastError();
        if (e != WSAEWOULDBLOCK)
            return lost(c, e, err);
        int r = wait_for(c->s, true, WRITE_STALL_MS);
        if (r == 0)
            return iap_fail(err, IAP_ERR_PORT, "%s (output stalled for %d s)", c->lost,
                            WRITE_STALL_MS / 1000);
        if (r < 0)
            return lost(c, WSAGetLastError(), err);
    }
    return 0;
}

static int tcp_read(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                    struct iap_err *err)
{
    struct tcp_win *c = (struct tcp_win *)t;
    int rc = net_watch_received(&c->watch, NULL, 0, err);
    if (rc)
        return rc;
    int r = wait_for(c->s, false, timeout_ms < 0 ? 0 : timeout_ms);
    if (r == 0)
        return 0;
    if (r < 0)
        return lost(c, WSAGetLastError(), err);
    int n = recv(c->s, (char *)buf, max > 65536 ? 65536 : (int)max, 0);
    if (n == 0)
        return lost(c, 0, err);
    if (n < 0) {
        int e = WSAGetLastError();
        return e == WSAEWOULDBLOCK ? 0 : lost(c, e, err);
    }
    rc = net_watch_received(&c->watch, buf, (size_t)n, err);
    return rc ? rc : n;
}

static void tcp_discard(struct iap_transport *t)
{
    struct tcp_win *c = (struct tcp_win *)t;
    char junk[256];
    int n;
    while ((n = recv(c->s, junk, sizeof junk, 0)) > 0)
        net_watch_received(&c->watch, (const uint8_t *)junk, (size_t)n, NULL);
}

static void tcp_close(struct iap_transport *t)
{
    struct tcp_win *c = (struct tcp_win *)t;
    closesocket(c->s);
    WSACleanup();
    free(c);
}

static SOCKET connect_one(const struct addrinfo *ai, int connect_ms, int *e)
{
    SOCKET s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (s == INVALID_SOCKET) {
        *e = WSAGetLastError();
        return s;
    }
    u_long nonblocking = 1;
    ioctlsocket(s, FIONBIO, &nonblocking);
    if (connect(s, ai->ai_addr, (int)ai->ai_addrlen) == 0)
        return s;
    *e = WSAGetLastError();
    if (*e == WSAEWOULDBLOCK) {
        /* a refused connect shows in the exception set */
        fd_set w, x;
        FD_ZERO(&w);
        FD_ZERO(&x);
        FD_SET(s, &w);
        FD_SET(s, &x);
        struct timeval tv = {connect_ms / 1000, (connect_ms % 1000) * 1000};
        int r = select(0, NULL, &w, &x, &tv);
        int soerr = 0, sl = sizeof soerr;
        if (r > 0 && FD_ISSET(s, &w) &&
            getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&soerr, &sl) == 0 && soerr == 0)
            return s;
        if (r > 0)
            getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&soerr, &sl);
        *e = r == 0 ? WSAETIMEDOUT : soerr ? soerr : WSAGetLastError();
    }
    closesocket(s);
    return INVALID_SOCKET;
}

int net_open(const char *scheme, const char *hostport, unsigned baud, int connect_ms, bool raw,
             struct iap_transport **out, struct iap_err *err)
{
    char host[256], port[32], why[160];
    int rc = net_split(scheme, hostport, host, sizeof host, port, sizeof port, err);
    if (rc)
        return rc;
    WSADATA wsa;
    int e = WSAStartup(MAKEWORD(2, 2), &wsa); /* counted: once per connection is fine */
    if (e)
        return iap_fail(err, IAP_ERR_PORT, "cannot start Windows sockets: %s",
                        wsa_error(e, why, sizeof why));
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    e = getaddrinfo(host, port, &hints, &res);
    if (e) {
        WSACleanup();
        return iap_fail(err, IAP_ERR_PORT, "cannot resolve %s: %s", host,
                        wsa_error(e, why, sizeof why));
    }
    SOCKET s = INVALID_SOCKET;
    for (const struct addrinfo *ai = res; ai && s == INVALID_SOCKET; ai = ai->ai_next)
        s = connect_one(ai, connect_ms, &e);
    freeaddrinfo(res);
    if (s == INVALID_SOCKET) {
        WSACleanup();
        return iap_fail(err, IAP_ERR_PORT,
                        "cannot connect to %s:%s: %s: check that the serial bridge (ser2net, "
                        "socat) is running there",
                        host, port, wsa_error(e, why, sizeof why));
    }
    BOOL one = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    struct tcp_win *c = calloc(1, sizeof *c);
    if (!c) {
        closesocket(s);
        WSACleanup();
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory");
    }
    c->s = s;
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
