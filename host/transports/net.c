#include "net.h"

#include <stdio.h>
#include <string.h>

#include "../compat.h"

#define BANNER_MS 2000 /* a bridge that refuses a connection says why within this time */

int net_split(const char *scheme, const char *hp, char *host, size_t hostsz, char *port,
              size_t portsz, struct iap_err *err)
{
    const char *colon;
    if (hp[0] == '[') {
        const char *end = strchr(hp, ']');
        if (!end || end[1] != ':' || (size_t)(end - hp - 1) >= hostsz)
            goto bad;
        memcpy(host, hp + 1, (size_t)(end - hp - 1));
        host[end - hp - 1] = 0;
        colon = end + 1;
    } else {
        colon = strrchr(hp, ':');
        if (!colon || (size_t)(colon - hp) >= hostsz || colon == hp)
            goto bad;
        memcpy(host, hp, (size_t)(colon - hp));
        host[colon - hp] = 0;
    }
    if (!colon[1] || strlen(colon + 1) >= portsz)
        goto bad;
    strcpy(port, colon + 1);
    return 0;
bad:
    return iap_fail(err, IAP_ERR_USAGE,
                    "bad TCP port '%s://%s': write %s://HOST:PORT, e.g. %s://10.0.0.5:4001", scheme,
                    hp, scheme, scheme);
}

void net_banner_feed(struct net_banner *b, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n && !b->binary; i++) {
        uint8_t c = buf[i];
        if (b->n + 1 >= sizeof b->text || !(c == '\r' || c == '\n' || (c >= 0x20 && c < 0x7F)))
            b->binary = true;
        else
            b->text[b->n++] = (char)(c == '\r' || c == '\n' ? ' ' : c);
    }
}

const char *net_banner_text(struct net_banner *b)
{
    if (b->binary)
        return NULL;
    while (b->n && b->text[b->n - 1] == ' ')
        b->n--;
    b->text[b->n] = 0;
    const char *t = b->text;
    while (*t == ' ')
        t++;
    return *t ? t : NULL;
}

int net_closed_saying(struct iap_err *err, const char *hostport, const char *said)
{
    return iap_fail(err, IAP_ERR_PORT,
                    "the bridge at %s closed the connection, saying \"%s\": fix that on the "
                    "bridge (its serial device, or the program already using the port), then run "
                    "iap again",
                    hostport, said);
}

void net_watch_init(struct net_watch *w, const char *hostport, bool raw)
{
    memset(w, 0, sizeof *w);
    w->raw = raw;
    w->opened_ms = compat_now_ms();
    snprintf(w->hostport, sizeof w->hostport, "%s", hostport);
}

int net_watch_received(struct net_watch *w, const uint8_t *buf, size_t n, struct iap_err *err)
{
    net_banner_feed(&w->banner, buf, n);
    if (!w->raw || !telnet_sniff(&w->sniff, buf, n))
        return 0;
    return iap_fail(err, IAP_ERR_PORT,
                    "tcp://%s is a telnet port (the bridge opened with telnet negotiation, which "
                    "garbles binary data): use rfc2217://%s, or make the port raw (ser2net: "
                    "accepter tcp,PORT without telnet)",
                    w->hostport, w->hostport);
}

int net_watch_failed(struct net_watch *w, int rc, struct iap_err *err)
{
    if (compat_now_ms() - w->opened_ms > BANNER_MS)
        return rc;
    const char *said = net_banner_text(&w->banner);
    return said ? net_closed_saying(err, w->hostport, said) : rc;
}
