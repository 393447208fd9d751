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
    return test_summary();
}
