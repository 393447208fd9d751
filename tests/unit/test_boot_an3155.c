/* AN3155 session (stm32flash): every command and refusal, checksums, commit on Go, and how it
 * shares the line with the native protocol. */
#include "an3155.h"
#include "boot.h"
#include "flashmgr.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "test.h"

#define APP PROTO_APP_START
#define END64 0x0800FC00u
#define ACK AN3155_ACK
#define NACK AN3155_NACK

static uint8_t img[8192];
static uint8_t in[1024];

/* Sends bytes, runs the session, returns how many bytes came back (in `in`). */
static size_t xfer(const void *out, size_t len)
{
    sim_uart_put(out, len);
    sh_poll();
    return sim_uart_get(in, sizeof in);
}

static size_t cmd(uint8_t c)
{
    uint8_t b[2] = {c, (uint8_t)~c};
    return xfer(b, 2);
}

static size_t addr(uint32_t a)
{
    uint8_t b[5] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a, 0};
    b[4] = b[0] ^ b[1] ^ b[2] ^ b[3];
    return xfer(b, 5);
}

static void setup(void)
{
    sim_reset(64 * 1024);
    session_init();
    sh_seq = 0;
    xfer("\x7f", 1);
}

/* Write Memory of len (1..256) bytes; returns the last answer byte. */
static uint8_t write_mem(uint32_t a, const uint8_t *d, size_t len)
{
    uint8_t b[258], x = (uint8_t)(len - 1);
    if (cmd(0x31) != 1 || in[0] != ACK)
        return in[0];
    if (addr(a) != 1 || in[0] != ACK)
        return in[0];
    b[0] = x;
    for (size_t i = 0; i < len; i++)
        x ^= b[1 + i] = d[i];
    b[1 + len] = x;
    xfer(b, len + 2);
    return in[0];
}

/* Read Memory; returns the number of bytes received after the ACKs, or 0 on a NACK. */
static size_t read_mem(uint32_t a, size_t len, uint8_t *out)
{
    uint8_t n[2] = {(uint8_t)(len - 1), (uint8_t)~(len - 1)};
    if (cmd(0x11) != 1 || in[0] != ACK || addr(a) != 1 || in[0] != ACK)
        return 0;
    size_t got = xfer(n, 2);
    if (got == 0 || in[0] != ACK)
        return 0;
    memcpy(out, in + 1, got - 1);
    return got - 1;
}

static uint8_t erase_pages(const uint8_t *pages, size_t count)
{
    uint8_t b[260], x = (uint8_t)(count - 1);
    if (cmd(0x43) != 1 || in[0] != ACK)
        return in[0];
    b[0] = x;
    for (size_t i = 0; i < count; i++)
        x ^= b[1 + i] = pages[i];
    b[1 + count] = x;
    xfer(b, count + 2);
    return in[0];
}

static uint8_t write_image(const uint8_t *d, size_t len)
{
    uint8_t a = ACK;
    for (size_t off = 0; a == ACK && off < len; off += 256)
        a = write_mem(APP + (uint32_t)off, d + off, len - off < 256 ? len - off : 256);
    return a;
}

static uint32_t go_addr;
static void do_go(void *arg)
{
    (void)arg;
    cmd(0x21);
    addr(go_addr);
}

TEST(sync_is_acked_and_enters_iap_mode)
{
    sim_reset(64 * 1024);
    session_init();
    CHECK(!session_in_iap());
    CHECK_EQ(xfer("\x7f", 1), 1);
    CHECK_EQ(in[0], ACK);
    CHECK(session_in_iap());
    CHECK(sim_led);
}

TEST(get_lists_the_f1_commands_with_erase_0x43)
{
    static const uint8_t want[] = {ACK, 11, 0x10, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43,
                                   0x63, 0x73, 0x82, 0x92, ACK};
    setup();
    CHECK_EQ(cmd(0x00), sizeof want);
    CHECK_MEM(in, want, sizeof want);
}

TEST(get_version_and_get_id_report_0x410)
{
    static const uint8_t gvr[] = {ACK, 0x10, 0, 0, ACK}, gid[] = {ACK, 1, 0x04, 0x10, ACK};
    setup();
    CHECK_EQ(cmd(0x01), sizeof gvr);
    CHECK_MEM(in, gvr, sizeof gvr);
    CHECK_EQ(cmd(0x02), sizeof gid);
    CHECK_MEM(in, gid, sizeof gid);
}

TEST(wrong_complement_is_nacked)
{
    setup();
    CHECK_EQ(xfer("\x00\x00", 2), 1);
    CHECK_EQ(in[0], NACK);
    CHECK_EQ(cmd(0x02), 5); /* in step again */
}

TEST(protection_extended_erase_and_unknown_commands_are_nacked)
{
    static const uint8_t refused[] = {0x63, 0x73, 0x82, 0x92, 0x44, 0xA1, 0x32, 0x03};
    setup();
    for (size_t i = 0; i < sizeof refused; i++) {
        CHECK_EQ(cmd(refused[i]), 1);
        CHECK_EQ(in[0], NACK);
    }
    CHECK_EQ(sim_ops, 0);
}

TEST(write_then_read_back)
{
    uint8_t back[256];
    setup();
    sh_image(img, 512, 1);
    CHECK_EQ(write_mem(APP, img, 256), ACK);
    CHECK_EQ(write_mem(APP + 256, img + 256, 256), ACK);
    CHECK_EQ(read_mem(APP + 256, 256, back), 256);
    CHECK_MEM(back, img + 256, 256);
    CHECK_EQ(read_mem(APP, 4, back), 4);
    CHECK_MEM(back, img, 4);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(write_with_bad_checksum_is_nacked_and_not_written)
{
    uint8_t b[6] = {3, 1, 2, 3, 4, 0};
    setup();
    cmd(0x31);
    addr(APP);
    CHECK_EQ(xfer(b, 6), 1);
    CHECK_EQ(in[0], NACK);
    CHECK_EQ(sim_ops, 0);
}

TEST(write_outside_the_application_area_is_nacked)
{
    static const uint32_t bad[] = {PROTO_FLASH_BASE, APP - 4, END64, 0x08010000u, 0x20000200u, 0};
    uint8_t d[4] = {1, 2, 3, 4};
    setup();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(cmd(0x31), 1);
        CHECK_EQ(addr(bad[i]), 1);
        CHECK_EQ(in[0], NACK);
    }
    CHECK_EQ(write_mem(END64 - 2, d, 4), NACK); /* runs into the record page */
    CHECK_EQ(write_mem(APP, d, 3), NACK);       /* odd length */
    CHECK_EQ(sim_ops, 0);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(reads_of_the_bootloader_or_outside_flash_are_nacked)
{
    uint8_t back[256];
    setup();
    CHECK_EQ(read_mem(PROTO_FLASH_BASE, 16, back), 0);
    CHECK_EQ(read_mem(APP - 16, 16, back), 0);
    CHECK_EQ(read_mem(0x0800FFF0u, 32, back), 0);
    CHECK_EQ(read_mem(0x1FFFF7E0u, 4, back), 0);
    CHECK_EQ(read_mem(0x20000000u, 4, back), 0);
    CHECK_EQ(read_mem(END64, 24, back), 24); /* the record page is readable */
    CHECK_EQ(read_mem(0x0800FF00u, 256, back), 256);
}

TEST(read_count_with_wrong_complement_is_nacked)
{
    setup();
    cmd(0x11);
    addr(APP);
    CHECK_EQ(xfer("\x0f\x0f", 2), 1);
    CHECK_EQ(in[0], NACK);
}

TEST(address_with_wrong_checksum_is_nacked)
{
    uint8_t b[5] = {0x08, 0x00, 0x20, 0x00, 0x00};
    setup();
    cmd(0x11);
    CHECK_EQ(xfer(b, 5), 1);
    CHECK_EQ(in[0], NACK);
}

TEST(page_erase_erases_the_listed_pages_only)
{
    static const uint8_t pages[] = {9, 11};
    uint8_t d[4] = {1, 2, 3, 4};
    setup();
    for (uint32_t p = 8; p < 13; p++)
        CHECK_EQ(write_mem(PROTO_FLASH_BASE + p * 1024, d, 4), ACK);
    CHECK_EQ(erase_pages(pages, 2), ACK);
    CHECK_EQ(*sim_flash_at(APP), 1);
    CHECK_EQ(*sim_flash_at(APP + 1024), 0xFF);
    CHECK_EQ(*sim_flash_at(APP + 2048), 1);
    CHECK_EQ(*sim_flash_at(APP + 3072), 0xFF);
    CHECK_EQ(*sim_flash_at(APP + 4096), 1);
}

TEST(page_erase_touching_the_bootloader_or_record_is_refused_whole)
{
    static const uint8_t boot[] = {9, 10, 7}, rec[] = {9, 63}, out[] = {64};
    setup();
    CHECK_EQ(erase_pages(boot, 3), NACK);
    CHECK_EQ(erase_pages(rec, 2), NACK);
    CHECK_EQ(erase_pages(out, 1), NACK);
    CHECK_EQ(sim_ops, 0);
}

TEST(page_erase_with_bad_checksum_is_nacked)
{
    uint8_t b[3] = {0, 9, 0};
    setup();
    cmd(0x43);
    CHECK_EQ(xfer(b, 3), 1);
    CHECK_EQ(in[0], NACK);
    CHECK_EQ(sim_ops, 0);
}

TEST(global_erase_erases_the_application_area_only)
{
    uint8_t d[4] = {1, 2, 3, 4};
    setup();
    CHECK_EQ(write_mem(END64 - 4, d, 4), ACK);
    memset(sim_flash_at(PROTO_FLASH_BASE), 0x5A, 16); /* stands for the bootloader */
    cmd(0x43);
    CHECK_EQ(xfer("\xff\x00", 2), 1);
    CHECK_EQ(in[0], ACK);
    CHECK_EQ(*sim_flash_at(END64 - 4), 0xFF);
    CHECK_EQ(*sim_flash_at(PROTO_FLASH_BASE), 0x5A);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(go_commits_the_written_image_and_starts_it)
{
    struct proto_record rec;
    setup();
    sh_image(img, 1220, 2);
    CHECK_EQ(write_image(img, 1220), ACK);
    CHECK(!fm_app_valid(NULL));
    go_addr = APP;
    CHECK_EQ(sim_run(do_go, NULL), SIM_JUMPED);
    CHECK_EQ(sim_jump_addr, APP);
    CHECK_EQ(in[0], ACK);
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.size, 1220);
    CHECK_EQ(rec.image_crc, proto_crc32(0, img, 1220));
    CHECK(!sim_led);
}

TEST(go_to_flash_start_or_zero_means_the_application)
{
    setup();
    sh_image(img, 1024, 3);
    CHECK_EQ(write_image(img, 1024), ACK);
    go_addr = 0;
    CHECK_EQ(sim_run(do_go, NULL), SIM_JUMPED);
    sim_power_cycle();
    session_init();
    xfer("\x7f", 1);
    go_addr = PROTO_FLASH_BASE;
    CHECK_EQ(sim_run(do_go, NULL), SIM_JUMPED); /* the app committed above is still valid */
    CHECK_EQ(sim_jump_addr, APP);
}

TEST(go_elsewhere_is_nacked)
{
    setup();
    sh_image(img, 1024, 4);
    CHECK_EQ(write_image(img, 1024), ACK);
    go_addr = 0x20000200u;
    CHECK_EQ(sim_run(do_go, NULL), SIM_RETURNED);
    CHECK_EQ(in[0], NACK);
    go_addr = APP + 4;
    CHECK_EQ(sim_run(do_go, NULL), SIM_RETURNED);
    CHECK_EQ(in[0], NACK);
    CHECK(!fm_app_valid(NULL));
}

TEST(go_with_an_image_that_is_no_program_is_nacked_and_stays)
{
    setup();
    sh_image(img, 1024, 4);
    proto_put32(img + 4, APP + 0x801); /* reset vector past the 1 KB written */
    CHECK_EQ(write_image(img, 1024), ACK);
    go_addr = APP;
    CHECK_EQ(sim_run(do_go, NULL), SIM_RETURNED);
    CHECK_EQ(in[0], NACK);
    CHECK(!fm_app_valid(NULL));
    CHECK(session_in_iap());
}

/* stm32flash erases first, so nothing is saved by it, but a write of vectors that are no
 * program is still refused as the other protocols refuse it. */
TEST(write_of_a_vector_table_that_is_no_program_is_nacked)
{
    setup();
    memset(img, 0x42, 256);
    CHECK_EQ(write_mem(APP, img, 256), NACK);
}

TEST(go_without_any_application_is_nacked)
{
    setup();
    go_addr = APP;
    CHECK_EQ(sim_run(do_go, NULL), SIM_RETURNED);
    CHECK_EQ(in[0], NACK);
}

TEST(erase_starts_a_new_image_so_go_commits_only_what_follows)
{
    static const uint8_t pages[] = {8, 9, 10, 11, 12, 13, 14, 15};
    struct proto_record rec;
    setup();
    sh_image(img, 8192, 5);
    CHECK_EQ(write_image(img, 8192), ACK);
    CHECK_EQ(erase_pages(pages, 8), ACK);
    sh_image(img, 2048, 6);
    CHECK_EQ(write_image(img, 2048), ACK);
    go_addr = APP;
    CHECK_EQ(sim_run(do_go, NULL), SIM_JUMPED);
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.size, 2048);
}

TEST(flash_failure_is_nacked_and_blinks)
{
    uint8_t d[4] = {1, 2, 3, 4};
    setup();
    sim_fail_at(2); /* the record page erase works, the page erase fails */
    CHECK_EQ(write_mem(APP, d, 4), NACK);
    sim_ms = 5750; /* 150 ms into the error pattern: off */
    session_poll();
    CHECK(!sim_led);
}

TEST(sync_again_between_commands_is_acked)
{
    setup();
    CHECK_EQ(xfer("\x7f", 1), 1);
    CHECK_EQ(in[0], ACK);
    CHECK_EQ(cmd(0x02), 5);
}

TEST(a_command_cut_short_is_forgotten_after_a_second)
{
    setup();
    cmd(0x11);
    xfer("\x08\x00", 2);
    sim_ms += 1000;
    sh_poll();
    CHECK_EQ(cmd(0x02), 5);
    CHECK_EQ(in[0], ACK);
}

TEST(a_native_frame_takes_the_line_between_commands)
{
    struct sh_rsp r;
    setup();
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(xfer("\x7f", 1), 1); /* and stm32flash can come back */
    CHECK_EQ(in[0], ACK);
}

TEST(silence_frees_the_line_for_other_protocols)
{
    setup();
    sim_ms += 5000;
    sh_poll();
    CHECK_EQ(cmd(0x02), 0); /* no longer synchronised: nobody answers */
    CHECK_EQ(xfer("\x7f", 1), 1);
    CHECK_EQ(in[0], ACK);
}

TEST(sync_in_the_listening_window_enters_iap_mode)
{
    sim_reset(64 * 1024);
    session_init();
    sh_image(img, 1024, 7);
    CHECK_EQ(sh_update(img, 1024, 1, 1024, 1), PROTO_OK);
    session_init();
    sim_uart_put_at(100, "\x7f", 1);
    sim_ms_step = 1;
    CHECK_EQ(boot_decide(300), BOOT_IAP_HOST);
    CHECK_EQ(sim_uart_get(in, sizeof in), 1);
    CHECK_EQ(in[0], ACK);
}

/* ---- auto-baud: a host slower than the boot rate ---- */

/* What the USART at 115200 8N1 reads when a host sends 0x7F at `baud`: from the bit timing
 * alone (RM0008 27.3.3: the receiver starts at the falling edge and samples each bit at its
 * middle, 8/16 in). The host's start bit lasts k = 115200 / baud receiver bits; its data bits
 * 0-6 are 1, bit 7 is 0 (parity, when sent, 1). Data bit j is sampled at j + 1.5 bits: 0 while
 * that is inside the start bit. */
static uint8_t seen_at_boot_rate(uint32_t baud)
{
    double k = 115200.0 / baud;
    uint8_t byte = 0;
    for (int j = 0; j < 8; j++) {
        double t = j + 1.5;
        int level = t < k ? 0 : (t < 8 * k ? 1 : 0); /* start bit, bits 0-6, bit 7 */
        byte |= (uint8_t)(level << j);
    }
    return byte;
}

/* Runs the session with nothing new on the line; returns how many bytes came back. */
static size_t idle(void)
{
    sh_poll();
    return sim_uart_get(in, sizeof in);
}

/* IAP mode with no host yet, the line at the boot rate. */
static void setup_iap(void)
{
    sim_reset(64 * 1024);
    session_init();
    session_enter_iap();
}

/* The USART's view of one 0x7F at baud: two characters (the start bit, then bit 7's falling
 * edge starts another, the same), then the line quiet for 3 ms: the device's answer. */
static size_t slow_sync(uint32_t baud)
{
    uint8_t b = seen_at_boot_rate(baud), two[2] = {b, b};
    size_t got = xfer(two, 2);
    sim_ms += 3;
    return got + idle();
}

TEST(a_0x7f_at_a_lower_rate_reads_as_0xff_shifted_by_the_start_bit)
{
    CHECK_EQ(seen_at_boot_rate(115200), 0x7F);
    CHECK_EQ(seen_at_boot_rate(57600), 0xFE);
    CHECK_EQ(seen_at_boot_rate(38400), 0xFC);
    CHECK_EQ(seen_at_boot_rate(19200), 0xE0);
    CHECK_EQ(seen_at_boot_rate(14400), 0x80);
    CHECK_EQ(seen_at_boot_rate(9600), 0x00);
}

TEST(a_slower_hosts_0x7f_is_acked_at_its_rate_once_the_line_is_quiet)
{
    static const uint32_t rates[] = {57600, 38400, 28800, 19200, 14400, 9600};
    static const uint8_t gvr[] = {ACK, 0x10, 0, 0, ACK};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        setup_iap();
        uint8_t b = seen_at_boot_rate(rates[i]);
        CHECK_EQ(xfer(&b, 1), 0); /* not before the host's character has ended */
        CHECK_EQ(sim_baud, 115200);
        sim_ms += 3;
        CHECK_EQ(xfer(&b, 1) + idle(), 0); /* the second character: quiet starts again */
        sim_ms += 3;
        CHECK_EQ(idle(), 1);
        CHECK_EQ(in[0], ACK);
        CHECK_EQ(sim_baud, port_uart_baud_for(rates[i]));
        CHECK_EQ(cmd(0x01), sizeof gvr); /* the second character was dropped, not a command */
        CHECK_MEM(in, gvr, sizeof gvr);
    }
}

TEST(an_auto_bauded_session_writes_reads_and_goes)
{
    setup_iap();
    CHECK_EQ(slow_sync(57600), 1);
    sh_image(img, 4096, 3);
    CHECK_EQ(write_image(img, 4096), ACK);
    uint8_t back[256];
    CHECK_EQ(read_mem(APP + 256, 256, back), 256);
    CHECK_MEM(back, img + 256, 256);
    go_addr = APP;
    CHECK_EQ(sim_run(do_go, NULL), SIM_JUMPED);
    CHECK_EQ(in[0], ACK);
}

TEST(no_command_within_a_second_of_an_auto_baud_goes_back_to_the_boot_rate)
{
    setup_iap();
    CHECK_EQ(slow_sync(19200), 1);
    CHECK_EQ(sim_baud, port_uart_baud_for(19200));
    sim_ms += 999;
    sh_poll();
    CHECK_EQ(sim_baud, port_uart_baud_for(19200));
    sim_ms += 1;
    sh_poll();
    CHECK_EQ(sim_baud, 115200);
    CHECK_EQ(cmd(0x02), 0); /* and the line is free: no session holds it */
    CHECK_EQ(xfer("\x7f", 1), 1);
    CHECK_EQ(in[0], ACK);
}

TEST(an_auto_bauded_session_keeps_its_rate_past_the_native_step_up_timeout)
{
    /* the native protocol's fallback (3 s without a frame at a stepped-up rate) is its own */
    setup_iap();
    CHECK_EQ(slow_sync(38400), 1);
    for (int i = 0; i < 4; i++) {
        sim_ms += 1500;
        CHECK_EQ(cmd(0x02), 5);
        CHECK_EQ(sim_baud, port_uart_baud_for(38400));
    }
}

TEST(an_auto_bauded_session_ends_at_the_boot_rate)
{
    setup_iap();
    CHECK_EQ(slow_sync(57600), 1);
    CHECK_EQ(cmd(0x02), 5);
    sim_ms += 5000; /* idle: the session ends */
    sh_poll();
    CHECK_EQ(sim_baud, 115200);
    CHECK_EQ(slow_sync(9600), 1); /* another rate, another session */
    CHECK_EQ(sim_baud, port_uart_baud_for(9600));
    CHECK_EQ(cmd(0x02), 5);
    /* a native frame takes the line: the boot rate at once (the sim's line carries bytes at
     * any rate) */
    struct sh_rsp r;
    sh_seq = 0;
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(sim_baud, 115200);
}

TEST(a_garbled_command_at_an_auto_bauded_rate_goes_back_to_the_boot_rate)
{
    /* a native host at the boot rate right after stm32flash: its bytes, read at 57600, make no
     * command with its complement */
    setup_iap();
    CHECK_EQ(slow_sync(57600), 1);
    CHECK_EQ(cmd(0x02), 5);
    CHECK_EQ(xfer("\x00\x00", 2), 1);
    CHECK_EQ(in[0], NACK);
    CHECK_EQ(sim_baud, 115200);
    CHECK_EQ(cmd(0x02), 0); /* the session is over: the line is free */
}

TEST(a_wrong_complement_at_the_boot_rate_keeps_the_session)
{
    setup();
    CHECK_EQ(xfer("\x00\x00", 2), 1);
    CHECK_EQ(in[0], NACK);
    CHECK_EQ(cmd(0x02), 5);
}

TEST(other_bytes_are_no_slower_0x7f)
{
    static const uint8_t noise[] = {0xFF, 0x55, 0xA0, 0xFD, 0x01, 0x81, 0x0F};
    setup_iap();
    for (size_t i = 0; i < sizeof noise; i++) {
        CHECK_EQ(xfer(&noise[i], 1), 0);
        sim_ms += 10;
        CHECK_EQ(idle(), 0);
        CHECK_EQ(sim_baud, 115200);
    }
}

TEST(a_slower_0x7f_shape_between_native_frames_does_not_move_the_rate)
{
    struct sh_rsp r;
    setup_iap();
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(slow_sync(57600), 0);
    CHECK_EQ(sim_baud, 115200);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &r), PROTO_OK);
    sim_ms += 5000; /* the native host is gone: a slower stm32flash may come */
    sh_poll();
    CHECK_EQ(slow_sync(57600), 1);
    CHECK_EQ(in[0], ACK);
}

TEST(a_native_frame_right_after_a_slower_0x7f_shape_is_served_at_the_boot_rate)
{
    struct sh_rsp r;
    setup_iap();
    CHECK_EQ(xfer("\xfe", 1), 0);
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, &r), PROTO_OK);
    sim_ms += 3;
    CHECK_EQ(idle(), 0);
    CHECK_EQ(sim_baud, 115200);
}

TEST(a_0x7f_at_the_boot_rate_before_the_switch_wins)
{
    /* noise shaped like a slower 0x7F, then a host at 115200: its 0x7F is answered at 115200 */
    setup_iap();
    CHECK_EQ(xfer("\xe0", 1), 0);
    CHECK_EQ(xfer("\x7f", 1), 1);
    CHECK_EQ(in[0], ACK);
    sim_ms += 3;
    CHECK_EQ(idle(), 0);
    CHECK_EQ(sim_baud, 115200);
    CHECK_EQ(cmd(0x02), 5);
}

TEST(a_slower_0x7f_shape_in_the_listening_window_is_noise)
{
    sim_reset(64 * 1024);
    session_init();
    sh_image(img, 1024, 7);
    CHECK_EQ(sh_update(img, 1024, 1, 1024, 1), PROTO_OK);
    session_init();
    sim_uart_put_at(100, "\xfe\xfe", 2);
    sim_ms_step = 1;
    CHECK_EQ(boot_decide(300), BOOT_APP);
    CHECK_EQ(sim_uart_get(in, sizeof in), 0);
    CHECK_EQ(sim_baud, 115200);
}

int main(void)
{
    RUN(sync_is_acked_and_enters_iap_mode);
    RUN(get_lists_the_f1_commands_with_erase_0x43);
    RUN(get_version_and_get_id_report_0x410);
    RUN(wrong_complement_is_nacked);
    RUN(protection_extended_erase_and_unknown_commands_are_nacked);
    RUN(write_then_read_back);
    RUN(write_with_bad_checksum_is_nacked_and_not_written);
    RUN(write_outside_the_application_area_is_nacked);
    RUN(reads_of_the_bootloader_or_outside_flash_are_nacked);
    RUN(read_count_with_wrong_complement_is_nacked);
    RUN(address_with_wrong_checksum_is_nacked);
    RUN(page_erase_erases_the_listed_pages_only);
    RUN(page_erase_touching_the_bootloader_or_record_is_refused_whole);
    RUN(page_erase_with_bad_checksum_is_nacked);
    RUN(global_erase_erases_the_application_area_only);
    RUN(go_commits_the_written_image_and_starts_it);
    RUN(go_to_flash_start_or_zero_means_the_application);
    RUN(go_elsewhere_is_nacked);
    RUN(go_with_an_image_that_is_no_program_is_nacked_and_stays);
    RUN(write_of_a_vector_table_that_is_no_program_is_nacked);
    RUN(go_without_any_application_is_nacked);
    RUN(erase_starts_a_new_image_so_go_commits_only_what_follows);
    RUN(flash_failure_is_nacked_and_blinks);
    RUN(sync_again_between_commands_is_acked);
    RUN(a_command_cut_short_is_forgotten_after_a_second);
    RUN(a_native_frame_takes_the_line_between_commands);
    RUN(silence_frees_the_line_for_other_protocols);
    RUN(sync_in_the_listening_window_enters_iap_mode);
    RUN(a_0x7f_at_a_lower_rate_reads_as_0xff_shifted_by_the_start_bit);
    RUN(a_slower_hosts_0x7f_is_acked_at_its_rate_once_the_line_is_quiet);
    RUN(an_auto_bauded_session_writes_reads_and_goes);
    RUN(no_command_within_a_second_of_an_auto_baud_goes_back_to_the_boot_rate);
    RUN(an_auto_bauded_session_keeps_its_rate_past_the_native_step_up_timeout);
    RUN(an_auto_bauded_session_ends_at_the_boot_rate);
    RUN(a_garbled_command_at_an_auto_bauded_rate_goes_back_to_the_boot_rate);
    RUN(a_wrong_complement_at_the_boot_rate_keeps_the_session);
    RUN(other_bytes_are_no_slower_0x7f);
    RUN(a_slower_0x7f_shape_between_native_frames_does_not_move_the_rate);
    RUN(a_native_frame_right_after_a_slower_0x7f_shape_is_served_at_the_boot_rate);
    RUN(a_0x7f_at_the_boot_rate_before_the_switch_wins);
    RUN(a_slower_0x7f_shape_in_the_listening_window_is_noise);
    return test_summary();
}
