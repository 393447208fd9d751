/* The protocol client: handshake (with the application's reboot request), single commands with
 * retransmission, and a go-back-N pipeline that keeps a window of frames in flight for WRITE and
 * READ (docs/PROTOCOL.md). Prefix iap_session_ (the bootloader core owns session_). */
#ifndef IAP_SESSION_H
#define IAP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"
#include "proto.h"
#include "transport.h"

struct iap_session_cfg {
    unsigned baud;      /* line rate, for timeouts and the efficiency figure */
    int timeout_ms;     /* slack added to every computed response time (--timeout) */
    int retries;        /* retransmissions without progress before giving up (--retries) */
    unsigned window;    /* frames in flight; 0 = as many as the device's rx_window holds */
    bool app_request;   /* send PROTO_APP_UPDATE_CMD when no bootloader answers */
    bool compress;      /* send WRITE data as WRITE_LZ4 where it is smaller (if the device can) */
};

/* Optional observers (the UI); any may be NULL. */
struct iap_session_hooks {
    void (*trace)(void *ctx, bool tx, const struct proto_frame *f);
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void (*note)(void *ctx, const char *msg); /* "asking the application to reboot..." */
    void *ctx;
};

/* A received frame, copied out of the decoder's buffer. */
struct iap_frame {
    uint8_t type, seq;
    uint16_t len;
    uint8_t payload[PROTO_MAX_PAYLOAD];
};
/* The next good frame of the stream in rx (corrupt ones skipped): 1, or 0 when more bytes are
 * needed. */
int iap_frame_next(struct proto_rx *rx, struct iap_frame *f);

struct iap_session {
    struct iap_transport *t;
    struct iap_session_cfg cfg;
    const struct iap_session_hooks *hooks;
    uint8_t rx_buf[2 * PROTO_MAX_FRAME];
    struct proto_rx rx; /* over rx_buf */
    uint8_t seq; /* seq of the next command */
    struct proto_info info;
    unsigned window_frames; /* in effect for the pipeline */
    unsigned long resends, timeouts, naks;
    bool app_rebooted; /* the handshake had to ask a running application to reboot */
    bool stepped;      /* the line runs faster than the boot rate (iap_session_step_up) */
    unsigned boot_baud;
    uint64_t last_rx_ms; /* when the device's last answer arrived (its rate's idle clock) */
    uint64_t raw_bytes, sent_bytes; /* WRITE data given, and as it went on the wire */
};

void iap_session_init(struct iap_session *s, struct iap_transport *t,
                      const struct iap_session_cfg *cfg, const struct iap_session_hooks *hooks);
/* Handshake: SYNC probes, then (cfg.app_request) the application's reboot request and more
 * probes; INFO once a SYNC is answered. Fills s->info. IAP_ERR_NO_ANSWER when nobody answered. */
int iap_session_connect(struct iap_session *s, struct iap_err *err);

/* One command, retransmitted on timeout or NAK. *rsp holds the response (status in payload[0]);
 * extra_ms is the device's expected work time. A refusal is not an error here. */
int iap_session_cmd(struct iap_session *s, uint8_t cmd, const uint8_t *payload, uint16_t len,
                    struct iap_frame *rsp, unsigned extra_ms, struct iap_err *err);

/* Writes data to [addr, addr+len) in WRITE frames with a window in flight. len even. */
int iap_session_write(struct iap_session *s, uint32_t addr, const uint8_t *data, uint32_t len,
                      struct iap_err *err);
/* The same for the frames i (info.max_data bytes each from addr) with want[i] set only. */
int iap_session_write_some(struct iap_session *s, uint32_t addr, const uint8_t *data,
                           uint32_t len, const uint8_t *want, struct iap_err *err);
/* The frames (info.max_data bytes each, from info.app_start) of the pages whose device CRC
 * differs from the image's: the page as a write leaves it, the image's bytes then erased 0xFF.
 * *want (malloc'ed) marks them, with the count of those pages and their image bytes; *want stays
 * NULL, and the counts untouched, when the page and frame sizes do not nest (write all). */
int iap_session_changed_frames(struct iap_session *s, const uint8_t *buf, uint32_t len,
                               uint8_t **want, uint32_t *pages_written, uint64_t *written,
                               struct iap_err *err);
/* The device's CRC-32 of each of count pages from addr (page aligned), into crcs. */
int iap_session_page_crcs(struct iap_session *s, uint32_t addr, uint32_t count, uint32_t *crcs,
                          struct iap_err *err);
int iap_session_read(struct iap_session *s, uint32_t addr, uint8_t *out, uint32_t len,
                     struct iap_err *err);
int iap_session_crc(struct iap_session *s, uint32_t addr, uint32_t len, uint32_t *crc,
                    struct iap_err *err);
int iap_session_erase(struct iap_session *s, uint32_t addr, uint32_t len, struct iap_err *err);
int iap_session_commit(struct iap_session *s, uint32_t size, uint32_t crc, uint32_t version,
                       struct iap_err *err);
/* How iap_session_flash works: only the pages that differ unless full; compress: -1 when the
 * line is the bottleneck, 0 never, 1 whenever the device takes WRITE_LZ4. */
struct iap_flash_opts {
    bool full;
    int compress;
    uint32_t version; /* stored in the image record */
};
struct iap_flash_result {
    uint32_t crc;                   /* CRC-32 of the image */
    uint32_t pages, pages_written;  /* pages of the image, and those written */
    uint64_t written;               /* bytes written */
    uint64_t raw_bytes, sent_bytes; /* WRITE data, and as it went on the wire (LZ4) */
    bool current;                   /* the device already held this image: nothing written */
};
/* Puts the image (len bytes for the application start; vectors checked by the caller) on the
 * device and commits it: the pages whose CRC already matches are skipped (a transfer cut short
 * resumes), the whole image's CRC is compared before COMMIT (a mismatch writes everything once
 * more from a new session), then COMMIT. Progress through the hooks (total: bytes to write). */
int iap_session_flash(struct iap_session *s, const uint8_t *buf, uint32_t len,
                      const struct iap_flash_opts *fo, struct iap_flash_result *res,
                      struct iap_err *err);

/* The baud step-up after the handshake: proposes the fastest of 2000000 .. 230400 baud up to
 * baud_max that the device's USART makes and the port takes, checks it with one exchange, and
 * falls back (the device too, by itself) to try the next lower, or stays at the boot rate. Only
 * transport failures are errors. iap_session_step_down brings both back to the boot rate. */
int iap_session_step_up(struct iap_session *s, unsigned baud_max, struct iap_err *err);
int iap_session_step_down(struct iap_session *s, unsigned boot, struct iap_err *err);

/* A new device session: the next WRITE erases every page again (restart a transfer). */
int iap_session_sync(struct iap_session *s, struct iap_err *err);
int iap_session_reset(struct iap_session *s, struct iap_err *err);

/* Milliseconds to send n bytes at the configured baud rate (10 bits per byte), rounded up. */
unsigned iap_line_ms(const struct iap_session *s, uint64_t n);

#endif
