#include "telnet.h"

#include <string.h>

enum { ST_DATA, ST_IAC, ST_OPT, ST_SB, ST_SB_IAC };

void telnet_rx_init(struct telnet_rx *rx) { memset(rx, 0, sizeof *rx); }

size_t telnet_decode(struct telnet_rx *rx, uint8_t *buf, size_t n, const struct telnet_handler *h)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        switch (rx->state) {
        case ST_DATA:
            if (c == TELNET_IAC)
                rx->state = ST_IAC;
            else
                buf[out++] = c;
            break;
        case ST_IAC:
            if (c == TELNET_IAC) {
                buf[out++] = c;
                rx->state = ST_DATA;
            } else if (c >= TELNET_WILL) {
                rx->verb = c;
                rx->state = ST_OPT;
            } else if (c == TELNET_SB) {
                rx->sblen = 0;
                rx->state = ST_SB;
            } else {
                rx->state = ST_DATA; /* a two-byte command: nothing for a serial bridge */
            }
            break;
        case ST_OPT:
            rx->state = ST_DATA;
            if (h && h->option)
                h->option(h->ctx, rx->verb, c);
            break;
        case ST_SB:
            if (c == TELNET_IAC)
                rx->state = ST_SB_IAC;
            else if (rx->sblen < sizeof rx->sb)
                rx->sb[rx->sblen++] = c;
            break;
        case ST_SB_IAC:
            if (c == TELNET_IAC) { /* an escaped 0xFF inside the subnegotiation */
                if (rx->sblen < sizeof rx->sb)
                    rx->sb[rx->sblen++] = c;
                rx->state = ST_SB;
            } else {
                /* IAC SE ends it; any other command ends a malformed one the same way */
                rx->state = ST_DATA;
                if (h && h->sub)
                    h->sub(h->ctx, rx->sb, rx->sblen);
            }
            break;
        default: rx->state = ST_DATA; break;
        }
    }
    return out;
}

size_t telnet_escape(uint8_t *out, const uint8_t *in, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        out[o++] = in[i];
        if (in[i] == TELNET_IAC)
            out[o++] = TELNET_IAC;
    }
    return o;
}

size_t telnet_sub(uint8_t *out, uint8_t opt, const uint8_t *data, size_t len)
{
    size_t o = 0;
    out[o++] = TELNET_IAC;
    out[o++] = TELNET_SB;
    out[o++] = opt;
    o += telnet_escape(out + o, data, len);
    out[o++] = TELNET_IAC;
    out[o++] = TELNET_SE;
    return o;
}

bool telnet_sniff(struct telnet_sniff *s, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n && s->n < sizeof s->head; i++) {
        s->head[s->n++] = buf[i];
        if (s->n == sizeof s->head)
            s->telnet = s->head[0] == TELNET_IAC &&
                        (s->head[1] >= TELNET_WILL || s->head[1] == TELNET_SB);
    }
    return s->telnet;
}
