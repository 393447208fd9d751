/* Telnet (RFC 854) as far as a serial bridge needs it: 0xFF escaping, a decoder that takes
 * negotiations and subnegotiations out of the data stream, and a sniffer that recognises a
 * telnet server at the start of a stream that should be raw. Portable, no I/O: rfc2217.c and
 * the TCP transports use it. */
#ifndef IAP_TELNET_H
#define IAP_TELNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TELNET_SE = 240,
    TELNET_SB = 250,
    TELNET_WILL = 251,
    TELNET_WONT = 252,
    TELNET_DO = 253,
    TELNET_DONT = 254,
    TELNET_IAC = 255,
    TELNET_OPT_BINARY = 0,
    TELNET_OPT_ECHO = 1,
    TELNET_OPT_SGA = 3,
    TELNET_OPT_COM_PORT = 44, /* RFC 2217 */
};

#define TELNET_SB_MAX 64 /* longest subnegotiation kept; longer ones are cut (RFC 2217's are short) */

/* What the decoder found besides data. */
struct telnet_handler {
    void (*option)(void *ctx, uint8_t verb, uint8_t opt); /* WILL, WONT, DO or DONT */
    void (*sub)(void *ctx, const uint8_t *data, size_t len); /* IAC SB data IAC SE, unescaped */
    void *ctx;
};

struct telnet_rx {
    uint8_t state, verb;
    uint8_t sb[TELNET_SB_MAX];
    size_t sblen;
};

void telnet_rx_init(struct telnet_rx *rx);
/* Decodes n received bytes in place, across calls (a command may be split between reads): the
 * data bytes are moved to the front of buf and counted in the return value; IAC IAC is one 0xFF;
 * negotiations and subnegotiations go to h; other commands (NOP, GA, BRK...) are dropped. */
size_t telnet_decode(struct telnet_rx *rx, uint8_t *buf, size_t n, const struct telnet_handler *h);

/* Escapes data for a telnet stream (0xFF doubled) into out, which holds 2 * n bytes; returns the
 * length. */
size_t telnet_escape(uint8_t *out, const uint8_t *in, size_t n);

/* A subnegotiation frame IAC SB opt data... IAC SE, data escaped, into out (2 * len + 5 bytes). */
size_t telnet_sub(uint8_t *out, uint8_t opt, const uint8_t *data, size_t len);

/* Watches the first bytes of a stream that should be raw: a telnet server opens with
 * negotiations (IAC WILL/WONT/DO/DONT, or IAC SB), a serial line almost never does. */
struct telnet_sniff {
    uint8_t head[2];
    size_t n;
    bool telnet; /* decided: the stream began with a telnet negotiation */
};
/* Feeds received bytes; true once the stream is known to start with telnet negotiation. */
bool telnet_sniff(struct telnet_sniff *s, const uint8_t *buf, size_t n);

#endif
