/* AN3155 (ST USART bootloader protocol) as stm32flash speaks it. Every command is a byte and its
 * complement; addresses are big-endian with an XOR checksum. Flash is reached only through the
 * flash manager, and reads are limited to [BOOT_APP_START, end of flash): the bootloader's own
 * pages are neither written, erased nor read. Erase takes one-byte page numbers; a part with more
 * than 256 pages (XL density) offers Extended Erase instead: two-byte page numbers, and mass and
 * bank erase codes that erase the application area's share of the flash or the bank. */
#include "an3155.h"

#include "boot.h"
#include "flashmgr.h"
#include "port.h"

#define BYTE_GAP_MS 1000u /* silence inside a command: the command is dropped */
#define IDLE_MS     5000u /* silence between commands: back to 8N1, the line is free again */
#define SETTLE_MS   3u    /* auto-baud: quiet (over 2 ms) before the switch: the 0x7F is over */
#define BOOT_RATE   115200u /* the USART's rate when auto-baud looks (no host for IDLE_MS) */
#define VERSION     0x10u /* protocol version reported by Get and Get Version: 1.0 */

enum cmd {
    CMD_GET = 0x00,
    CMD_GVR = 0x01,
    CMD_GID = 0x02,
    CMD_READ = 0x11,
    CMD_GO = 0x21,
    CMD_WRITE = 0x31,
    CMD_ERASE = 0x43,
    CMD_EXT_ERASE = 0x44,
};

/* What the bytes being collected are: a step of the current command. */
enum step { S_CMD, S_ADDR, S_READ_N, S_WRITE_N, S_WRITE_DATA, S_ERASE_N, S_ERASE_LIST };

/* Get: N = number of commands, version 1.0, the F1 ROM bootloader's list; the erase command
 * (erase_cmd) is sent between its two halves. The protection commands (0x63 0x73 0x82 0x92) are
 * listed as on the F1 and always refused. */
static const uint8_t get_reply[] = {AN3155_ACK, 11,   VERSION, 0x00, 0x01, 0x02, 0x11,
                                    0x21,       0x31, 0x63,    0x73, 0x82, 0x92, AN3155_ACK};
#define GET_ERASE_AT 9 /* the erase command's place in the reply */

/* The session's state in one object: one base address for all of it (smaller code). buf holds
 * a command's bytes; the longest is an Extended Erase of every page: N (2 bytes), the page
 * numbers (2 bytes each), the checksum. */
static struct {
    bool synced;
    uint8_t step, cmd, width;
    uint8_t ab; /* auto-baud: AB_OFF, AB_PROBE (until a valid command, 1 s), AB_ON */
    size_t n, want;
    uint32_t addr, last;
    uint32_t to_baud; /* auto-baud: the host's rate, switched to after SETTLE_MS of quiet */
    uint8_t buf[2 + 2 * PART_MAX_PAGES + 1];
} s;
/* A valid command makes AB_PROBE AB_ON with one AND. */
enum { AB_OFF = 0, AB_ON = 1, AB_PROBE = 3 };

static void an3155_init(void)
{
    s.synced = false;
    s.ab = AB_OFF;
    s.to_baud = 0;
}

/* Auto-baud (docs/PROTOCOL.md, "Auto-baud"): a 0x7F sent at R = rate / k reaches the USART at
 * its rate as a start bit k bits long, bits 0-6 high, bit 7 low. Data bit j is sampled about
 * j + 1.5 bits after the falling edge, so the first m = ceil(k - 1.5) data bits read 0: the
 * byte is 0xFF << m, and k = m + 1 for m = 1..7 (0xFE 57600, 0xFC 38400, 0xE0 19200, 0x80 14400
 * from 115200). From k = 10.5 on all eight read 0 and the stop bit too (framing error): 0x00 is
 * taken for 9600 (k = 12), the lowest rate this tells apart. The falling edge of bit 7 starts
 * a second character, the same byte, dropped. Returns the host's rate, 0 for any other byte. */
static uint32_t autobaud(uint8_t byte)
{
    unsigned m = (unsigned)__builtin_ctz(byte | 0x100u);
    if (m == 0 || (uint8_t)(0xFFu << m) != byte)
        return 0;
    return BOOT_RATE / (m == 8 ? 12u : m + 1u);
}

/* In IAP mode, the rate of a slower host whose 0x7F `byte` is, unless a host spoke in the last
 * IDLE_MS (a native session between frames: its noise must not move the rate); else 0. */
static uint32_t slower_host(uint8_t byte)
{
    return session_in_iap() && !session_host_within(IDLE_MS) ? autobaud(byte) : 0;
}

static bool an3155_claims(uint8_t first) { return first == AN3155_SYNC || slower_host(first); }

static void send1(uint8_t b) { port_uart_write(&b, 1); }

static uint8_t xor_of(const uint8_t *p, size_t len)
{
    uint8_t x = 0;
    while (len--)
        x ^= *p++;
    return x;
}

static void expect(enum step next, size_t count)
{
    s.step = (uint8_t)next;
    s.want = count;
    s.n = 0;
}

static void release(void)
{
    s.synced = false;
    if (s.ab)
        port_uart_set_baud(0);
    s.ab = AB_OFF;
    port_uart_set_even_parity(false);
}

/* Go: commit what this update wrote (its size from the highest byte written, its CRC computed
 * here), then start the application if it is valid. */
static bool go(void)
{
    if (s.addr != BOOT_APP_START && s.addr != PROTO_FLASH_BASE && s.addr != 0)
        return false;
    uint32_t end = fm_written_end();
    if (end <= BOOT_APP_START)
        return fm_app_valid(NULL);
    /* a commit that succeeded checked the image: no third pass over it before the ACK */
    uint32_t size = end - BOOT_APP_START;
    if (fm_commit(size, fm_crc(BOOT_APP_START, size), 0) != PROTO_OK) {
        session_error();
        return false;
    }
    session_error_clear();
    return true;
}

/* A flash failure (not a refusal) switches the LED to its error pattern, as in the native path. */
static bool flash_ok(int rc)
{
    if (rc == PROTO_E_FLASH || rc == PROTO_E_VERIFY || rc == PROTO_E_NOT_ERASED)
        session_error();
    return rc == PROTO_OK;
}

/* Readable: flash from the application area on (record page included), not the bootloader. */
static bool readable(uint32_t a, uint32_t len)
{
    return a >= BOOT_APP_START && fm_check_read(a, len) == PROTO_OK;
}

/* The erase command this part offers: Extended Erase when one-byte page numbers do not reach
 * every page (more than 256: XL density). */
static uint8_t erase_cmd(void)
{
    return fm_flash_size() > 256u * fm_page_size() ? CMD_EXT_ERASE : CMD_ERASE;
}

/* The erase commands' N and page numbers are `width` bytes: one (Erase) or two, most significant
 * first (Extended Erase); in buf: N, the N + 1 pages, the checksum. */
static uint32_t number_at(const uint8_t *p)
{
    return s.width == 1 ? p[0] : (uint32_t)p[0] << 8 | p[1];
}

/* N's special codes: 0xFF (Erase: global erase), 0xFFF0 and up (Extended Erase). */
static bool is_special(uint32_t num) { return num >= (s.width == 1 ? 0xFFu : 0xFFF0u); }

static uint32_t listed_page(size_t i)
{
    return PROTO_FLASH_BASE + number_at(s.buf + s.width * (i + 1)) * fm_page_size();
}

static bool erase_pages(size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (fm_check_app(listed_page(i), fm_page_size()) != PROTO_OK)
            return false; /* refuse the whole list before erasing anything */
    fm_new_session();     /* an erase starts an update: Go commits what is written after it */
    int rc = PROTO_OK;
    for (size_t i = 0; rc == PROTO_OK && i < count; i++)
        rc = fm_erase(listed_page(i), fm_page_size());
    return flash_ok(rc);
}

/* The special codes (Erase: 0xFF = global; Extended Erase: 0xFFFF mass, 0xFFFE bank 1, 0xFFFD
 * bank 2; 0xFFF0-0xFFFC refused) erase the application area's share: never the bootloader, and
 * the record page only as any update does (fm_begin_update). */
static bool erase_special(uint32_t code)
{
    uint32_t end = fm_app_end(), bank2 = fm_part() && fm_part()->banks > 1 ? PART_BANK2 : end;
    uint32_t start = code == 0xFFFDu ? bank2 : BOOT_APP_START;
    if (code < 0xFFFDu)
        return false;
    end = code == 0xFFFEu ? bank2 : end;
    fm_new_session();
    return start < end && flash_ok(fm_erase(start, end - start));
}

/* A command byte and its complement arrived. Returns false to NACK. */
static bool command(void)
{
    static const uint8_t gvr[] = {AN3155_ACK, VERSION, 0, 0, AN3155_ACK};
    uint8_t gid[] = {AN3155_ACK, 1, 0, 0, AN3155_ACK};
    if ((s.buf[0] ^ s.buf[1]) != 0xFF) {
        /* stm32flash never sends one: at a rate auto-baud chose, a host at another rate (a
         * native one at the boot rate) is talking. Back to the boot rate for it. */
        if (s.ab)
            release();
        return false;
    }
    s.ab &= AB_ON;
    s.cmd = s.buf[0];
    switch (s.cmd) {
    case CMD_GET:
        port_uart_write(get_reply, GET_ERASE_AT);
        send1(erase_cmd());
        port_uart_write(get_reply + GET_ERASE_AT, sizeof get_reply - GET_ERASE_AT);
        break;
    case CMD_GVR:
        port_uart_write(gvr, sizeof gvr);
        break;
    case CMD_GID: {
        uint32_t pid = fm_part() ? fm_part()->dev_id : 0x410u;
        gid[2] = (uint8_t)(pid >> 8);
        gid[3] = (uint8_t)pid;
        port_uart_write(gid, sizeof gid);
        break;
    }
    case CMD_READ:
    case CMD_GO:
    case CMD_WRITE:
        send1(AN3155_ACK);
        expect(S_ADDR, 5);
        return true;
    case CMD_EXT_ERASE:
        if (erase_cmd() != CMD_EXT_ERASE)
            return false;
        /* fall through */
    case CMD_ERASE: /* also where Get offers Extended Erase: its page numbers reach bank 1 */
        s.width = s.cmd == CMD_ERASE ? 1u : 2u;
        send1(AN3155_ACK);
        expect(S_ERASE_N, s.width);
        return true;
    default: /* protection changes (0x63 0x73 0x82 0x92), unknown */
        return false;
    }
    expect(S_CMD, 2);
    return true;
}

static bool address(void)
{
    if (xor_of(s.buf, 4) != s.buf[4])
        return false;
    s.addr = (uint32_t)s.buf[0] << 24 | (uint32_t)s.buf[1] << 16 | (uint32_t)s.buf[2] << 8 |
             s.buf[3];
    if (s.cmd == CMD_GO) {
        if (!go())
            return false;
        send1(AN3155_ACK);
        boot_finish(); /* valid: starts it */
    }
    if (s.cmd == CMD_READ ? !readable(s.addr, 1) : fm_check_app(s.addr, 1) != PROTO_OK)
        return false;
    send1(AN3155_ACK);
    expect(s.cmd == CMD_READ ? S_READ_N : S_WRITE_N, s.cmd == CMD_READ ? 2 : 1);
    return true;
}

/* The bytes of the current step are in buf[0..want). Returns false to NACK. */
static bool step_done(void)
{
    bool ok = true;
    switch (s.step) {
    case S_CMD:
        return command();
    case S_ADDR:
        return address();
    case S_READ_N:
        if ((s.buf[0] ^ s.buf[1]) != 0xFF || !readable(s.addr, s.buf[0] + 1u))
            return false;
        send1(AN3155_ACK);
        port_uart_write(port_flash_ptr(s.addr), s.buf[0] + 1u);
        expect(S_CMD, 2);
        return true;
    case S_WRITE_N:
        expect(S_WRITE_DATA, s.buf[0] + 3u); /* keep N in buf[0]: N, N+1 data bytes, checksum */
        s.n = 1;
        return true;
    case S_WRITE_DATA:
        ok = xor_of(s.buf, s.want - 1) == s.buf[s.want - 1] &&
             flash_ok(fm_write(s.addr, s.buf + 1, s.buf[0] + 1u));
        break;
    case S_ERASE_N: {
        /* keep N in buf: a special code and its checksum, or the N + 1 pages and the checksum */
        uint32_t num = number_at(s.buf);
        size_t len = is_special(num) ? s.width + 1u : (num + 2u) * s.width + 1u;
        if (len > sizeof s.buf)
            return false;
        expect(S_ERASE_LIST, len);
        s.n = s.width;
        return true;
    }
    default: { /* S_ERASE_LIST; Erase's global code is followed by 0x00, not by a checksum */
        uint32_t num = number_at(s.buf);
        bool special = is_special(num);
        ok = (xor_of(s.buf, s.want - 1) ^ (s.width == 1 && special ? 0xFFu : 0u)) ==
                 s.buf[s.want - 1] &&
             (special ? erase_special(s.width == 1 ? 0xFFFFu : num) : erase_pages(num + 1u));
        break;
    }
    }
    if (ok)
        send1(AN3155_ACK);
    expect(S_CMD, 2);
    return ok;
}

/* First contact (the USART goes to 8E1), or a host that starts over: ACK. */
static void sync(void)
{
    port_uart_set_even_parity(true);
    s.synced = true;
    session_host_seen();
    expect(S_CMD, 2);
    send1(AN3155_ACK);
    s.last = port_millis();
}

static bool an3155_feed(uint8_t byte)
{
    uint32_t now = port_millis();
    if (!s.synced && byte != AN3155_SYNC) {
        /* A slower host's 0x7F, answered by the poll; its second character, dropped. Any other
         * byte meanwhile: it was noise, the byte goes to the other protocols. */
        uint32_t rate = slower_host(byte);
        if (!rate || (s.to_baud && rate != s.to_baud)) {
            s.to_baud = 0;
            return false;
        }
        s.to_baud = rate;
        s.last = now;
        return true;
    }
    if (!s.synced || (s.step == S_CMD && s.n == 0)) {
        /* stm32flash sends 0x7F at every start */
        if (byte == AN3155_SYNC) {
            s.to_baud = 0;
            sync();
            return true;
        }
        if (byte == PROTO_SOF) {
            release(); /* a native frame starts: 0xA5 is no AN3155 command */
            return false;
        }
    }
    s.last = now;
    s.buf[s.n++] = byte;
    if (s.n < s.want)
        return true;
    session_host_seen();
    if (!step_done()) {
        send1(AN3155_NACK);
        expect(S_CMD, 2);
    }
    return true;
}

static void an3155_poll(void)
{
    uint32_t quiet = port_millis() - s.last;
    if (s.to_baud) {
        if (quiet >= SETTLE_MS) {
            /* the host's 0x7F has ended: answer it at its rate */
            port_uart_set_baud(s.to_baud);
            s.to_baud = 0;
            s.ab = AB_PROBE;
            sync();
        }
        return;
    }
    if (!s.synced)
        return;
    if (quiet < BYTE_GAP_MS)
        return;
    if (s.ab == AB_PROBE || quiet >= IDLE_MS)
        release(); /* idle; or no command at the rate auto-baud chose: not a host's 0x7F */
    else
        expect(S_CMD, 2); /* a command cut short: forget it (between commands: no change) */
}

const struct session_proto an3155_proto = {an3155_init, an3155_claims, an3155_feed, an3155_poll};
