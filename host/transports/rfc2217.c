/* rfc2217://HOST:PORT: a telnet serial bridge with the COM-PORT-CONTROL option (RFC 2217), such
 * as ser2net's `telnet(rfc2217)` accepter. iap negotiates binary mode and the option, sets the
 * bridge's line to --baud 8N1 without flow control, and from then on escapes 0xFF in what it
 * sends and takes telnet commands out of what it receives. Built on the TCP transport, so it is
 * the same file on every OS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compat.h"
#include "../transport.h"
#include "net.h"
#include "telnet.h"

#define LISTEN_MS 250      /* the server's opening words come at once, if it has any */
#define QUIET_MS 50        /* and end when it has been quiet this long */
#define LISTEN_MAX_MS 1000 /* a bridge passing a chatty board is never quiet */
#define NEGOTIATE_MS 3000  /* a telnet server answers at once; a raw bridge never does */
#define SUSPEND_MS 5000    /* the longest a FLOWCONTROL-SUSPEND may hold our output */

/* COM-PORT-CONTROL commands, client to server; the server answers with code + 100. */
enum {
    CPC_SIGNATURE = 0,
    CPC_SET_BAUDRATE = 1,
    CPC_SET_DATASIZE = 2,
    CPC_SET_PARITY = 3,
    CPC_SET_STOPSIZE = 4,
    CPC_SET_CONTROL = 5,
    CPC_FLOWCONTROL_SUSPEND = 8,
    CPC_FLOWCONTROL_RESUME = 9,
    CPC_SERVER = 100,
};
enum { PARITY_NONE = 1, STOPSIZE_1 = 1, CONTROL_NO_FLOW = 1 };

/* Options iap agrees to, in each direction; anything else is refused. */
static bool we_may(uint8_t opt)
{
    return opt == TELNET_OPT_BINARY || opt == TELNET_OPT_SGA || opt == TELNET_OPT_COM_PORT;
}
static bool they_may(uint8_t opt) { return opt == TELNET_OPT_BINARY || opt == TELNET_OPT_SGA; }

enum { OPT_NO, OPT_ASKED, OPT_YES, OPT_REFUSED };

struct rfc2217 {
    struct iap_transport t;
    struct iap_transport *net;
    struct telnet_rx rx;
    struct telnet_handler h;
    uint8_t we[256], they[256]; /* option states (OPT_*) */
    bool negotiated;            /* the server sent any telnet command */
    bool hold;                  /* answers wait in held[] (listen_first) */
    uint8_t held[256];
    size_t held_len;
    bool suspended;             /* FLOWCONTROL-SUSPEND until RESUME */
    uint8_t answered;           /* bit n: the server answered SET command n */
    uint32_t baud, baud_set;    /* asked for, and what the server reports */
    int err_rc;                 /* a failed write of an answer, from a decoder callback */
    struct iap_err werr;
    struct net_banner banner; /* text the bridge sent during the negotiation */
    char hostport[300];
};

static int send_raw(struct rfc2217 *r, const uint8_t *buf, size_t len)
{
    if (r->err_rc)
        return r->err_rc;
    if (r->hold) {
        if (r->held_len + len <= sizeof r->held) {
            memcpy(r->held + r->held_len, buf, len);
            r->held_len += len;
        }
        return 0;
    }
    r->err_rc = r->net->write(r->net, buf, len, &r->werr);
    return r->err_rc;
}

static void send_option(struct rfc2217 *r, uint8_t verb, uint8_t opt)
{
    const uint8_t cmd[3] = {TELNET_IAC, verb, opt};
    send_raw(r, cmd, sizeof cmd);
}

static void send_cpc(struct rfc2217 *r, uint8_t code, const uint8_t *val, size_t len)
{
    uint8_t data[8], frame[2 * sizeof data + 5];
    data[0] = code;
    memcpy(data + 1, val, len);
    send_raw(r, frame, telnet_sub(frame, TELNET_OPT_COM_PORT, data, len + 1));
}

/* Option negotiation without loops (RFC 1143 in short): answer a request only when it changes
 * the option's state, and refuse what iap does not do once. */
static void on_option(void *ctx, uint8_t verb, uint8_t opt)
{
    struct rfc2217 *r = ctx;
    r->negotiated = true;
    switch (verb) {
    case TELNET_DO:
        if (!we_may(opt)) {
            if (r->we[opt] != OPT_REFUSED)
                send_option(r, TELNET_WONT, opt);
            r->we[opt] = OPT_REFUSED;
        } else {
            if (r->we[opt] != OPT_ASKED && r->we[opt] != OPT_YES)
                send_option(r, TELNET_WILL, opt);
            r->we[opt] = OPT_YES;
        }
        break;
    case TELNET_DONT:
        if (r->we[opt] == OPT_YES)
            send_option(r, TELNET_WONT, opt);
        r->we[opt] = OPT_REFUSED;
        break;
    case TELNET_WILL:
        if (!they_may(opt)) {
            if (r->they[opt] != OPT_REFUSED)
                send_option(r, TELNET_DONT, opt);
            r->they[opt] = OPT_REFUSED;
        } else {
            if (r->they[opt] != OPT_ASKED && r->they[opt] != OPT_YES)
                send_option(r, TELNET_DO, opt);
            r->they[opt] = OPT_YES;
        }
        break;
    case TELNET_WONT:
        if (r->they[opt] == OPT_YES)
            send_option(r, TELNET_DONT, opt);
        r->they[opt] = OPT_REFUSED;
        break;
    default: break;
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_sub(void *ctx, const uint8_t *d, size_t len)
{
    struct rfc2217 *r = ctx;
    r->negotiated = true;
    if (len < 2 || d[0] != TELNET_OPT_COM_PORT)
        return;
    uint8_t code = d[1];
    if (code == CPC_SIGNATURE || code == CPC_SERVER + CPC_SIGNATURE) {
        if (len == 2) /* the server asks for ours */
            send_cpc(r, CPC_SIGNATURE, (const uint8_t *)"iap", 3);
        return;
    }
    if (code < CPC_SERVER)
        return;
    code = (uint8_t)(code - CPC_SERVER);
    if (code == CPC_SET_BAUDRATE && len >= 6)
        r->baud_set = be32(d + 2);
    if (code >= CPC_SET_BAUDRATE && code <= CPC_SET_CONTROL)
        r->answered |= (uint8_t)(1u << code);
    if (code == CPC_FLOWCONTROL_SUSPEND)
        r->suspended = true;
    if (code == CPC_FLOWCONTROL_RESUME)
        r->suspended = false;
}

/* One read of up to timeout_ms, decoded: the data bytes left in buf (0 when there were only
 * commands, or nothing), or a port error. */
static int step(struct rfc2217 *r, uint8_t *buf, size_t max, int timeout_ms, struct iap_err *err)
{
    int n = r->net->read(r->net, buf, max, timeout_ms, err);
    if (n <= 0)
        return n;
    size_t d = telnet_decode(&r->rx, buf, (size_t)n, &r->h);
    if (r->err_rc) {
        if (err)
            *err = r->werr;
        return r->err_rc;
    }
    return (int)d;
}

/* Reads for up to timeout_ms until there is data: its length, 0 on timeout, or a port error. */
static int pump(struct rfc2217 *r, uint8_t *buf, size_t max, int timeout_ms, struct iap_err *err)
{
    uint64_t end = compat_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        uint64_t now = compat_now_ms();
        int n = step(r, buf, max, now < end ? (int)(end - now) : 0, err);
        if (n != 0 || compat_now_ms() >= end)
            return n;
    }
}

static int rfc2217_read(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                        struct iap_err *err)
{
    return pump((struct rfc2217 *)t, buf, max, timeout_ms, err);
}

static int rfc2217_write(struct iap_transport *t, const uint8_t *buf, size_t len,
                         struct iap_err *err)
{
    struct rfc2217 *r = (struct rfc2217 *)t;
    uint64_t end = compat_now_ms() + SUSPEND_MS;
    uint8_t junk[256];
    while (r->suspended && compat_now_ms() < end) { /* the bridge's buffer is full */
        int n = pump(r, junk, sizeof junk, 50, err);
        if (n < 0)
            return n;
    }
    r->suspended = false; /* a RESUME may have been lost: go on rather than stop for good */
    uint8_t out[1024];
    while (len) {
        size_t chunk = len < sizeof out / 2 ? len : sizeof out / 2;
        int rc = r->net->write(r->net, out, telnet_escape(out, buf, chunk), err);
        if (rc)
            return rc;
        buf += chunk;
        len -= chunk;
    }
    return 0;
}

static void rfc2217_discard(struct iap_transport *t)
{
    struct rfc2217 *r = (struct rfc2217 *)t;
    uint8_t junk[512];
    struct iap_err e;
    while (pump(r, junk, sizeof junk, 0, &e) > 0) { /* commands still decoded, data dropped */
    }
}

static void rfc2217_close(struct iap_transport *t)
{
    struct rfc2217 *r = (struct rfc2217 *)t;
    r->net->close(r->net);
    free(r);
}

static bool settings_answered(const struct rfc2217 *r)
{
    uint8_t all = 1u << CPC_SET_BAUDRATE | 1u << CPC_SET_DATASIZE | 1u << CPC_SET_PARITY |
                  1u << CPC_SET_STOPSIZE;
    return (r->answered & all) == all;
}

/* A port error while negotiating: the bridge's words when it said why it closed. */
static int closed(struct rfc2217 *r, int rc, struct iap_err *err)
{
    const char *said = net_banner_text(&r->banner);
    return said ? net_closed_saying(err, r->hostport, said) : rc;
}

/* Hears the server out before saying anything: ser2net opens with its own negotiation, and a
 * bridge that cannot serve the port says why and closes; answering at once could reset the
 * connection before its words are read. Answers are held until the server is quiet. */
static int listen_first(struct rfc2217 *r, uint8_t *junk, size_t size, struct iap_err *err)
{
    uint64_t start = compat_now_ms(), end = start + LISTEN_MS;
    r->hold = true;
    for (;;) {
        uint64_t now = compat_now_ms();
        if (now >= end)
            break;
        int n = r->net->read(r->net, junk, size, (int)(end - now), err);
        if (n < 0) {
            r->hold = false;
            return closed(r, n, err);
        }
        if (n == 0)
            break;
        net_banner_feed(&r->banner, junk, telnet_decode(&r->rx, junk, (size_t)n, &r->h));
        end = compat_now_ms() + QUIET_MS;
        if (end > start + LISTEN_MAX_MS)
            end = start + LISTEN_MAX_MS;
    }
    r->hold = false;
    send_raw(r, r->held, r->held_len); /* a failure shows in negotiate() */
    return 0;
}

/* Asks for an option unless the server already settled it. */
static void ask(struct rfc2217 *r, uint8_t verb, uint8_t opt)
{
    uint8_t *state = verb == TELNET_WILL ? &r->we[opt] : &r->they[opt];
    if (*state == OPT_NO) {
        send_option(r, verb, opt);
        *state = OPT_ASKED;
    }
}

static void send_settings(struct rfc2217 *r)
{
    const uint8_t baud[4] = {(uint8_t)(r->baud >> 24), (uint8_t)(r->baud >> 16),
                             (uint8_t)(r->baud >> 8), (uint8_t)r->baud};
    const uint8_t eight = 8, parity = PARITY_NONE, stop = STOPSIZE_1, flow = CONTROL_NO_FLOW;
    send_cpc(r, CPC_SET_BAUDRATE, baud, sizeof baud);
    send_cpc(r, CPC_SET_DATASIZE, &eight, 1);
    send_cpc(r, CPC_SET_PARITY, &parity, 1);
    send_cpc(r, CPC_SET_STOPSIZE, &stop, 1);
    send_cpc(r, CPC_SET_CONTROL, &flow, 1);
}

/* Telnet options, then the line settings, each answered within NEGOTIATE_MS. Data the bridge
 * passes meanwhile was sent at the old settings and is dropped. */
static int negotiate(struct rfc2217 *r, struct iap_err *err)
{
    uint8_t junk[512];
    int rc = listen_first(r, junk, sizeof junk, err);
    if (rc)
        return rc;
    ask(r, TELNET_WILL, TELNET_OPT_COM_PORT);
    ask(r, TELNET_WILL, TELNET_OPT_BINARY);
    ask(r, TELNET_DO, TELNET_OPT_BINARY);
    ask(r, TELNET_WILL, TELNET_OPT_SGA);
    ask(r, TELNET_DO, TELNET_OPT_SGA);
    uint64_t end = compat_now_ms() + NEGOTIATE_MS;
    bool sent = false;
    while (!r->err_rc) {
        if (r->we[TELNET_OPT_COM_PORT] == OPT_REFUSED)
            return iap_fail(err, IAP_ERR_PORT,
                            "the telnet server at %s refuses RFC 2217 (COM-PORT-CONTROL), so iap "
                            "cannot set its line: enable it (ser2net: accepter "
                            "telnet(rfc2217),tcp,PORT), or make the port raw and use tcp://%s",
                            r->hostport, r->hostport);
        if (r->we[TELNET_OPT_COM_PORT] == OPT_YES && !sent) {
            send_settings(r);
            sent = true;
        }
        uint64_t now = compat_now_ms();
        if ((sent && settings_answered(r)) || now >= end)
            break;
        int n = step(r, junk, sizeof junk, (int)(end - now), err);
        if (n < 0)
            return closed(r, n, err);
        net_banner_feed(&r->banner, junk, (size_t)n);
    }
    if (r->err_rc) {
        *err = r->werr;
        return closed(r, r->err_rc, err);
    }
    if (!r->negotiated)
        return iap_fail(err, IAP_ERR_PORT,
                        "%s does not speak telnet (no answer to RFC 2217 negotiation in %d s): "
                        "for a raw bridge use tcp://%s",
                        r->hostport, NEGOTIATE_MS / 1000, r->hostport);
    if (!sent)
        return iap_fail(err, IAP_ERR_PORT,
                        "the telnet server at %s did not agree to RFC 2217 (COM-PORT-CONTROL) in "
                        "%d s: enable it (ser2net: accepter telnet(rfc2217),tcp,PORT), or make "
                        "the port raw and use tcp://%s",
                        r->hostport, NEGOTIATE_MS / 1000, r->hostport);
    if (!settings_answered(r))
        return iap_fail(err, IAP_ERR_PORT,
                        "the RFC 2217 server at %s did not confirm the line settings (%u baud "
                        "8N1) in %d s: check the bridge",
                        r->hostport, r->baud, NEGOTIATE_MS / 1000);
    if (r->baud_set != r->baud)
        return iap_fail(err, IAP_ERR_PORT,
                        "the RFC 2217 server at %s set its line to %u baud, not %u: pass a rate "
                        "its serial port supports with -b",
                        r->hostport, r->baud_set, r->baud);
    return 0;
}

/* The step-up over a bridge: SET-BAUDRATE, and the bridge's confirmation within a second. */
static int rfc2217_set_baud(struct iap_transport *t, unsigned baud, struct iap_err *err)
{
    struct rfc2217 *r = (struct rfc2217 *)t;
    const uint8_t b[4] = {(uint8_t)(baud >> 24), (uint8_t)(baud >> 16), (uint8_t)(baud >> 8),
                          (uint8_t)baud};
    r->baud = baud;
    r->baud_set = 0;
    send_cpc(r, CPC_SET_BAUDRATE, b, sizeof b);
    uint8_t junk[256];
    for (int waited = 0; r->baud_set != baud && waited < 1000; waited += 20) {
        int n = step(r, junk, sizeof junk, 20, err);
        if (n < 0)
            return closed(r, n, err);
    }
    if (r->err_rc) {
        *err = r->werr;
        return closed(r, r->err_rc, err);
    }
    if (r->baud_set != baud)
        return iap_fail(err, IAP_ERR_PORT, "the RFC 2217 server at %s did not set %u baud",
                        r->hostport, baud);
    return 0;
}

int rfc2217_open(const char *hostport, unsigned baud, int connect_ms, struct iap_transport **out,
                 struct iap_err *err)
{
    struct iap_transport *net;
    int rc = net_open("rfc2217", hostport, baud, connect_ms, false, &net, err);
    if (rc)
        return rc;
    struct rfc2217 *r = calloc(1, sizeof *r);
    if (!r) {
        net->close(net);
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory");
    }
    r->net = net;
    r->baud = baud;
    r->h = (struct telnet_handler){on_option, on_sub, r};
    telnet_rx_init(&r->rx);
    snprintf(r->hostport, sizeof r->hostport, "%s", hostport);
    rc = negotiate(r, err);
    if (rc) {
        rfc2217_close(&r->t);
        return rc;
    }
    snprintf(r->t.desc, sizeof r->t.desc, "rfc2217://%s at %u baud", hostport, baud);
    r->t.write = rfc2217_write;
    r->t.read = rfc2217_read;
    r->t.discard = rfc2217_discard;
    r->t.close = rfc2217_close;
    r->t.set_baud = rfc2217_set_baud;
    *out = &r->t;
    return 0;
}
