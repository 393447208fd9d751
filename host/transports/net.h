/* The TCP connection under tcp:// and rfc2217://: tcp.c on POSIX, tcp_win.c on Windows. */
#ifndef IAP_NET_H
#define IAP_NET_H

#include <stdbool.h>

#include "../transport.h"

/* Connects to "host:port" or "[v6]:port" within connect_ms; scheme ("tcp", "rfc2217") and baud
 * go into the description and the messages. With raw, a peer that opens with telnet negotiation
 * is refused with a message that names rfc2217:// (telnet_raw_port_error). */
int net_open(const char *scheme, const char *hostport, unsigned baud, int connect_ms, bool raw,
             struct iap_transport **out, struct iap_err *err);

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

#endif
