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

#endif
