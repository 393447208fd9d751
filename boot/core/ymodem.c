/* YMODEM receiver and its menu. Block numbers are 8 bits and wrap (block 256 arrives as 0): the
 * receiver counts them with an 8-bit `expect`, so images of any size work. The image size comes
 * from the header block, so the SUB (0x1A) padding of the last block never enters the image.
 * Plain XMODEM (a data block with no header before it) is refused with CAN: without the header
 * the size is unknown, and the padding would enter the image. The line goes back to the native
 * protocol and AN3155 at once when the exchange never had a header or has failed, and within a
 * second of silence from a sender that vanished mid-file. */
#include "ymodem.h"

#include <stddef.h>

#include "boot.h"
#include "flashmgr.h"
#include "port.h"

#define C_PERIOD_MS   1000u /* 'C' while waiting for a sender */
#define C_TRIES       60u   /* then give up (a minute) */
#define BYTE_GAP_MS   1000u /* silence inside a block: NAK it */
#define BLOCK_WAIT_MS 5000u /* silence between blocks: ask again with 'C' */
#define BLOCK_TRIES   6u    /* then cancel */
#define HDR           3u    /* SOH/STX, block number, its complement */
#define HOST_QUIET_MS 5000u /* after a native frame or AN3155 command, Enter and 2 are noise */

/* Y_MENU: at the start of a line (the menu saw its Enter); Y_TWO: the line holds "2" so far */
enum state { Y_IDLE, Y_MENU, Y_TWO, Y_RECV };

static const char menu[] = "\r\nstm32-iap: 1 = download (YMODEM), 2 Enter = run app\r\n";

/* The receiver's state in one object: one base address for all of it (smaller code). */
static struct {
    uint8_t state;
    uint8_t expect;   /* next block number */
    bool started;     /* a header was accepted: a YMODEM sender is there */
    bool in_file;     /* header accepted: data blocks expected */
    bool committed;   /* a file of this batch became the application */
    uint8_t eots, cans, tries;
    size_t n, want;
    uint32_t size, off, last;
    uint8_t blk[HDR + 1024 + 2];
} y;

uint16_t ym_crc16(const uint8_t *p, size_t len)
{
    uint16_t crc = 0;
    while (len--) {
        crc ^= (uint16_t)(*p++ << 8);
        for (int i = 0; i < 8; i++)
            crc = (uint16_t)(crc & 0x8000u ? (unsigned)crc << 1 ^ 0x1021u : (unsigned)crc << 1);
    }
    return crc;
}

static void ymodem_init(void) { y.state = Y_IDLE; }

static bool printable(uint8_t b) { return b == '\r' || (b >= ' ' && b < 0x7F); }

/* Only in IAP mode: noise during the listening window must not hold a valid app back. */
static bool ymodem_claims(uint8_t first) { return session_in_iap() && printable(first); }

static void send1(uint8_t b)
{
    port_uart_write(&b, 1);
    y.last = port_millis();
}

static void cancel(void)
{
    static const uint8_t cans5[] = {YM_CAN, YM_CAN, YM_CAN, YM_CAN, YM_CAN};
    port_uart_write(cans5, sizeof cans5);
    y.state = Y_IDLE;
}

static void start_download(void)
{
    y.state = Y_RECV;
    y.n = 0;
    y.started = y.in_file = y.committed = false;
    y.cans = y.tries = 0;
    send1(YM_CRC);
}

/* Block 0 outside a file: a file header (name NUL size ...) or the end of the batch (empty). */
static void header(size_t len)
{
    const uint8_t *p = y.blk + HDR, *end = p + len;
    if (!*p) {
        send1(YM_ACK);
        if (y.committed)
            boot_finish(); /* starts the new application */
        y.state = Y_IDLE;
        return;
    }
    while (p < end && *p)
        p++;
    uint32_t s = 0;
    for (p++; p < end && *p >= '0' && *p <= '9' && s <= 0x0FFFFFFFu; p++)
        s = s * 10 + (uint32_t)(*p - '0');
    if (s == 0 || s > fm_app_end() - BOOT_APP_START) {
        cancel(); /* no size, or larger than the application area: refused before any erase */
        return;
    }
    fm_new_session(); /* like a native SYNC: pages are erased again as the file is written */
    y.started = true;
    y.size = s;
    y.off = 0;
    y.expect = 1;
    y.eots = 0;
    y.in_file = true;
    send1(YM_ACK);
    send1(YM_CRC);
}

static void data(size_t len)
{
    uint8_t no = y.blk[1];
    bool header_again = y.expect == 1 && y.off == 0;
    if (no == (uint8_t)(y.expect - 1)) { /* our ACK was lost: the sender repeats; no rewrite */
        send1(YM_ACK);
        if (header_again)
            send1(YM_CRC);
        return;
    }
    if (no == 0 && no != y.expect && !header_again) {
        header(len); /* a new header: the sender of this file is gone, a new one starts over */
        return;
    }
    if (no != y.expect) {
        cancel(); /* a block was skipped: the image would have a hole */
        return;
    }
    if (y.off < y.size) {
        uint32_t k = y.size - y.off < len ? y.size - y.off : (uint32_t)len;
        if (fm_write(BOOT_APP_START + y.off, y.blk + HDR, (k + 1u) & ~1u) != PROTO_OK) {
            session_error();
            cancel();
            return;
        }
    }
    y.off += (uint32_t)len;
    y.expect++;
    send1(YM_ACK);
}

/* First EOT: NAK (a stray EOT must not end the file); the repeated EOT ends it: commit. */
static void eot(void)
{
    if (!y.in_file || y.eots++ == 0) {
        send1(YM_NAK);
        return;
    }
    if (y.off < y.size || fm_commit(y.size, fm_crc(BOOT_APP_START, y.size), 0) != PROTO_OK) {
        session_error();
        cancel();
        return;
    }
    session_error_clear();
    y.committed = true;
    y.in_file = false;
    send1(YM_ACK);
    send1(YM_CRC); /* next header, or the end of the batch */
}

static void block(void)
{
    size_t len = y.want - HDR - 2;
    uint16_t crc = (uint16_t)(y.blk[y.want - 2] << 8 | y.blk[y.want - 1]);
    y.n = 0;
    if ((y.blk[1] ^ y.blk[2]) != 0xFF || ym_crc16(y.blk + HDR, len) != crc) {
        send1(YM_NAK);
        return;
    }
    y.tries = 0;
    session_enter_iap();
    if (y.in_file)
        data(len);
    else if (y.blk[1] == 0)
        header(len);
    else
        cancel(); /* a data block without a header: plain XMODEM, or a sender out of step */
}

/* Between blocks: the first byte of a block, EOT or CAN. */
static bool block_start(uint8_t byte)
{
    if (byte != YM_CAN)
        y.cans = 0;
    switch (byte) {
    case YM_SOH:
    case YM_STX:
        y.want = HDR + (byte == YM_SOH ? 128u : 1024u) + 2u;
        y.blk[y.n++] = byte;
        break;
    case YM_EOT:
        eot();
        break;
    case YM_CAN:
        if (++y.cans >= 2)
            y.state = Y_IDLE; /* the sender cancelled; IAP mode goes on */
        break;
    default:
        /* A native frame or stm32flash takes the line before any header, or from a sender that
         * has been silent for a byte gap (a live one answers our ACK at once). */
        if ((byte == PROTO_SOF || byte == 0x7F) &&
            (!y.started || port_millis() - y.last >= BYTE_GAP_MS)) {
            y.state = Y_IDLE;
            return false;
        }
        return true; /* noise: it does not count as the sender's activity */
    }
    y.last = port_millis();
    return true;
}

/* '1' acts at once: it only asks for a file. Running the application leaves IAP mode, so it
 * takes a line of its own, Enter 2 Enter, and a line no native or AN3155 host used for
 * HOST_QUIET_MS: the bytes of a corrupt frame that reach the menu (its header was hit, the rest
 * is data) cannot start it, nor can noise between a host's frames. */
static bool menu_key(uint8_t byte)
{
    uint8_t at = y.state;
    y.state = Y_IDLE; /* any byte but these below spoils the line */
    if (byte == '\n' && at == Y_MENU) {
        y.state = Y_MENU; /* Enter sent as CR LF */
        return true;
    }
    if (!printable(byte))
        return false; /* not for the menu: 0xA5 (native), 0x7F (AN3155), ... */
    session_enter_iap();
    if (byte == '1') {
        start_download();
    } else if (session_host_within(HOST_QUIET_MS)) {
        /* a binary host is talking: its line's noise, not a person */
    } else if (byte == '2' && at == Y_MENU) {
        y.state = Y_TWO;
    } else if (byte == '\r') {
        if (at == Y_TWO && fm_app_valid(NULL))
            boot_finish();
        port_uart_write(menu, sizeof menu - 1);
        y.state = Y_MENU;
    }
    return true;
}

static bool ymodem_feed(uint8_t byte)
{
    if (y.state != Y_RECV)
        return menu_key(byte);
    if (y.n == 0)
        return block_start(byte);
    y.last = port_millis();
    y.blk[y.n++] = byte;
    if (y.n == y.want)
        block();
    return true;
}

/* A sender that cancels in the middle of a block sends CAN CAN there (lrzsz: ten CANs and ten
 * backspaces) and falls silent: the block's tail tells a cancel from a line that broke off. */
static bool cancelled_in_block(void)
{
    size_t i = y.n;
    while (i > 2 && y.blk[i - 1] == '\b')
        i--;
    return i >= 2 && y.blk[i - 1] == YM_CAN && y.blk[i - 2] == YM_CAN;
}

static void ymodem_poll(void)
{
    if (y.state != Y_RECV)
        return;
    uint32_t quiet = port_millis() - y.last;
    if (y.n && quiet >= BYTE_GAP_MS) {
        if (cancelled_in_block())
            y.state = Y_IDLE;
        else
            send1(YM_NAK); /* a block cut short */
        y.n = 0;
    } else if (!y.n && quiet >= (y.started ? BLOCK_WAIT_MS : C_PERIOD_MS)) {
        if (++y.tries > (y.started ? BLOCK_TRIES : C_TRIES)) {
            cancel();
            return;
        }
        session_touch(); /* someone asked for a download: do not time out under them */
        /* 'C', not NAK: lrzsz takes it as a NAK, and a sender that starts over (the previous one
         * vanished) reads it as "CRC mode", where a NAK would make it send 8-bit checksums */
        send1(YM_CRC);
    }
}

const struct session_proto ymodem_proto = {ymodem_init, ymodem_claims, ymodem_feed, ymodem_poll};
