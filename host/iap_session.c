#include "iap_session.h"

#include "compat.h"
#include "compress.h"
#include "image.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_MS 50           /* a SYNC this often until one is answered (listening window) */
#define APP_REBOOT_MS 3000    /* keep probing this long after the reboot request */
#define WINDOW_MAX PROTO_MAX_INFLIGHT /* frames in flight, whatever the byte window allows */
#define READ_WINDOW_MAX 8     /* READ answers are large: fewer in flight keeps timeouts short */
/* Each timeout in a row without progress doubles the wait for an answer, up to 4x --timeout:
 * a line that stalls for seconds (a TCP bridge, a USB adapter) costs a few retries, not all. */
#define BACKOFF_MAX_SHIFT 2

static unsigned backoff_ms(const struct iap_session *s, int timeouts_in_a_row)
{
    int shift = timeouts_in_a_row < BACKOFF_MAX_SHIFT ? timeouts_in_a_row : BACKOFF_MAX_SHIFT;
    return (unsigned)s->cfg.timeout_ms << (shift > 0 ? shift : 0);
}

static uint64_t now_ms(void) { return compat_now_ms(); }

unsigned iap_line_ms(const struct iap_session *s, uint64_t n)
{
    unsigned baud = s->cfg.baud ? s->cfg.baud : 115200;
    return (unsigned)((n * 10u * 1000u + baud - 1) / baud);
}

int iap_frame_next(struct proto_rx *rx, struct iap_frame *f)
{
    struct proto_frame pf;
    int r;
    while ((r = proto_rx_next(rx, &pf)) == PROTO_RX_BAD)
        ;
    if (r != PROTO_RX_FRAME)
        return 0;
    f->type = pf.type;
    f->seq = pf.seq;
    f->len = pf.len;
    memcpy(f->payload, pf.payload, pf.len);
    proto_rx_consume(rx, &pf);
    return 1;
}

void iap_session_init(struct iap_session *s, struct iap_transport *t,
                      const struct iap_session_cfg *cfg, const struct iap_session_hooks *hooks)
{
    memset(s, 0, sizeof *s);
    s->t = t;
    s->cfg = *cfg;
    if (s->cfg.retries < 0)
        s->cfg.retries = 0;
    s->hooks = hooks;
    proto_rx_init(&s->rx, s->rx_buf, sizeof s->rx_buf);
    s->window_frames = 1;
}

static void note(struct iap_session *s, const char *msg)
{
    if (s->hooks && s->hooks->note)
        s->hooks->note(s->hooks->ctx, msg);
}

static int send_frame(struct iap_session *s, uint8_t type, uint8_t seq, const uint8_t *payload,
                      uint16_t len, size_t *size, struct iap_err *err)
{
    uint8_t buf[PROTO_MAX_FRAME];
    size_t n = proto_frame_encode(buf, type, seq, payload, len);
    if (size)
        *size = n;
    if (s->hooks && s->hooks->trace) {
        struct proto_frame f = {type, seq, len, buf + PROTO_HDR_LEN};
        s->hooks->trace(s->hooks->ctx, true, &f);
    }
    return s->t->write(s->t, buf, n, err);
}

/* 1 and a response frame in *f, 0 when the deadline passed, < 0 on a port error. */
static int wait_rsp(struct iap_session *s, uint64_t deadline, struct iap_frame *f,
                    struct iap_err *err)
{
    for (;;) {
        while (iap_frame_next(&s->rx, f)) {
            if (s->hooks && s->hooks->trace) {
                struct proto_frame pf = {f->type, f->seq, f->len, f->payload};
                s->hooks->trace(s->hooks->ctx, false, &pf);
            }
            if (f->type == PROTO_RSP && f->len >= 1) {
                s->last_rx_ms = now_ms();
                return 1;
            }
        }
        uint64_t now = now_ms();
        if (now >= deadline)
            return 0;
        uint8_t buf[PROTO_MAX_FRAME];
        size_t room = proto_rx_room(&s->rx);
        int n = s->t->read(s->t, buf, room < sizeof buf ? room : sizeof buf,
                           (int)(deadline - now), err);
        if (n < 0)
            return n;
        proto_rx_push(&s->rx, buf, (size_t)n);
    }
}

static int8_t status_of(const struct iap_frame *f) { return (int8_t)f->payload[0]; }

/* The device goes back to the boot rate by itself after PROTO_BAUD_IDLE_MS without a valid frame
 * at a stepped-up rate (a stall, a burst of noise): after a timeout with nothing from it for that
 * long, follow it there and resend. It keeps its sequence and its flash session across that. */
static void follow_idle_fallback(struct iap_session *s)
{
    if (!s->stepped || now_ms() - s->last_rx_ms < PROTO_BAUD_IDLE_MS)
        return;
    struct iap_err ignored;
    char m[160];
    snprintf(m, sizeof m,
             "no answer for %u ms at %u baud: the device is back at %u baud, continuing there",
             (unsigned)PROTO_BAUD_IDLE_MS, s->cfg.baud, s->boot_baud);
    s->t->set_baud(s->t, s->boot_baud, &ignored);
    s->cfg.baud = s->boot_baud;
    s->stepped = false;
    s->t->discard(s->t);
    proto_rx_init(&s->rx, s->rx_buf, sizeof s->rx_buf);
    note(s, m);
}

/* The device's "go back" (docs/PROTOCOL.md): E_SEQ for a gap, E_CRC for a corrupt or truncated
 * frame, with the seq it expects as the one data byte. No command answers these statuses. */
static bool is_nak(const struct iap_frame *f)
{
    int8_t st = status_of(f);
    return f->len == 2 && (st == PROTO_E_SEQ || st == PROTO_E_CRC);
}

static int refused(struct iap_err *err, const char *what, int8_t st)
{
    const char *hint = "run iap again; the board stays in IAP mode";
    bool reads = strncmp(what, "READ", 4) == 0 || strncmp(what, "CRC", 3) == 0;
    switch (st) {
    case PROTO_E_RANGE:
        hint = reads ? "reads are allowed anywhere in the device's flash, and only there (iap info "
                       "shows its size)"
                     : "the bootloader only writes its application area";
        break;
    case PROTO_E_VECTOR:
        hint = "the image's initial SP or reset vector is not plausible: is it an application "
               "linked at the application start (see examples/README.md)?";
        break;
    case PROTO_E_UNSIGNED:
    case PROTO_E_SIG_KEY:
    case PROTO_E_SIG:
        hint = "this bootloader runs only images signed with its key (iap info shows it): sign the "
               "image with iap sign; the board waits in IAP mode for one";
        break;
    case PROTO_E_ROLLBACK:
        hint = "the image's version is below the device's version floor (iap info): sign a newer "
               "version; the board waits in IAP mode";
        break;
    case PROTO_E_PART:
        hint = "the flash size the chip reports does not match the part the bootloader was built "
               "for (make BOARD=...): rebuild it for this board; it writes nothing meanwhile";
        break;
    case PROTO_E_IMAGE_CRC: hint = "the flash does not hold what was sent: run iap flash again"; break;
    case PROTO_E_FLASH:
    case PROTO_E_NOT_ERASED:
    case PROTO_E_VERIFY:
        hint = "flash programming failed: run iap flash again; if it persists the flash may be "
               "worn or write-protected";
        break;
    default: break;
    }
    if (err)
        err->status = st;
    return iap_fail(err, IAP_ERR_REFUSED, "the bootloader refused %s: %s: %s", what,
                    iap_status_name(st), hint);
}

int iap_session_cmd(struct iap_session *s, uint8_t cmd, const uint8_t *payload, uint16_t len,
                    struct iap_frame *rsp, unsigned extra_ms, struct iap_err *err)
{
    for (int tries = 0, timeouts = 0;; tries++) {
        uint8_t seq = s->seq;
        size_t size;
        int rc = send_frame(s, cmd, seq, payload, len, &size, err);
        if (rc)
            return rc;
        uint64_t deadline = now_ms() + backoff_ms(s, timeouts) + extra_ms +
                            iap_line_ms(s, size + PROTO_MAX_FRAME);
        for (;;) {
            rc = wait_rsp(s, deadline, rsp, err);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                s->timeouts++;
                timeouts++;
                follow_idle_fallback(s);
                break;
            }
            if (is_nak(rsp)) { /* resend with the seq the device expects */
                s->naks++;
                s->seq = rsp->payload[1];
                break;
            }
            if (rsp->seq != seq)
                continue; /* the answer to an older frame */
            s->seq = (uint8_t)(seq + 1);
            return 0;
        }
        if (tries >= s->cfg.retries)
            return iap_fail(err, IAP_ERR_TRANSFER,
                            "no answer to %s from the bootloader on %s after %d tries: check "
                            "the cable, or try a lower baud rate or a longer --timeout",
                            proto_cmd_name(cmd), s->t->desc, tries + 1);
        s->resends++;
    }
}

static int get_info(struct iap_session *s, struct iap_err *err)
{
    struct iap_frame f;
    int rc = iap_session_cmd(s, PROTO_CMD_INFO, NULL, 0, &f, 0, err);
    if (rc)
        return rc;
    if (status_of(&f) != PROTO_OK)
        return refused(err, "INFO", status_of(&f));
    struct proto_info *i = &s->info;
    if (proto_info_decode(i, f.payload + 1, f.len - 1u) != PROTO_OK)
        return iap_fail(err, IAP_ERR_PROTOCOL,
                        "the bootloader's INFO answer has %u bytes, not %u: update iap or the "
                        "bootloader so that they match",
                        f.len, 1 + PROTO_INFO_LEN);
    if (i->proto_version != PROTO_VERSION)
        return iap_fail(err, IAP_ERR_PROTOCOL,
                        "the bootloader speaks protocol version %u, this iap speaks %u: use a "
                        "matching iap",
                        i->proto_version, PROTO_VERSION);
    if (i->app_end <= i->app_start || i->max_data < 2 || i->page_size == 0)
        return iap_fail(err, IAP_ERR_PROTOCOL,
                        "the bootloader reported an impossible geometry (application area "
                        "0x%08x..0x%08x, max data %u)",
                        i->app_start, i->app_end, i->max_data);
    if (i->max_data > PROTO_MAX_DATA)
        i->max_data = PROTO_MAX_DATA;
    i->max_data &= (uint16_t)~1u;
    s->window_frames = s->cfg.window ? s->cfg.window : WINDOW_MAX;
    if (s->window_frames > WINDOW_MAX)
        s->window_frames = WINDOW_MAX;
    return 0;
}

/* Sends a SYNC every PROBE_MS for duration_ms until one is answered (the listening window after
 * a reset is only a few hundred ms). Any SYNC of the burst may be the one answered: the device
 * runs them all in order, so after the last one sent it expects last + 1, and INFO goes next.
 * 1 = connected, 0 = nobody answered. */
static int probe(struct iap_session *s, unsigned duration_ms, struct iap_err *err)
{
    uint64_t end = now_ms() + duration_ms;
    uint8_t first = s->seq;
    unsigned sent = 0;
    s->t->discard(s->t);
    proto_rx_init(&s->rx, s->rx_buf, sizeof s->rx_buf);
    for (;;) {
        uint64_t now = now_ms();
        if (now >= end)
            return 0;
        uint8_t seq = (uint8_t)(first + sent);
        int rc = send_frame(s, PROTO_CMD_SYNC, seq, NULL, 0, NULL, err);
        if (rc)
            return rc;
        sent++;
        s->seq = (uint8_t)(seq + 1);
        uint64_t deadline = now + PROBE_MS < end ? now + PROBE_MS : end;
        struct iap_frame f;
        while ((rc = wait_rsp(s, deadline, &f, err)) > 0)
            if (!is_nak(&f) && status_of(&f) == PROTO_OK && (uint8_t)(f.seq - first) < sent)
                break;
        if (rc < 0)
            return rc;
        if (rc > 0) {
            rc = get_info(s, err);
            return rc ? rc : 1;
        }
        if (sent >= 128) { /* keep the seqs of one burst unambiguous */
            first = s->seq;
            sent = 0;
        }
    }
}

int iap_session_connect(struct iap_session *s, struct iap_err *err)
{
    unsigned wait_ms = 3 * (unsigned)s->cfg.timeout_ms;
    int rc = probe(s, wait_ms > PROBE_MS ? wait_ms : PROBE_MS, err);
    if (rc)
        return rc < 0 ? rc : 0;
    if (s->cfg.app_request) {
        note(s, "no bootloader answered: asking the application to reboot into it");
        rc = s->t->write(s->t, (const uint8_t *)PROTO_APP_UPDATE_CMD,
                         sizeof PROTO_APP_UPDATE_CMD - 1, err);
        if (rc)
            return rc;
        rc = probe(s, APP_REBOOT_MS, err);
        s->app_rebooted = rc > 0;
        if (rc)
            return rc < 0 ? rc : 0;
    }
    return iap_fail(err, IAP_ERR_NO_ANSWER,
                    "no bootloader answered on %s: hold PA0 while resetting the board, or check "
                    "the port",
                    s->t->desc);
}

/* ---- go-back-N pipeline ---------------------------------------------------------------------- */

struct pipe {
    void *ctx;
    unsigned max_window;
    bool need_each; /* every frame's answer carries data (READ): lost answers are redone */
    unsigned rsp_bytes; /* size of one answer frame */
    uint16_t (*build)(void *ctx, unsigned i, uint8_t *type, uint8_t *payload);
    void (*sent)(void *ctx, unsigned i, uint16_t len); /* optional: frame i went out (again) */
    unsigned (*work_ms)(void *ctx, unsigned i);
    int (*done)(void *ctx, unsigned i, const struct iap_frame *rsp, struct iap_err *err);
};

static int pipe_pass(struct iap_session *s, const struct pipe *p, const unsigned *map, unsigned m,
                     uint8_t *done, struct iap_err *err)
{
    uint8_t base = s->seq;
    unsigned una = 0, next = 0, win = s->window_frames;
    if (p->max_window && win > p->max_window)
        win = p->max_window;
    size_t *size = calloc(m, sizeof *size);
    unsigned *cost = calloc(m, sizeof *cost);
    uint8_t *payload = malloc(PROTO_MAX_PAYLOAD);
    int rc = 0, retries = s->cfg.retries, timeouts = 0; /* timeouts in a row, no progress */
    uint64_t deadline = 0, inflight = 0;
    if (!size || !cost || !payload) {
        rc = iap_fail(err, IAP_ERR_NOMEM, "out of memory");
        goto out;
    }
    while (una < m) {
        while (next < m && next - una < win) {
            uint8_t type;
            uint16_t len = p->build(p->ctx, map[next], &type, payload);
            size_t fl = PROTO_HDR_LEN + len + PROTO_CRC_LEN;
            if (next > una && inflight + fl > s->info.rx_window)
                break;
            rc = send_frame(s, type, (uint8_t)(base + next), payload, len, NULL, err);
            if (rc)
                goto out;
            if (p->sent)
                p->sent(p->ctx, map[next], len);
            size[next] = fl;
            cost[next] = iap_line_ms(s, fl + p->rsp_bytes) + p->work_ms(p->ctx, map[next]);
            inflight += fl;
            next++;
            deadline = 0;
        }
        if (!deadline) {
            uint64_t t = backoff_ms(s, timeouts);
            for (unsigned j = una; j < next; j++)
                t += cost[j];
            deadline = now_ms() + t;
        }
        struct iap_frame f;
        rc = wait_rsp(s, deadline, &f, err);
        if (rc < 0)
            goto out;
        unsigned ack; /* frames [una, ack) are executed */
        bool rewind = false;
        if (rc == 0) {
            s->timeouts++;
            timeouts++;
            follow_idle_fallback(s);
            ack = una;
            rewind = true;
        } else if (is_nak(&f)) {
            s->naks++;
            unsigned d = (uint8_t)(f.payload[1] - (uint8_t)(base + una));
            if (d > next - una) {
                rc = iap_fail(err, IAP_ERR_PROTOCOL,
                              "the bootloader expects frame %u, not one of the %u in flight: it "
                              "may have restarted; run iap again",
                              f.payload[1], next - una);
                goto out;
            }
            ack = una + d;
            rewind = ack < next;
        } else {
            unsigned d = (uint8_t)(f.seq - (uint8_t)(base + una));
            if (d >= next - una)
                continue; /* an answer to a frame already accounted for */
            rc = p->done(p->ctx, map[una + d], &f, err);
            if (rc)
                goto out;
            done[una + d] = 1;
            ack = una + d + 1;
        }
        if (ack > una) {
            for (unsigned j = una; j < ack; j++) {
                if (!p->need_each)
                    done[j] = 1; /* executed in order; its answer was lost */
                inflight -= size[j];
            }
            una = ack;
            retries = s->cfg.retries;
            timeouts = 0;
            deadline = 0;
        }
        if (rewind) {
            rc = 0;
            if (--retries < 0) {
                rc = iap_fail(err, IAP_ERR_TRANSFER,
                              "transfer to %s failed after %d retries: check the cable, or try "
                              "a lower baud rate, a smaller --window or a longer --timeout; the "
                              "board stays in IAP mode",
                              s->t->desc, s->cfg.retries);
                goto out;
            }
            s->resends += next - una;
            next = una;
            inflight = 0;
            deadline = 0;
        }
    }
    rc = 0;
out:
    s->seq = (uint8_t)(base + next);
    free(size);
    free(cost);
    free(payload);
    return rc;
}

/* Runs frames 0..n-1 through the pipeline, or only those with want[i] set (want may be NULL). */
static int pipe_run(struct iap_session *s, const struct pipe *p, unsigned n, const uint8_t *want,
                    struct iap_err *err)
{
    unsigned *map = malloc((n ? n : 1) * sizeof *map);
    uint8_t *done = calloc(n ? n : 1, 1);
    int rc = 0;
    if (!map || !done) {
        rc = iap_fail(err, IAP_ERR_NOMEM, "out of memory");
        goto out;
    }
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++)
        if (!want || want[i])
            map[m++] = i;
    for (int pass = 0; m; pass++) {
        if (pass > s->cfg.retries) {
            rc = iap_fail(err, IAP_ERR_TRANSFER, "transfer to %s kept losing answers: check "
                          "the cable or try a lower baud rate", s->t->desc);
            goto out;
        }
        memset(done, 0, m);
        rc = pipe_pass(s, p, map, m, done, err);
        if (rc)
            goto out;
        unsigned k = 0;
        for (unsigned j = 0; j < m; j++)
            if (!done[j])
                map[k++] = map[j];
        m = k;
    }
out:
    free(map);
    free(done);
    return rc;
}

struct xfer {
    struct iap_session *s;
    uint32_t addr, len, chunk;
    const uint8_t *src;
    uint8_t *dst;
    uint64_t done_bytes, total; /* progress: bytes answered of total */
    const uint8_t *want;        /* chunks to write (NULL: all) */
};

/* Frames for len bytes, without the 32-bit wrap of (len + chunk - 1) / chunk. */
static unsigned xfer_frames(uint32_t len, uint32_t chunk)
{
    return (unsigned)(((uint64_t)len + chunk - 1u) / chunk);
}

/* [addr, addr + len) lies in the 32-bit address space, checked before any frame is sent. */
static int xfer_range(const char *what, uint32_t addr, uint32_t len, struct iap_err *err)
{
    if ((uint64_t)addr + len > 0x100000000ull)
        return iap_fail(err, IAP_ERR_USAGE,
                        "%s of %u bytes at 0x%08x runs past the end of the address space", what,
                        len, addr);
    return 0;
}

static uint32_t xfer_n(const struct xfer *x, unsigned i)
{
    uint32_t off = i * x->chunk;
    return x->len - off < x->chunk ? x->len - off : x->chunk;
}

static void progress(struct xfer *x, uint32_t n)
{
    x->done_bytes += n;
    const struct iap_session_hooks *h = x->s->hooks;
    if (h && h->progress)
        h->progress(h->ctx, x->done_bytes, x->total);
}

/* A WRITE, or a WRITE_LZ4 when compression is on, the device takes it and the block is smaller. */
static uint16_t write_build(void *ctx, unsigned i, uint8_t *type, uint8_t *payload)
{
    struct xfer *x = ctx;
    struct iap_session *s = x->s;
    uint32_t off = i * x->chunk, n = xfer_n(x, i);
    proto_put32(payload, x->addr + off);
    proto_put32(payload + 4, 0);
    if (s->cfg.compress && (s->info.features & PROTO_FEAT_LZ4)) {
        size_t c = compress_block(x->src + off, n, payload + 8, PROTO_MAX_PAYLOAD - 8);
        if (c) {
            *type = PROTO_CMD_WRITE_LZ4;
            proto_put32(payload + 4, n);
            return (uint16_t)(8 + c);
        }
    }
    *type = PROTO_CMD_WRITE;
    memcpy(payload + 8, x->src + off, n);
    return (uint16_t)(8 + n);
}

/* What went out: a frame built for a full window waits unsent and is built again, so the bytes
 * are counted here, not in write_build (resends count: they crossed the line). */
static void write_sent(void *ctx, unsigned i, uint16_t len)
{
    struct xfer *x = ctx;
    x->s->raw_bytes += xfer_n(x, i);
    x->s->sent_bytes += len - 8u;
}

/* Programming time, plus an erase for every page this frame is the first to touch. */
static unsigned write_work(void *ctx, unsigned i)
{
    struct xfer *x = ctx;
    const struct proto_info *info = &x->s->info;
    uint32_t a = x->addr + i * x->chunk, n = xfer_n(x, i), pg = info->page_size;
    unsigned erases = (a + n - 1) / pg - a / pg + (i == 0 || a % pg == 0 ? 1 : 0);
    return erases * info->erase_ms + (n / 2 * info->prog_us + 999) / 1000 + 1;
}

static int write_done(void *ctx, unsigned i, const struct iap_frame *rsp, struct iap_err *err)
{
    struct xfer *x = ctx;
    if (status_of(rsp) != PROTO_OK) {
        char what[64];
        snprintf(what, sizeof what, "WRITE at 0x%08x", x->addr + i * x->chunk);
        return refused(err, what, status_of(rsp));
    }
    /* answers come in order: every wanted frame up to frame i is written */
    if (!x->want) {
        uint64_t upto = (uint64_t)(i + 1) * x->chunk;
        progress(x, (uint32_t)((upto > x->len ? x->len : upto) - x->done_bytes));
    } else {
        uint64_t upto = 0;
        for (unsigned k = 0; k <= i; k++)
            if (x->want[k])
                upto += xfer_n(x, k);
        if (upto > x->done_bytes)
            progress(x, (uint32_t)(upto - x->done_bytes));
    }
    return 0;
}

int iap_session_write_some(struct iap_session *s, uint32_t addr, const uint8_t *data,
                           uint32_t len, const uint8_t *want, struct iap_err *err)
{
    struct xfer x = {.s = s, .addr = addr, .len = len, .chunk = s->info.max_data, .src = data,
                     .want = want};
    struct pipe p = {.ctx = &x, .rsp_bytes = PROTO_HDR_LEN + 1 + PROTO_CRC_LEN, .build = write_build,
                     .sent = write_sent,
                     .work_ms = write_work, .done = write_done};
    if (len % 2 || addr % 2)
        return iap_fail(err, IAP_ERR_USAGE, "odd write address or length");
    int rc = xfer_range("write", addr, len, err);
    if (rc)
        return rc;
    unsigned n = xfer_frames(len, x.chunk);
    for (unsigned i = 0; i < n; i++)
        if (!want || want[i])
            x.total += xfer_n(&x, i);
    return pipe_run(s, &p, n, want, err);
}

int iap_session_write(struct iap_session *s, uint32_t addr, const uint8_t *data, uint32_t len,
                      struct iap_err *err)
{
    return iap_session_write_some(s, addr, data, len, NULL, err);
}

static uint16_t read_build(void *ctx, unsigned i, uint8_t *type, uint8_t *payload)
{
    struct xfer *x = ctx;
    *type = PROTO_CMD_READ;
    proto_put32(payload, x->addr + i * x->chunk);
    proto_put32(payload + 4, xfer_n(x, i));
    return 8;
}

static unsigned read_work(void *ctx, unsigned i)
{
    (void)ctx;
    (void)i;
    return 1;
}

static int read_done(void *ctx, unsigned i, const struct iap_frame *rsp, struct iap_err *err)
{
    struct xfer *x = ctx;
    uint32_t n = xfer_n(x, i);
    if (status_of(rsp) != PROTO_OK) {
        char what[64];
        snprintf(what, sizeof what, "READ at 0x%08x", x->addr + i * x->chunk);
        return refused(err, what, status_of(rsp));
    }
    if (rsp->len != 1 + n)
        return iap_fail(err, IAP_ERR_PROTOCOL, "READ at 0x%08x returned %u bytes, not %u",
                        x->addr + i * x->chunk, rsp->len - 1u, n);
    memcpy(x->dst + i * x->chunk, rsp->payload + 1, n);
    progress(x, n);
    return 0;
}

int iap_session_read(struct iap_session *s, uint32_t addr, uint8_t *out, uint32_t len,
                     struct iap_err *err)
{
    struct xfer x = {.s = s, .addr = addr, .len = len, .chunk = s->info.max_data, .dst = out,
                     .total = len};
    struct pipe p = {.ctx = &x, .max_window = READ_WINDOW_MAX, .need_each = true,
                     .rsp_bytes = PROTO_HDR_LEN + 1 + x.chunk + PROTO_CRC_LEN, .build = read_build,
                     .work_ms = read_work, .done = read_done};
    int rc = xfer_range("read", addr, len, err);
    return rc ? rc : pipe_run(s, &p, xfer_frames(len, x.chunk), NULL, err);
}

/* Time the device takes to checksum len bytes of flash (a nibble-table CRC-32). */
static unsigned crc_ms(uint32_t len) { return len / 4096 + 5; }

int iap_session_page_crcs(struct iap_session *s, uint32_t addr, uint32_t count, uint32_t *crcs,
                          struct iap_err *err)
{
    uint32_t page = s->info.page_size;
    for (uint32_t done = 0; done < count;) {
        uint32_t n = count - done < PROTO_MAX_PAGE_CRCS ? count - done : PROTO_MAX_PAGE_CRCS;
        uint8_t p[8];
        struct iap_frame f;
        proto_put32(p, addr + done * page);
        proto_put32(p + 4, n);
        int rc = iap_session_cmd(s, PROTO_CMD_PAGE_CRCS, p, 8, &f,
                                 crc_ms(n * page) + iap_line_ms(s, 4u * n), err);
        if (rc)
            return rc;
        if (status_of(&f) != PROTO_OK)
            return refused(err, "PAGE_CRCS", status_of(&f));
        if (f.len != 1 + 4 * n)
            return iap_fail(err, IAP_ERR_PROTOCOL, "PAGE_CRCS answered %u bytes, not %u",
                            f.len - 1u, 4 * n);
        for (uint32_t i = 0; i < n; i++)
            crcs[done + i] = proto_get32(f.payload + 1 + 4 * i);
        done += n;
    }
    return 0;
}

static int cmd2(struct iap_session *s, uint8_t cmd, uint32_t a, uint32_t b, uint32_t c,
                uint16_t len, struct iap_frame *f, unsigned extra_ms, struct iap_err *err)
{
    uint8_t p[12];
    proto_put32(p, a);
    proto_put32(p + 4, b);
    proto_put32(p + 8, c);
    int rc = iap_session_cmd(s, cmd, p, len, f, extra_ms, err);
    if (rc)
        return rc;
    if (status_of(f) != PROTO_OK) {
        char what[80];
        snprintf(what, sizeof what, "%s 0x%08x, 0x%x", proto_cmd_name(cmd), a, b);
        return refused(err, what, status_of(f));
    }
    return 0;
}

/* CRC on the device: ~100 ns a byte at 64 MHz with its nibble table; generous. */

int iap_session_crc(struct iap_session *s, uint32_t addr, uint32_t len, uint32_t *crc,
                    struct iap_err *err)
{
    struct iap_frame f;
    int rc = cmd2(s, PROTO_CMD_CRC, addr, len, 0, 8, &f, crc_ms(len), err);
    if (rc)
        return rc;
    if (f.len != 5)
        return iap_fail(err, IAP_ERR_PROTOCOL, "CRC answer has %u bytes, not 4", f.len - 1u);
    *crc = proto_get32(f.payload + 1);
    return 0;
}

int iap_session_erase(struct iap_session *s, uint32_t addr, uint32_t len, struct iap_err *err)
{
    struct iap_frame f;
    unsigned pages = len / s->info.page_size + 2; /* + the record page */
    return cmd2(s, PROTO_CMD_ERASE, addr, len, 0, 8, &f, pages * s->info.erase_ms, err);
}

int iap_session_commit(struct iap_session *s, uint32_t size, uint32_t crc, uint32_t version,
                       struct iap_err *err)
{
    struct iap_frame f;
    unsigned ms = crc_ms(size) + 2 * s->info.erase_ms + (16 * s->info.prog_us) / 1000 + 1;
    return cmd2(s, PROTO_CMD_COMMIT, size, crc, version, 12, &f, ms, err);
}

int iap_session_sync(struct iap_session *s, struct iap_err *err)
{
    struct iap_frame f;
    return cmd2(s, PROTO_CMD_SYNC, 0, 0, 0, 0, &f, 0, err);
}

int iap_session_reset(struct iap_session *s, struct iap_err *err)
{
    struct iap_frame f;
    /* back to the boot rate first: the application starts at once and talks at its own rate,
     * which a port still at the stepped-up rate would garble */
    int rc = iap_session_step_down(s, s->boot_baud, err);
    return rc ? rc : cmd2(s, PROTO_CMD_RESET, 0, 0, 0, 0, &f, 0, err);
}

/* ---- baud step-up (docs/PROTOCOL.md, SET_BAUD) ------------------------------------------------ */

static const unsigned step_rates[] = {2000000, 1500000, 1000000, 921600, 460800, 230400};

/* The check exchange at the new rate: one INFO, answered within a short time. */
static int check_rate(struct iap_session *s, struct iap_err *err)
{
    struct iap_session_cfg saved = s->cfg;
    struct iap_frame f;
    s->cfg.timeout_ms = 60;
    s->cfg.retries = 1;
    int rc = iap_session_cmd(s, PROTO_CMD_INFO, NULL, 0, &f, 0, err);
    s->cfg.timeout_ms = saved.timeout_ms;
    s->cfg.retries = saved.retries;
    return rc ? rc : status_of(&f) == PROTO_OK ? 0 : IAP_ERR_PROTOCOL;
}

/* Back at the boot rate after a rate that did not work: the device falls back by itself
 * PROTO_BAUD_CHECK_MS after its switch; then a SYNC takes the sequence up again. */
static int fall_back(struct iap_session *s, unsigned boot, struct iap_err *err)
{
    struct iap_err ignored;
    s->t->set_baud(s->t, boot, &ignored);
    s->cfg.baud = boot;
    compat_sleep_ms(PROTO_BAUD_CHECK_MS + 100);
    s->t->discard(s->t);
    proto_rx_init(&s->rx, s->rx_buf, sizeof s->rx_buf);
    return iap_session_sync(s, err);
}

int iap_session_step_up(struct iap_session *s, unsigned baud_max, struct iap_err *err)
{
    unsigned boot = s->cfg.baud;
    s->boot_baud = boot;
    char m[160];
    if (!s->t->set_baud || !(s->info.features & PROTO_FEAT_BAUD))
        return 0;
    for (size_t i = 0; i < sizeof step_rates / sizeof step_rates[0]; i++) {
        unsigned r = step_rates[i];
        if (r > baud_max || r <= boot)
            continue;
        uint8_t p[4];
        struct iap_frame f;
        proto_put32(p, r);
        int rc = iap_session_cmd(s, PROTO_CMD_SET_BAUD, p, 4, &f, 0, err);
        if (rc)
            return rc;
        if (status_of(&f) != PROTO_OK || f.len < 5)
            continue; /* E_BAUD: the USART cannot make it; try the next */
        uint32_t actual = proto_get32(f.payload + 1);
        struct iap_err e2;
        if (s->t->set_baud(s->t, r, &e2)) {
            snprintf(m, sizeof m, "%u baud: %.100s; trying a lower rate", r, e2.msg);
            note(s, m);
            rc = fall_back(s, boot, err);
            if (rc)
                return rc;
            continue;
        }
        s->cfg.baud = r;
        if (check_rate(s, &e2) == 0) {
            s->stepped = true;
            snprintf(m, sizeof m, "line at %u baud (the device's USART makes %u)", r, actual);
            note(s, m);
            return 0;
        }
        snprintf(m, sizeof m, "no answer at %u baud: back to %u, trying a lower rate", r, boot);
        note(s, m);
        rc = fall_back(s, boot, err);
        if (rc)
            return rc;
    }
    snprintf(m, sizeof m, "staying at %u baud", boot);
    note(s, m);
    return 0;
}

int iap_session_step_down(struct iap_session *s, unsigned boot, struct iap_err *err)
{
    if (!s->stepped)
        return 0;
    uint8_t p[4] = {0, 0, 0, 0};
    struct iap_frame f;
    int rc = iap_session_cmd(s, PROTO_CMD_SET_BAUD, p, 4, &f, 0, err);
    struct iap_err ignored;
    s->t->set_baud(s->t, boot, &ignored);
    s->cfg.baud = boot;
    s->stepped = false;
    return rc;
}

/* Compression pays when the line, not the flash, is the bottleneck: a 1 KB WRITE takes longer
 * on the wire than the device needs to erase and program it (worst-case timings from INFO). */
static bool compress_pays(const struct iap_session *s, int mode)
{
    if (mode >= 0)
        return mode && compress_available();
    const struct proto_info *i = &s->info;
    unsigned flash_ms = i->erase_ms * 1024u / (i->page_size ? i->page_size : 1024u) +
                        512u * i->prog_us / 1000u;
    return compress_available() && iap_line_ms(s, PROTO_MAX_FRAME) > flash_ms;
}

int iap_session_changed_frames(struct iap_session *s, const uint8_t *buf, uint32_t len,
                               uint8_t **want, uint32_t *pages_written, uint64_t *written,
                               struct iap_err *err)
{
    uint32_t page = s->info.page_size, chunk = s->info.max_data;
    if (!page || !chunk || page % chunk)
        return 0;
    uint32_t npages = (len + page - 1) / page, per = page / chunk, changed = 0;
    uint64_t bytes = 0;
    uint32_t *dev = malloc(npages * sizeof *dev);
    uint8_t *w = calloc((size_t)npages * per, 1), *tmp = malloc(page);
    int rc = dev && w && tmp ? 0 : iap_fail(err, IAP_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = iap_session_page_crcs(s, s->info.app_start, npages, dev, err);
    for (uint32_t p = 0; !rc && p < npages; p++) {
        uint32_t off = p * page, n = len - off < page ? len - off : page;
        memcpy(tmp, buf + off, n);
        memset(tmp + n, 0xFF, page - n);
        if (proto_crc32(0, tmp, page) == dev[p])
            continue;
        changed++;
        bytes += n;
        memset(w + (size_t)p * per, 1, per);
    }
    free(dev);
    free(tmp);
    if (rc) {
        free(w);
        return rc;
    }
    *pages_written = changed;
    *written = bytes;
    *want = w;
    return 0;
}

int iap_session_flash(struct iap_session *s, const uint8_t *buf, uint32_t len,
                      const struct iap_flash_opts *fo, struct iap_flash_result *res,
                      struct iap_err *err)
{
    uint32_t page = s->info.page_size ? s->info.page_size : 1;
    memset(res, 0, sizeof *res);
    res->crc = proto_crc32(0, buf, len);
    res->pages = res->pages_written = (len + page - 1) / page;
    res->written = len;
    s->cfg.compress = compress_pays(s, fo->compress);
    s->raw_bytes = s->sent_bytes = 0;
    uint8_t *want = NULL;
    int rc = 0;
    if (!fo->full && (s->info.features & PROTO_FEAT_PAGE_CRCS))
        rc = iap_session_changed_frames(s, buf, len, &want, &res->pages_written, &res->written,
                                        err);
    if (rc)
        return rc;
    res->current = want && res->written == 0 && s->info.app_valid && s->info.app_size == len &&
                   s->info.app_crc == res->crc && s->info.app_version == fo->version;
    char m[160];
    if (res->current) {
        snprintf(m, sizeof m, "the device already holds this image (CRC 0x%08x, version %u): "
                 "nothing to write", res->crc, fo->version);
        note(s, m);
    } else if (want && res->pages_written < res->pages) {
        snprintf(m, sizeof m, "%u of %u pages differ from the device's: writing %llu bytes",
                 res->pages_written, res->pages, (unsigned long long)res->written);
        note(s, m);
    }
    /* The device acknowledges cumulatively: a lost refusal of one WRITE goes unseen until COMMIT
     * checks the whole image (E_IMAGE_CRC, or E_VECTOR for its first words; also a page skipped
     * wrongly): then everything once more from a fresh session. COMMIT is the check: no CRC
     * exchange before it (one round trip and one pass over the image fewer). */
    for (int pass = 0; !res->current; pass++) {
        rc = res->written ? iap_session_write_some(s, s->info.app_start, buf, len, want, err) : 0;
        if (!rc)
            rc = iap_session_commit(s, len, res->crc, fo->version, err);
        struct iap_err ignored;
        if (rc != IAP_ERR_REFUSED ||
            !(err->status == PROTO_E_IMAGE_CRC ||
              (err->status == PROTO_E_VECTOR && /* the file's own vectors are plausible */
               !image_check_vectors(buf, len, s->info.app_start, s->info.sram_size, "",
                                    &ignored))))
            break;
        if (pass == 1) {
            rc = iap_fail(err, IAP_ERR_TRANSFER,
                          "the device's image differs from the file after writing it twice "
                          "(COMMIT: %s): check the line and run iap flash again",
                          iap_status_name(err->status));
            break;
        }
        snprintf(m, sizeof m, "the device's image differs from the file (COMMIT: %s): writing "
                 "everything again", iap_status_name(err->status));
        note(s, m);
        rc = iap_session_sync(s, err);
        if (rc)
            break;
        free(want);
        want = NULL;
        res->written = len;
        res->pages_written = res->pages;
    }
    free(want);
    res->raw_bytes = s->raw_bytes;
    res->sent_bytes = s->sent_bytes;
    return rc;
}
