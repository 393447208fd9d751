/* Native protocol: frame parser with resynchronisation, in-order execution with go-back-N
 * retransmission (docs/PROTOCOL.md, "Sequencing"), and the command handlers. */
#include "native.h"

#include <string.h>

#include "boot.h"
#include "flashmgr.h"
#include "port.h"

#define FRAME_GAP_MS   100u /* silence inside a frame that makes it a truncated frame */

static uint8_t rx[PROTO_MAX_FRAME];
static size_t rx_n;
static uint32_t rx_last;
static uint8_t tx[PROTO_MAX_FRAME]; /* the last response, re-sent for retransmitted frames */
static size_t tx_n;
static uint8_t expect; /* seq of the next frame to execute */
static bool nak_sent;  /* a NAK for `expect` went out: stay silent until progress */

static void native_init(void)
{
    rx_n = tx_n = 0;
    expect = 0;
    nak_sent = false;
}

static bool native_claims(uint8_t first) { return first == PROTO_SOF; }

/* Frame the response in buf: payload (status + data_len bytes) already at buf + PROTO_HDR_LEN. */
static size_t send(uint8_t *buf, uint8_t seq, size_t data_len)
{
    size_t len = 1 + data_len;
    buf[0] = PROTO_SOF;
    buf[1] = PROTO_RSP;
    buf[2] = seq;
    proto_put16(buf + 3, (uint16_t)len);
    proto_put32(buf + PROTO_HDR_LEN + len, proto_crc32(0, buf + 1, 4 + len));
    len += PROTO_HDR_LEN + PROTO_CRC_LEN;
    port_uart_write(buf, len);
    return len;
}

/* One NAK per expected seq: the host goes back to `expect` and resends everything after it, so
 * the frames that follow a lost one must not each trigger another. */
static void nak(int8_t status)
{
    uint8_t buf[PROTO_HDR_LEN + 2 + PROTO_CRC_LEN];
    if (nak_sent)
        return;
    nak_sent = true;
    buf[PROTO_HDR_LEN] = (uint8_t)status;
    buf[PROTO_HDR_LEN + 1] = expect;
    send(buf, expect, 1);
}

static int8_t cmd_info(uint8_t *out)
{
    struct proto_info info;
    struct proto_record rec;
    size_t cap = port_uart_rx_capacity();
    memset(&info, 0, sizeof info);
    info.proto_version = PROTO_VERSION;
    info.boot_major = BOOT_VERSION_MAJOR;
    info.boot_minor = BOOT_VERSION_MINOR;
    info.boot_patch = BOOT_VERSION_PATCH;
    info.chip_id = port_chip_id();
    info.flash_size = fm_flash_size();
    info.app_start = PROTO_APP_START;
    info.app_end = fm_app_end();
    info.page_size = PROTO_PAGE_SIZE;
    info.max_data = PROTO_MAX_DATA;
    /* keep room for one frame the host may send while the window is full */
    info.rx_window = (uint32_t)(cap > 2 * PROTO_MAX_FRAME ? cap - PROTO_MAX_FRAME : cap / 2);
    info.erase_ms = BOOT_ERASE_MS;
    info.prog_us = BOOT_PROG_US;
    if (fm_app_valid(&rec)) {
        info.app_valid = 1;
        info.app_size = rec.size;
        info.app_crc = rec.image_crc;
        info.app_version = rec.version;
    }
    info.listen_ms = BOOT_LISTEN_MS;
    port_uid(info.uid);
    memcpy(out, &info, sizeof info); /* little-endian target and host */
    return PROTO_OK;
}

/* Executes one command; data for the response goes to out; returns the status. */
static int8_t execute(uint8_t type, const uint8_t *p, size_t len, uint8_t *out, size_t *out_len)
{
    static const uint8_t want_len[] = {0, 0, 8, 0, 8, 8, 12, 0, 0}; /* by command; WRITE apart */
    if (type > PROTO_CMD_SYNC || type == 0)
        return PROTO_E_CMD;
    if (type == PROTO_CMD_WRITE ? len <= 8 : len != want_len[type])
        return PROTO_E_LEN;
    uint32_t a = len >= 4 ? proto_get32(p) : 0, b = len >= 8 ? proto_get32(p + 4) : 0;
    int rc = PROTO_OK;
    switch (type) {
    case PROTO_CMD_INFO:
        *out_len = sizeof(struct proto_info);
        return cmd_info(out);
    case PROTO_CMD_ERASE:
        rc = fm_erase(a, b);
        break;
    case PROTO_CMD_WRITE:
        rc = fm_write(a, p + 8, len - 8);
        break;
    case PROTO_CMD_READ:
        if (b > PROTO_MAX_DATA)
            return PROTO_E_LEN;
        rc = fm_check_read(a, b);
        if (rc == PROTO_OK) {
            memcpy(out, port_flash_ptr(a), b);
            *out_len = b;
        }
        return (int8_t)rc;
    case PROTO_CMD_CRC:
        rc = fm_check_read(a, b);
        if (rc == PROTO_OK) {
            proto_put32(out, fm_crc(a, b));
            *out_len = 4;
        }
        return (int8_t)rc;
    case PROTO_CMD_COMMIT:
        rc = fm_commit(a, b, proto_get32(p + 8));
        if (rc == PROTO_OK)
            session_error_clear();
        else
            session_error();
        return (int8_t)rc;
    default: /* RESET, SYNC: answered, then acted on by the caller */
        return PROTO_OK;
    }
    if (rc == PROTO_E_FLASH || rc == PROTO_E_VERIFY || rc == PROTO_E_NOT_ERASED)
        session_error();
    return (int8_t)rc;
}

static void frame(void)
{
    uint8_t type = rx[1], seq = rx[2];
    if (type & PROTO_RSP)
        return; /* our own responses echoed back (loopback): never answer them */
    session_host_seen(); /* any well-formed frame: a host is there */
    if (type == PROTO_CMD_SYNC) {
        expect = seq;
        fm_new_session();
        session_error_clear();
    }
    if (seq != expect) {
        uint8_t behind = (uint8_t)(expect - seq);
        if (tx_n && behind <= PROTO_MAX_INFLIGHT) /* already executed: the last response acks it */
            port_uart_write(tx, tx_n);
        else
            nak(PROTO_E_SEQ);
        return;
    }
    expect++;
    nak_sent = false;
    size_t out_len = 0;
    int8_t st = execute(type, rx + PROTO_HDR_LEN, proto_get16(rx + 3), tx + PROTO_HDR_LEN + 1, &out_len);
    tx[PROTO_HDR_LEN] = (uint8_t)st;
    tx_n = send(tx, seq, out_len);
    if (type == PROTO_CMD_RESET && st == PROTO_OK)
        boot_finish();
}

/* Drop the SOF of a bad frame and keep the bytes from the next SOF: a good frame hidden behind
 * garbage is found again. */
static void drop(size_t n)
{
    rx_n -= n;
    memmove(rx, rx + n, rx_n);
}

static void resync(int8_t status)
{
    size_t i = 1;
    nak(status);
    while (i < rx_n && rx[i] != PROTO_SOF)
        i++;
    drop(i);
}

/* Each pass either waits for more bytes or removes at least one byte: bounded by rx_n. */
static void parse(void)
{
    while (rx_n >= PROTO_HDR_LEN) {
        size_t len = proto_get16(rx + 3);
        if (len > PROTO_MAX_PAYLOAD) {
            resync(PROTO_E_CRC); /* the length is not trusted before the CRC */
            continue;
        }
        size_t total = PROTO_HDR_LEN + len + PROTO_CRC_LEN;
        if (rx_n < total)
            return;
        if (proto_crc32(0, rx + 1, total - 1 - PROTO_CRC_LEN) != proto_get32(rx + total - PROTO_CRC_LEN)) {
            resync(PROTO_E_CRC);
            continue;
        }
        frame();
        drop(total); /* bytes may follow it after a resync */
    }
}

static bool native_feed(uint8_t byte)
{
    if (rx_n == 0 && byte != PROTO_SOF)
        return false;
    rx[rx_n++] = byte;
    rx_last = port_millis();
    parse();
    return true;
}

static void native_poll(void)
{
    if (rx_n && port_millis() - rx_last >= FRAME_GAP_MS) {
        resync(PROTO_E_CRC); /* truncated frame */
        parse();
    }
}

const struct session_proto native_proto = {native_init, native_claims, native_feed, native_poll};
