/* The staged demo's receiver (stage_rx.h). The sequencing is the bootloader's (docs/PROTOCOL.md):
 * frames run strictly in order, a retransmission of an executed frame gets the last answer again,
 * a gap or a corrupt frame one NAK naming the seq expected. A session opens with STAGE_STATUS (at
 * any seq: a sequence restart) and closes after 5 s of silence or at a SYNC. Only the session's
 * commands are answered, and only in a session: a plain `iap flash` (SYNC, INFO) finds no
 * bootloader here and asks the application to reboot. */
#include "stage_rx.h"

#include <string.h>

#include "frame.h"

#define FRAME_GAP_MS 100u  /* silence inside a frame: truncated */
#define SESSION_MS   5000u /* silence that closes a session */
#define ERASE_MS     40u   /* tERASE max (datasheet): what iap waits for a page erase */
#define PROG_US      70u   /* tPROG max */

static struct app_stage *st;
static void (*out)(const uint8_t *p, size_t n);
static uint32_t window;
static uint8_t rx_buf[PROTO_MAX_FRAME];
static struct proto_rx rx;
static uint8_t tx[PROTO_MAX_FRAME]; /* the last answer, sent again for a retransmission */
static size_t tx_n;
static uint8_t expect;
static bool open, nak_sent, install;
static uint32_t now, rx_last, host_last;

void stage_rx_init(struct app_stage *s, void (*write)(const uint8_t *p, size_t n),
                   uint32_t rx_window)
{
    st = s;
    out = write;
    window = rx_window;
    proto_rx_init(&rx, rx_buf, sizeof rx_buf);
    tx_n = 0;
    open = nak_sent = install = false;
}

bool stage_rx_active(void) { return open; }

static size_t send(uint8_t *buf, uint8_t seq, int8_t status, size_t data_len)
{
    size_t len = proto_rsp_seal(buf, seq, status, (uint16_t)data_len);
    out(buf, len);
    return len;
}

/* One NAK per expected seq (the host goes back to it and resends everything after). */
static void nak(int8_t status)
{
    uint8_t buf[PROTO_HDR_LEN + 2 + PROTO_CRC_LEN];
    if (!open || nak_sent)
        return;
    nak_sent = true;
    buf[PROTO_RSP_DATA] = expect;
    send(buf, expect, status, 1);
}

static int status(uint8_t *o, size_t *n)
{
    struct proto_stage_status s;
    struct proto_stage_view v;
    memset(&s, 0, sizeof s);
    if (st->staged) {
        app_stage_view(st, &v);
        proto_stage_status_fill(&s, &st->l, &v);
    }
    s.role = PROTO_STAGE_ROLE_APP;
    s.flags = st->secure ? PROTO_STAGE_F_SECURE : 0u;
    s.sram_size = st->sram_size;
    s.rx_window = window;
    s.max_data = PROTO_MAX_DATA;
    s.erase_ms = ERASE_MS;
    s.prog_us = PROG_US;
    s.uptime_s = now / 1000u;
    proto_stage_status_encode(o, &s);
    *n = PROTO_STAGE_STATUS_LEN;
    return PROTO_OK;
}

/* [addr, addr + len) inside the staging image area: its offset there. */
static int area(uint32_t addr, uint32_t len, uint32_t *off)
{
    if (!st->staged)
        return PROTO_E_STAGE_MODE;
    if (addr < st->l.image || addr - st->l.image > st->l.slot ||
        len > st->l.slot - (addr - st->l.image))
        return PROTO_E_RANGE;
    *off = addr - st->l.image;
    return PROTO_OK;
}

static int page_crcs(uint32_t addr, uint32_t count, uint8_t *o, size_t *n)
{
    uint32_t off, page = st->l.page;
    if (count == 0 || count > PROTO_MAX_PAGE_CRCS)
        return PROTO_E_LEN;
    int rc = area(addr, count * page, &off);
    if (rc == PROTO_OK && off % page)
        rc = PROTO_E_ALIGN;
    for (uint32_t i = 0; rc == PROTO_OK && i < count; i++)
        proto_put32(o + 4u * i, app_stage_crc(st, off + i * page, page));
    *n = rc == PROTO_OK ? 4u * count : 0u;
    return rc;
}

static int execute(uint8_t type, const uint8_t *p, size_t len, uint8_t *o, size_t *n)
{
    uint32_t a = len >= 4 ? proto_get32(p) : 0, b = len >= 8 ? proto_get32(p + 4) : 0, off;
    int rc;
    switch (type) {
    case PROTO_CMD_STAGE_STATUS:
        return len ? PROTO_E_LEN : status(o, n);
    case PROTO_CMD_STAGE_BEGIN:
        return len != 8 ? PROTO_E_LEN : app_stage_begin(st, a, b);
    case PROTO_CMD_WRITE:
        if (len <= 8)
            return PROTO_E_LEN;
        rc = area(a, (uint32_t)len - 8u, &off);
        return rc ? rc : app_stage_write(st, off, p + 8, (uint32_t)len - 8u);
    case PROTO_CMD_CRC:
        rc = len != 8 ? PROTO_E_LEN : area(a, b, &off);
        if (rc == PROTO_OK) {
            proto_put32(o, app_stage_crc(st, off, b));
            *n = 4;
        }
        return rc;
    case PROTO_CMD_PAGE_CRCS:
        return len != 8 ? PROTO_E_LEN : page_crcs(a, b, o, n);
    case PROTO_CMD_STAGE_FINISH:
        return len != 4 ? PROTO_E_LEN : app_stage_finish(st, a);
    case PROTO_CMD_STAGE_INSTALL:
        rc = len ? PROTO_E_LEN : app_stage_request_install(st);
        install = rc == PROTO_OK;
        return rc;
    default:
        return PROTO_E_CMD; /* a staged command this receiver does not know */
    }
}

/* The commands of a staged session; any other frame is not for the application. */
static bool staged_cmd(uint8_t type)
{
    return (type >= PROTO_CMD_STAGE_FIRST && type <= PROTO_CMD_STAGE_LAST) ||
           type == PROTO_CMD_WRITE || type == PROTO_CMD_CRC || type == PROTO_CMD_PAGE_CRCS;
}

static void frame(const struct proto_frame *f)
{
    uint8_t type = f->type, seq = f->seq;
    if (type == PROTO_CMD_SYNC)
        open = false; /* a plain iap looking for a bootloader: it sends the update command next */
    if (type == PROTO_CMD_STAGE_STATUS) { /* a session (re)starts here */
        open = true;
        expect = seq;
    }
    if (!open || !staged_cmd(type))
        return;
    host_last = now;
    if (seq != expect) {
        uint8_t behind = (uint8_t)(expect - seq);
        if (tx_n && behind <= PROTO_MAX_INFLIGHT)
            out(tx, tx_n);
        else
            nak(PROTO_E_SEQ);
        return;
    }
    expect++;
    nak_sent = false;
    size_t n = 0;
    int8_t s = (int8_t)execute(type, f->payload, f->len, tx + PROTO_RSP_DATA, &n);
    tx_n = send(tx, seq, s, n);
}

/* Each pass waits for more bytes or removes at least one: bounded by rx.n. */
static void parse(void)
{
    struct proto_frame f;
    int r;
    while ((r = proto_rx_next(&rx, &f)) != PROTO_RX_MORE) {
        if (r == PROTO_RX_BAD) {
            nak(PROTO_E_CRC);
            continue;
        }
        frame(&f);
        proto_rx_consume(&rx, &f);
    }
}

bool stage_rx_feed(const uint8_t *p, size_t n, uint32_t now_ms)
{
    now = now_ms;
    while (n) {
        size_t k = proto_rx_push(&rx, p, n);
        p += k;
        n -= k;
        rx_last = now;
        parse();
        if (k == 0 && proto_rx_room(&rx) == 0) /* cannot happen: a whole frame fits */
            proto_rx_truncated(&rx);
    }
    bool r = install;
    install = false;
    return r;
}

void stage_rx_poll(uint32_t now_ms)
{
    now = now_ms;
    if (rx.n && now - rx_last >= FRAME_GAP_MS) {
        nak(PROTO_E_CRC);
        proto_rx_truncated(&rx);
        parse();
    }
    if (open && now - host_last >= SESSION_MS)
        open = false;
}
