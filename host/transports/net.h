/* What the TCP transports under tcp:// and rfc2217:// share: tcp.c (POSIX) and tcp_win.c
 * (Windows) open the connection; net.c, portable, watches what arrives on it. */
#ifndef IAP_NET_H
#define IAP_NET_H

#include <stdbool.h>

#include "../transport.h"
#include "telnet.h"

/* Connects to "host:port" or "[v6]:port" within connect_ms; scheme ("tcp", "rfc2217") and baud
 * go into the description and the messages. With raw, a peer that opens with telnet negotiation
 * is refused with a message that names rfc2217://. */
int net_open(const char *scheme, const char *hostport, unsigned baud, int connect_ms, bool raw,
             struct iap_transport **out, struct iap_err *err);

/* Splits "host:port" or "[v6]:port"; 0, or IAP_ERR_USAGE with an example using scheme. */
int net_split(const char *scheme, const char *hostport, char *host, size_t hostsz, char *port,
              size_t portsz, struct iap_err *err);

/* The first bytes a bridge sends, kept while they are short text: a bridge that cannot serve
 * the port says why, then closes (ser2net: "Port already in use", "Device open failure: ..."). */
struct net_banner {
    char text[100];
    size_t n;
    bool binary; /* more than text[] holds, or not text: not a banner */
};
void net_banner_feed(struct net_banner *b, const uint8_t *buf, size_t n);
/* The banner on one line, or NULL when the bridge sent nothing or not a banner. */
const char *net_banner_text(struct net_banner *b);
/* A closed connection's message when the bridge said why; returns IAP_ERR_PORT. */
int net_closed_saying(struct iap_err *err, const char *hostport, const char *said);

/* What a TCP transport watches in the bytes it receives. */
struct net_watch {
    bool raw; /* tcp://: a telnet server there is refused */
    struct telnet_sniff sniff;
    struct net_banner banner;
    uint64_t opened_ms;
    char hostport[300];
};
void net_watch_init(struct net_watch *w, const char *hostport, bool raw);
/* Bytes received: IAP_ERR_PORT and the message once they show a telnet server on a raw port
 * (and on every call after), else 0. */
int net_watch_received(struct net_watch *w, const uint8_t *buf, size_t n, struct iap_err *err);
/* A port error rc of the connection: the bridge's own words instead when it said why it closed,
 * which a bridge does at once (later text is the board's). */
int net_watch_failed(struct net_watch *w, int rc, struct iap_err *err);

#endif
