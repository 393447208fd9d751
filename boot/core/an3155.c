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

/* buf holds a command's bytes; the longest is an Extended Erase of every page: N (2 bytes), the
 * page numbers (2 bytes each), the checksum. */
static bool synced;
static uint8_t step, cmd, width, buf[2 + 2 * PART_MAX_PAGES + 1];
static size_t n, want;
static uint32_t addr, last;

static void an3155_init(void) { synced = false; }

static bool an3155_claims(uint8_t first) { return first == AN3155_SYNC; }

static void send1(uint8_t b) { port_uart_write(&b, 1); }

static uint8_t xor_of(const uint8_t *p, size_t len)
{
    uint8_t x = 0;
    while (len--)
        x ^= *p++;
    return x;
}

static void expect(enum step s, size_t count)
{
    step = (uint8_t)s;
    want = count;
    n = 0;
}

static void release(void)
{
    synced = false;
    port_uart_set_even_parity(false);
}

/* Go: commit what this update wrote (its size from the highest byte written, its CRC computed
 * here), then start the application if it is valid. */
static bool go(void)
{
    if (addr != BOOT_APP_START && addr != PROTO_FLASH_BASE && addr != 0)
        return false;
    uint32_t end = fm_written_end();
    if (end > BOOT_APP_START) {
        uint32_t size = end - BOOT_APP_START;
        if (fm_commit(size, fm_crc(BOOT_APP_START, size), 0) != PROTO_OK) {
            session_error();
            return false;
        }
        session_error_clear();
    }
    return fm_app_valid(NULL);
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
    return width == 1 ? p[0] : (uint32_t)p[0] << 8 | p[1];
}

/* N's special codes: 0xFF (Erase: global erase), 0xFFF0 and up (Extended Erase). */
static bool is_special(uint32_t num) { return num >= (width == 1 ? 0xFFu : 0xFFF0u); }

static uint32_t listed_page(size_t i)
{
    return PROTO_FLASH_BASE + number_at(buf + width * (i + 1)) * fm_page_size();
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
    if ((buf[0] ^ buf[1]) != 0xFF)
        return false;
    cmd = buf[0];
    switch (cmd) {
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
        width = cmd == CMD_ERASE ? 1u : 2u;
        send1(AN3155_ACK);
        expect(S_ERASE_N, width);
        return true;
    default: /* protection changes (0x63 0x73 0x82 0x92), unknown */
        return false;
    }
    expect(S_CMD, 2);
    return true;
}

static bool address(void)
{
    if (xor_of(buf, 4) != buf[4])
        return false;
    addr = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
    if (cmd == CMD_GO) {
        if (!go())
            return false;
        send1(AN3155_ACK);
        boot_finish(); /* valid: starts it */
    }
    if (cmd == CMD_READ ? !readable(addr, 1) : fm_check_app(addr, 1) != PROTO_OK)
        return false;
    send1(AN3155_ACK);
    expect(cmd == CMD_READ ? S_READ_N : S_WRITE_N, cmd == CMD_READ ? 2 : 1);
    return true;
}

/* The bytes of the current step are in buf[0..want). Returns false to NACK. */
static bool step_done(void)
{
    bool ok = true;
    switch (step) {
    case S_CMD:
        return command();
    case S_ADDR:
        return address();
    case S_READ_N:
        if ((buf[0] ^ buf[1]) != 0xFF || !readable(addr, buf[0] + 1u))
            return false;
        send1(AN3155_ACK);
        port_uart_write(port_flash_ptr(addr), buf[0] + 1u);
        expect(S_CMD, 2);
        return true;
    case S_WRITE_N:
        expect(S_WRITE_DATA, buf[0] + 3u); /* keep N in buf[0]: N, N+1 data bytes, checksum */
        n = 1;
        return true;
    case S_WRITE_DATA:
        ok = xor_of(buf, want - 1) == buf[want - 1] &&
             flash_ok(fm_write(addr, buf + 1, buf[0] + 1u));
        break;
    case S_ERASE_N: {
        /* keep N in buf: a special code and its checksum, or the N + 1 pages and the checksum */
        uint32_t num = number_at(buf);
        size_t len = is_special(num) ? width + 1u : (num + 2u) * width + 1u;
        if (len > sizeof buf)
            return false;
        expect(S_ERASE_LIST, len);
        n = width;
        return true;
    }
    default: { /* S_ERASE_LIST; Erase's global code is followed by 0x00, not by a checksum */
        uint32_t num = number_at(buf);
        bool special = is_special(num);
        ok = (xor_of(buf, want - 1) ^ (width == 1 && special ? 0xFFu : 0u)) == buf[want - 1] &&
             (special ? erase_special(width == 1 ? 0xFFFFu : num) : erase_pages(num + 1u));
        break;
    }
    }
    if (ok)
        send1(AN3155_ACK);
    expect(S_CMD, 2);
    return ok;
}

static bool an3155_feed(uint8_t byte)
{
    uint32_t now = port_millis();
    if (!synced || (step == S_CMD && n == 0)) {
        if (byte == AN3155_SYNC) {
            /* first contact, or a host that starts over (stm32flash sends 0x7F at every start) */
            if (!synced)
                port_uart_set_even_parity(true);
            synced = true;
            session_host_seen();
            expect(S_CMD, 2);
            send1(AN3155_ACK);
            last = now;
            return true;
        }
        if (!synced || byte == PROTO_SOF) {
            if (synced)
                release(); /* a native frame starts: 0xA5 is no AN3155 command */
            return false;
        }
    }
    last = now;
    buf[n++] = byte;
    if (n < want)
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
    if (!synced)
        return;
    uint32_t quiet = port_millis() - last;
    if ((step != S_CMD || n) && quiet >= BYTE_GAP_MS)
        expect(S_CMD, 2); /* a command cut short: forget it */
    else if (quiet >= IDLE_MS)
        release();
}

const struct session_proto an3155_proto = {an3155_init, an3155_claims, an3155_feed, an3155_poll};
