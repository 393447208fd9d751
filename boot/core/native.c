/* Native protocol: frame parser with resynchronisation, in-order execution with go-back-N
 * retransmission (docs/PROTOCOL.md, "Sequencing"), and the command handlers. */
#include "native.h"

#include <string.h>

#include "boot.h"
#include "flashmgr.h"
#include "frame.h"
#include "lz4dec.h"
#include "secure.h"
#include "stage.h"
#include "port.h"

#define FRAME_GAP_MS   100u /* silence inside a frame that makes it a truncated frame */

/* The protocol's state in one object: one base address for all of it (smaller code). */
static struct {
    struct proto_rx rx;
    uint32_t rx_last;
    size_t tx_n;
    uint8_t expect;  /* seq of the next frame to execute */
    bool baud_check; /* SET_BAUD switched: a frame must come at the new rate in time */
    bool stepped;    /* SET_BAUD left the boot rate (not AN3155's auto-baud: its own) */
    bool nak_sent;   /* a NAK for `expect` went out: stay silent until progress */
    uint32_t baud_at; /* port_millis() of the last frame in or answer out */
    uint8_t rx_buf[PROTO_MAX_FRAME];
    uint8_t tx[PROTO_MAX_FRAME]; /* the last response, re-sent for retransmitted frames */
} nv;

static void native_init(void)
{
    proto_rx_init(&nv.rx, nv.rx_buf, sizeof nv.rx_buf);
    nv.tx_n = 0;
    nv.expect = 0;
    nv.nak_sent = false;
}

static bool native_claims(uint8_t first) { return first == PROTO_SOF; }

/* Frame and send the response whose data (data_len bytes) is already at buf + PROTO_RSP_DATA. */
static size_t send(uint8_t *buf, uint8_t seq, int8_t status, size_t data_len)
{
    size_t len = proto_rsp_seal(buf, seq, status, (uint16_t)data_len);
    port_uart_write(buf, len);
    return len;
}

/* One NAK per expected seq: the host goes back to `expect` and resends everything after it, so
 * the frames that follow a lost one must not each trigger another. */
static void nak(int8_t status)
{
    uint8_t buf[PROTO_HDR_LEN + 2 + PROTO_CRC_LEN];
    if (nv.nak_sent)
        return;
    nv.nak_sent = true;
    buf[PROTO_RSP_DATA] = nv.expect;
    send(buf, nv.expect, status, 1);
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
    const struct part *part = fm_part();
    if (part) {
        info.chip_id = part->dev_id;
        info.banks = part->banks;
    }
    info.part_class = port_part_class();
    info.sram_size = fm_sram_size();
    info.flash_size = fm_flash_size();
    info.app_start = BOOT_APP_START;
    info.app_end = fm_app_end();
    info.page_size = (uint16_t)fm_page_size();
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
    info.features = PROTO_FEAT_PAGE_CRCS | PROTO_FEAT_LZ4 | PROTO_FEAT_BAUD;
    secure_info(&info);
    stage_info(&info);
    port_uid(info.uid);
    proto_info_encode(out, &info);
    return PROTO_OK;
}

/* The CRC-32 of count pages from addr (page aligned, inside flash), into out. */
static int page_crcs(uint32_t addr, uint32_t count, uint8_t *out, size_t *out_len)
{
    uint32_t page = fm_page_size();
    if (count == 0 || count > PROTO_MAX_PAGE_CRCS)
        return PROTO_E_LEN;
    int rc = fm_check_read(addr, count * page);
    if (rc != PROTO_OK)
        return rc;
    if ((addr - PROTO_FLASH_BASE) % page)
        return PROTO_E_ALIGN;
    for (uint32_t i = 0; i < count; i++)
        proto_put32(out + 4 * i, fm_crc(addr + i * page, page));
    *out_len = 4 * count;
    return PROTO_OK;
}

/* WRITE_LZ4: decoded into a buffer of its own, then written as a WRITE would be. */
static int write_lz4(uint32_t addr, uint32_t raw_len, const uint8_t *src, size_t src_len)
{
    static uint8_t raw[PROTO_MAX_DATA];
    if (raw_len == 0 || raw_len > sizeof raw)
        return PROTO_E_LEN;
    if (lz4_decode(src, src_len, raw, raw_len) != 0)
        return PROTO_E_LZ4;
    return fm_write(addr, raw, raw_len);
}

/* Executes one command; data for the response goes to out; returns the status. */
static int8_t execute(uint8_t type, const uint8_t *p, size_t len, uint8_t *out, size_t *out_len)
{
    /* payload length by command; WRITE and WRITE_LZ4 (0xFF here) carry data after 8 bytes */
    static const uint8_t want_len[] = {0, 0, 8, 0xFF, 8, 8, 12, 0, 0, 8, 0xFF, 4};
    if (type >= PROTO_CMD_STAGE_FIRST && type <= PROTO_CMD_STAGE_LAST)
        return (int8_t)stage_command(type, p, len, out, out_len);
    if (type > PROTO_CMD_SET_BAUD || type == 0)
        return PROTO_E_CMD;
    if (want_len[type] == 0xFF ? len <= 8 : len != want_len[type])
        return PROTO_E_LEN;
    uint32_t a = len >= 4 ? proto_get32(p) : 0, b = len >= 8 ? proto_get32(p + 4) : 0;
    int rc = PROTO_OK;
    switch (type) {
    case PROTO_CMD_INFO:
        *out_len = PROTO_INFO_LEN;
        return cmd_info(out);
    case PROTO_CMD_ERASE:
        rc = fm_erase(a, b);
        break;
    case PROTO_CMD_WRITE:
        rc = fm_write(a, p + 8, len - 8);
        break;
    case PROTO_CMD_WRITE_LZ4:
        rc = write_lz4(a, b, p + 8, len - 8);
        break;
    case PROTO_CMD_PAGE_CRCS:
        return (int8_t)page_crcs(a, b, out, out_len);
    case PROTO_CMD_SET_BAUD: /* answered at the old rate; frame() switches after it */
        b = port_uart_baud_for(a);
        if (!b)
            return PROTO_E_BAUD;
        proto_put32(out, b);
        *out_len = 4;
        return PROTO_OK;
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

static void frame(const struct proto_frame *f)
{
    uint8_t type = f->type, seq = f->seq;
    if (type & PROTO_RSP)
        return; /* our own responses echoed back (loopback): never answer them */
    session_host_seen(); /* any well-formed frame: a host is there */
    if (type == PROTO_CMD_SYNC) {
        nv.expect = seq;
        fm_new_session();
        session_error_clear();
    }
    if (seq != nv.expect) {
        uint8_t behind = (uint8_t)(nv.expect - seq);
        if (nv.tx_n && behind <= PROTO_MAX_INFLIGHT)
            port_uart_write(nv.tx, nv.tx_n); /* already executed: the last response acks it */
        else
            nak(PROTO_E_SEQ);
        return;
    }
    nv.expect++;
    nv.nak_sent = false;
    nv.baud_check = false; /* a valid frame: the rate works */
    size_t out_len = 0;
    int8_t st = execute(type, f->payload, f->len, nv.tx + PROTO_RSP_DATA, &out_len);
    nv.tx_n = send(nv.tx, seq, st, out_len);
    nv.baud_at = port_millis();
    if (type == PROTO_CMD_SET_BAUD && st == PROTO_OK) {
        uint32_t want = proto_get32(f->payload);
        port_uart_set_baud(want);
        nv.stepped = nv.baud_check = want != 0;
        nv.baud_at = port_millis();
    }
    if (type == PROTO_CMD_RESET && st == PROTO_OK)
        boot_finish();
}

/* Each pass either waits for more bytes or removes at least one byte: bounded by rx.n. */
static void parse(void)
{
    struct proto_frame f;
    int r;
    while ((r = proto_rx_next(&nv.rx, &f)) != PROTO_RX_MORE) {
        if (r == PROTO_RX_BAD) {
            nak(PROTO_E_CRC);
            continue;
        }
        frame(&f);
        proto_rx_consume(&nv.rx, &f); /* bytes may follow it after a resync */
    }
}

static bool native_feed(uint8_t byte)
{
    if (nv.rx.n == 0 && byte != PROTO_SOF)
        return false;
    proto_rx_push(&nv.rx, &byte, 1);
    nv.rx_last = port_millis();
    parse();
    return true;
}

static void native_poll(void)
{
    /* a stepped-up rate nobody confirmed, or fell silent on: back to the boot rate */
    uint32_t quiet = port_millis() - nv.baud_at;
    if (nv.stepped &&
        (quiet >= PROTO_BAUD_IDLE_MS || (nv.baud_check && quiet >= PROTO_BAUD_CHECK_MS))) {
        port_uart_set_baud(0);
        nv.stepped = nv.baud_check = false;
    }
    if (nv.rx.n && port_millis() - nv.rx_last >= FRAME_GAP_MS) {
        nak(PROTO_E_CRC); /* truncated frame */
        proto_rx_truncated(&nv.rx);
        parse();
    }
}

const struct session_proto native_proto = {native_init, native_claims, native_feed, native_poll};
