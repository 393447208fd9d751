/* YMODEM session: the menu, 'C' requests, 128- and 1024-byte blocks, header size, wrapping block
 * numbers, duplicates, errors, cancel in both directions, and sharing the line. */
#include "boot.h"
#include "flashmgr.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "test.h"
#include "ymodem.h"

#define APP PROTO_APP_START

static uint8_t img[48 * 1024];
static uint8_t in[4096];
static size_t got;

static size_t xfer(const void *out, size_t len)
{
    sim_uart_put(out, len);
    sh_poll();
    got = sim_uart_get(in, sizeof in);
    return got;
}

static bool saw(uint8_t b)
{
    for (size_t i = 0; i < got; i++)
        if (in[i] == b)
            return true;
    return false;
}

static void setup(void)
{
    sim_reset(64 * 1024);
    session_init();
    session_enter_iap(); /* no app: IAP mode */
    sh_seq = 0;
}

/* Sends one block (len 128 or 1024, data padded with SUB); returns the device's answer. */
static size_t block(uint8_t no, const uint8_t *d, size_t n, size_t len)
{
    static uint8_t b[3 + 1024 + 2];
    b[0] = len == 128 ? YM_SOH : YM_STX;
    b[1] = no;
    b[2] = (uint8_t)~no;
    memset(b + 3, 0x1A, len);
    if (n)
        memcpy(b + 3, d, n);
    uint16_t crc = ym_crc16(b + 3, len);
    b[3 + len] = (uint8_t)(crc >> 8);
    b[4 + len] = (uint8_t)crc;
    return xfer(b, len + 5);
}

static size_t header(const char *text, size_t textlen)
{
    uint8_t h[128] = {0};
    memcpy(h, text, textlen);
    return block(0, h, 128, 128);
}

static size_t header_for(size_t size)
{
    char h[64];
    int n = snprintf(h, sizeof h, "app.bin%c%zu 14712345670 100644", 0, size);
    return header(h, (size_t)n);
}

/* Menu '1', header, data in blocks of blk bytes, EOT twice. Returns false on any surprise. */
static bool send_file(const uint8_t *d, size_t size, size_t blk)
{
    xfer("1", 1);
    if (got != 1 || in[0] != YM_CRC)
        return false;
    header_for(size);
    if (got != 2 || in[0] != YM_ACK || in[1] != YM_CRC)
        return false;
    uint8_t no = 1;
    for (size_t off = 0; off < size; off += blk, no++) {
        block(no, d + off, size - off < blk ? size - off : blk, blk);
        if (got != 1 || in[0] != YM_ACK)
            return false;
    }
    xfer("\x04", 1);
    if (got != 1 || in[0] != YM_NAK)
        return false;
    xfer("\x04", 1);
    return got == 2 && in[0] == YM_ACK && in[1] == YM_CRC;
}

static void end_batch(void *arg)
{
    (void)arg;
    header("", 0);
}

TEST(menu_on_enter_in_iap_mode)
{
    setup();
    xfer("\r", 1);
    CHECK(got > 20);
    CHECK(memmem(in, got, "1 = download", 12) != NULL);
}

TEST(keys_outside_iap_mode_are_ignored)
{
    sim_reset(64 * 1024);
    session_init(); /* the listening window: not in IAP mode yet */
    CHECK_EQ(xfer("\r1", 2), 0);
    CHECK(!session_in_iap());
}

TEST(app_update_line_then_native_sync_is_answered)
{
    struct sh_rsp r;
    setup();
    xfer(PROTO_APP_UPDATE_CMD, sizeof PROTO_APP_UPDATE_CMD - 1);
    CHECK(!saw(YM_CRC) || memmem(in, got, "1 =", 3)); /* menu text only, no download */
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &r), PROTO_OK);
}

TEST(stm32flash_sync_after_the_menu_is_answered)
{
    setup();
    xfer("\r", 1);
    CHECK_EQ(xfer("\x7f", 1), 1);
    CHECK_EQ(in[0], 0x79);
}

TEST(download_asks_with_c_every_second_and_gives_up_after_a_minute)
{
    setup();
    CHECK_EQ(xfer("1", 1), 1);
    CHECK_EQ(in[0], YM_CRC);
    sim_ms += 999;
    CHECK_EQ(xfer("", 0), 0);
    sim_ms += 1;
    CHECK_EQ(xfer("", 0), 1);
    CHECK_EQ(in[0], YM_CRC);
    int cs = 1;
    for (int i = 0; i < 70; i++) {
        sim_ms += 1000;
        xfer("", 0);
        cs += saw(YM_CRC);
    }
    CHECK_EQ(cs, 60);
    CHECK(saw(YM_CAN) || got == 0);
    CHECK(session_in_iap());
}

TEST(native_frame_while_waiting_for_a_sender_takes_the_line)
{
    struct sh_rsp r;
    setup();
    xfer("1", 1);
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, &r), PROTO_OK);
    sim_ms += 5000;
    CHECK_EQ(xfer("", 0), 0); /* no more 'C' */
}

/* Issue 11: sx (plain XMODEM) sends block 1 with no header. It was NAKed, and the receiver then
 * took 0xA5 and 0x7F for noise and restarted its timer on every byte: a host that kept probing
 * was locked out. Now the block is cancelled and the line is free at once. */
TEST(xmodem_block_without_a_header_is_cancelled_and_frees_the_line)
{
    struct sh_rsp r;
    setup();
    sh_image(img, 1024, 2);
    xfer("1", 1);
    block(1, img, 128, 128);
    CHECK(got >= 2 && in[0] == YM_CAN);
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(sim_ops, 0);
}

TEST(xmodem_retries_of_block_1_never_lock_out_stm32flash)
{
    setup();
    sh_image(img, 1024, 2);
    xfer("1", 1);
    for (int i = 0; i < 10; i++) /* sx retries until "Retry Count Exceeded" */
        block(1, img, 128, 128);
    static const uint8_t init = 0x7F;
    xfer(&init, 1);
    CHECK(got == 1 && in[0] == 0x79); /* AN3155 ACK */
}

TEST(native_frame_after_a_sender_vanished_mid_file_takes_the_line_within_a_second)
{
    struct sh_rsp r;
    setup();
    sh_image(img, 4096, 3);
    xfer("1", 1);
    header_for(4096);
    block(1, img, 1024, 1024);
    CHECK(got == 1 && in[0] == YM_ACK);
    static const uint8_t noise[] = {0xA5, 0x00, 0x7F}; /* within the gap: the sender's noise */
    xfer(noise, sizeof noise);
    sim_ms += 1000;
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, &r), PROTO_OK);
}

TEST(transfer_with_1k_blocks_commits_and_starts_the_app)
{
    struct proto_record rec;
    setup();
    sh_image(img, 5000, 1);
    CHECK(send_file(img, 5000, 1024));
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.size, 5000); /* the header's size: no SUB padding */
    CHECK_EQ(rec.image_crc, proto_crc32(0, img, 5000));
    CHECK_EQ(sim_run(end_batch, NULL), SIM_JUMPED);
    CHECK_EQ(sim_jump_addr, APP);
    CHECK(saw(YM_ACK));
}

TEST(transfer_with_128_byte_blocks_and_odd_size)
{
    struct proto_record rec;
    setup();
    sh_image(img, 1001, 2);
    CHECK(send_file(img, 1001, 128));
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.size, 1001);
    CHECK_EQ(rec.image_crc, proto_crc32(0, img, 1001));
}

TEST(block_numbers_wrap_past_255)
{
    struct proto_record rec;
    setup();
    sh_image(img, 40000, 3); /* 313 blocks of 128 bytes */
    CHECK(send_file(img, 40000, 128));
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.size, 40000);
    CHECK_EQ(rec.image_crc, proto_crc32(0, img, 40000));
}

TEST(mixed_block_sizes_as_sb_sends_them)
{
    struct proto_record rec;
    setup();
    sh_image(img, 2300, 4);
    xfer("1", 1);
    header_for(2300);
    CHECK_EQ(block(1, img, 1024, 1024), 1);
    CHECK_EQ(block(2, img + 1024, 1024, 1024), 1);
    CHECK_EQ(block(3, img + 2048, 128, 128), 1);
    CHECK_EQ(block(4, img + 2176, 124, 128), 1);
    xfer("\x04", 1);
    xfer("\x04", 1);
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.image_crc, proto_crc32(0, img, 2300));
}

TEST(corrupt_block_is_naked_then_the_resend_is_taken)
{
    static uint8_t b[3 + 128 + 2];
    setup();
    sh_image(img, 256, 5);
    xfer("1", 1);
    header_for(256);
    b[0] = YM_SOH;
    b[1] = 1;
    b[2] = 0xFE;
    memcpy(b + 3, img, 128);
    CHECK_EQ(xfer(b, sizeof b), 1); /* CRC 0: wrong */
    CHECK_EQ(in[0], YM_NAK);
    b[2] = 0xFD; /* wrong complement */
    CHECK_EQ(xfer(b, sizeof b), 1);
    CHECK_EQ(in[0], YM_NAK);
    CHECK_EQ(block(1, img, 128, 128), 1);
    CHECK_EQ(in[0], YM_ACK);
}

TEST(repeated_block_is_acked_and_not_rewritten)
{
    setup();
    sh_image(img, 2048, 6);
    xfer("1", 1);
    header_for(2048);
    block(1, img, 1024, 1024);
    long ops = sim_ops;
    CHECK_EQ(block(1, img, 1024, 1024), 1);
    CHECK_EQ(in[0], YM_ACK);
    CHECK_EQ(sim_ops, ops);
    CHECK_EQ(block(2, img + 1024, 1024, 1024), 1);
    CHECK_EQ(in[0], YM_ACK);
}

TEST(repeated_header_is_acked_with_c_again)
{
    setup();
    xfer("1", 1);
    header_for(100);
    CHECK_EQ(header_for(100), 2);
    CHECK_EQ(in[0], YM_ACK);
    CHECK_EQ(in[1], YM_CRC);
}

TEST(skipped_block_cancels)
{
    setup();
    sh_image(img, 4096, 7);
    xfer("1", 1);
    header_for(4096);
    block(1, img, 1024, 1024);
    block(3, img, 1024, 1024);
    CHECK(got >= 2 && in[0] == YM_CAN && in[1] == YM_CAN);
}

TEST(file_larger_than_the_application_area_is_refused_before_any_erase)
{
    setup();
    xfer("1", 1);
    header_for(0x0800FC00u - APP + 2);
    CHECK(got >= 2 && in[0] == YM_CAN && in[1] == YM_CAN);
    CHECK_EQ(sim_ops, 0);
    xfer("1", 1); /* exactly the area: accepted */
    CHECK_EQ(header_for(0x0800FC00u - APP), 2);
    CHECK_EQ(in[0], YM_ACK);
}

TEST(header_without_size_is_refused)
{
    setup();
    xfer("1", 1);
    header("name.bin", 9);
    CHECK(got >= 2 && in[0] == YM_CAN);
    CHECK_EQ(sim_ops, 0);
}

TEST(sender_cancel_leaves_iap_mode_and_a_new_download_works)
{
    struct proto_record rec;
    setup();
    sh_image(img, 3000, 8);
    xfer("1", 1);
    header_for(3000);
    block(1, img, 1024, 1024);
    CHECK_EQ(xfer("\x18\x18\x18\x08\x08", 5), 0);
    CHECK(session_in_iap());
    CHECK(sim_led);
    sim_ms += 10000;
    CHECK_EQ(xfer("", 0), 0); /* no more requests */
    sh_image(img, 3000, 9);  /* a different image onto the same pages */
    CHECK(send_file(img, 3000, 1024));
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.image_crc, proto_crc32(0, img, 3000));
}

TEST(sender_cancel_inside_a_block_is_seen_when_the_line_falls_silent)
{
    static const uint8_t canit[] = {0x02, 0x02, 0xFD, 1, 2, 3, 0x18, 0x18, 0x18, 0x18, 0x18,
                                    0x18, 0x18, 0x18, 0x18, 0x18, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
    setup();
    sh_image(img, 3000, 13);
    xfer("1", 1);
    header_for(3000);
    block(1, img, 1024, 1024);
    CHECK_EQ(xfer(canit, sizeof canit), 0); /* lrzsz killed in the middle of block 2 */
    sim_ms += 1000;
    CHECK_EQ(xfer("", 0), 0); /* no NAK: cancelled */
    CHECK(send_file(img, 3000, 1024));
}

TEST(image_that_is_no_program_is_refused_at_eot)
{
    setup();
    sh_image(img, 2048, 5);
    proto_put32(img + 4, PROTO_APP_START + 0x1001); /* reset vector past the 2 KB image */
    xfer("1", 1);
    header_for(2048);
    block(1, img, 1024, 1024);
    block(2, img + 1024, 1024, 1024);
    xfer("\x04", 1);
    xfer("\x04", 1);
    CHECK(got >= 2 && in[0] == YM_CAN);
    CHECK(!fm_app_valid(NULL));
    CHECK(session_in_iap());
}

/* Issue 11: a file that is not firmware is refused at its first block, before anything (the
 * record page of a working application) is erased. */
TEST(file_that_is_no_firmware_is_cancelled_at_its_first_block)
{
    setup();
    memset(img, 'x', 2048);
    long ops = sim_ops;
    xfer("1", 1);
    header_for(2048);
    block(1, img, 1024, 1024);
    CHECK(got >= 2 && in[0] == YM_CAN);
    CHECK_EQ(sim_ops, ops);
    CHECK(session_in_iap());
}

TEST(block_cut_short_is_naked_after_a_second)
{
    setup();
    sh_image(img, 1024, 10);
    xfer("1", 1);
    header_for(1024);
    xfer("\x02\x01\xfe\x00", 4);
    sim_ms += 1000;
    CHECK_EQ(xfer("", 0), 1);
    CHECK_EQ(in[0], YM_NAK);
    CHECK_EQ(block(1, img, 1024, 1024), 1);
    CHECK_EQ(in[0], YM_ACK);
}

TEST(silent_sender_is_asked_again_with_c_then_cancelled)
{
    setup();
    sh_image(img, 2048, 11);
    xfer("1", 1);
    header_for(2048);
    block(1, img, 1024, 1024);
    int cs = 0, cancels = 0;
    for (int i = 0; i < 10; i++) {
        sim_ms += 5000;
        xfer("", 0);
        cs += got == 1 && in[0] == YM_CRC;
        cancels += saw(YM_CAN);
    }
    CHECK_EQ(cs, 6);
    CHECK_EQ(cancels, 1);
    CHECK(session_in_iap());
}

TEST(a_new_sender_after_one_that_vanished_starts_over)
{
    struct proto_record rec;
    setup();
    sh_image(img, 4096, 14);
    xfer("1", 1);
    header_for(4096);
    block(1, img, 1024, 1024); /* then the sender dies without a word */
    sim_ms += 5000;
    CHECK_EQ(xfer("", 0), 1);
    CHECK_EQ(in[0], YM_CRC); /* what a new sender waits for */
    sh_image(img, 3000, 15);
    CHECK_EQ(header_for(3000), 2);
    CHECK_EQ(in[0], YM_ACK);
    CHECK_EQ(in[1], YM_CRC);
    for (uint8_t no = 1; no <= 3; no++)
        CHECK_EQ(block(no, img + (no - 1) * 1024, no < 3 ? 1024 : 952, 1024), 1);
    xfer("\x04", 1);
    xfer("\x04", 1);
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.image_crc, proto_crc32(0, img, 3000));
}

TEST(repeat_of_block_256_is_acked_without_c)
{
    setup();
    sh_image(img, 256 * 128 + 256, 16);
    xfer("1", 1);
    header_for(256 * 128 + 256);
    for (unsigned i = 1; i <= 256; i++)
        CHECK_EQ(block((uint8_t)i, img + (i - 1) * 128, 128, 128), 1);
    CHECK_EQ(block(0, img + 255 * 128, 128, 128), 1); /* block 256 again */
    CHECK_EQ(in[0], YM_ACK);
    CHECK_EQ(block(1, img + 256 * 128, 128, 128), 1); /* block 257 */
    CHECK_EQ(in[0], YM_ACK);
}

/* Types the NUL-terminated keys in arg. */
static void type_keys(void *arg) { xfer(arg, strlen(arg)); }

static void press_2(void *arg)
{
    (void)arg;
    xfer("\r2\r", 3);
}

/* A valid application, put there by a native update: the line is busy with a native host. */
static void app_by_native_update(uint32_t seed)
{
    setup();
    sh_image(img, 2048, seed);
    CHECK_EQ(sh_update(img, 2048, 1, 1024, 1), PROTO_OK);
}

/* WRITE frames of a new image, a second apart, each after the menu's run sequence in every
 * spelling, then COMMIT; *arg = PROTO_OK when the update completed. */
static void update_with_keys_between_frames(void *arg)
{
    static const char *const keys[] = {"\r2\r", "\r\n2\r\n", "2", "\r", "2\r", "\r2\r\r2\r"};
    static uint8_t p[8 + 1024];
    int *rc = arg;
    sh_image(img, 6144, 41);
    *rc = sh_cmd(PROTO_CMD_SYNC, NULL, 0, NULL);
    for (uint32_t off = 0; *rc == PROTO_OK && off < 6144; off += 1024) {
        const char *k = keys[off / 1024];
        sim_uart_put(k, strlen(k));
        sim_ms += 1000;
        proto_put32(p, APP + off);
        proto_put32(p + 4, 0);
        memcpy(p + 8, img + off, 1024);
        *rc = sh_cmd(PROTO_CMD_WRITE, p, sizeof p, NULL);
    }
    if (*rc == PROTO_OK)
        *rc = sh_commit(6144, proto_crc32(0, img, 6144), 2);
}

TEST(menu_keys_between_native_frames_start_nothing_and_the_update_completes)
{
    struct proto_record rec;
    int rc = -1;
    app_by_native_update(40);
    CHECK_EQ(sim_run(update_with_keys_between_frames, &rc), SIM_RETURNED);
    CHECK_EQ(rc, PROTO_OK);
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.version, 2);
    CHECK_EQ(rec.image_crc, proto_crc32(0, img, 6144));
    CHECK(session_in_iap());
}

/* A WRITE whose length field was hit: the device drops its header and the data, which holds
 * the run sequence, reaches the menu byte by byte (what the line-fault test found). */
static void corrupt_frame_then_update(void *arg)
{
    static uint8_t p[8 + 512], f[PROTO_MAX_FRAME];
    int *rc = arg;
    proto_put32(p, APP);
    proto_put32(p + 4, 0);
    for (size_t i = 8; i < sizeof p; i += 4)
        memcpy(p + i, "\r2\r ", 4);
    size_t n = sh_frame(f, PROTO_CMD_WRITE, sh_seq, p, sizeof p);
    f[4] ^= 0x80; /* length 0x8208: above PROTO_MAX_PAYLOAD */
    sim_uart_put(f, n);
    sh_poll();
    sh_count_rsp(); /* its NAK */
    sh_image(img, 2048, 43);
    *rc = sh_update(img, 2048, 3, 1024, 1);
}

TEST(corrupt_native_frame_reaching_the_menu_starts_nothing)
{
    struct proto_record rec;
    int rc = -1;
    app_by_native_update(42);
    CHECK_EQ(sim_run(corrupt_frame_then_update, &rc), SIM_RETURNED);
    CHECK_EQ(rc, PROTO_OK);
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.version, 3);
}

TEST(menu_run_works_again_5s_after_the_last_native_frame)
{
    app_by_native_update(44);
    CHECK_EQ(sim_run(press_2, NULL), SIM_RETURNED);
    CHECK(!memmem(in, got, "1 = download", 12)); /* no menu either */
    sim_ms += 4999;
    CHECK_EQ(sim_run(press_2, NULL), SIM_RETURNED);
    sim_ms += 1;
    CHECK_EQ(sim_run(press_2, NULL), SIM_JUMPED);
    CHECK_EQ(sim_jump_addr, APP);
}

TEST(menu_run_needs_enter_2_enter_on_a_quiet_line)
{
    app_by_native_update(45);
    sim_ms += 5000;
    CHECK_EQ(sim_run(type_keys, "2"), SIM_RETURNED);
    CHECK_EQ(sim_run(type_keys, "2\r"), SIM_RETURNED); /* the 2 did not start a line: menu */
    CHECK(memmem(in, got, "1 = download", 12) != NULL);
    CHECK_EQ(sim_run(type_keys, "x2\r"), SIM_RETURNED);
    CHECK_EQ(sim_run(type_keys, "22\r"), SIM_RETURNED);
    CHECK_EQ(sim_run(type_keys, "\r2\x05\r"), SIM_RETURNED); /* a byte that is no key spoils it */
    CHECK_EQ(sim_run(type_keys, "2\r"), SIM_JUMPED);
}

TEST(menu_run_with_crlf_enter)
{
    app_by_native_update(46);
    sim_ms += 5000;
    CHECK_EQ(sim_run(type_keys, "\r\n2\r\n"), SIM_JUMPED);
}

TEST(menu_run_starts_a_valid_app)
{
    setup();
    CHECK_EQ(sim_run(press_2, NULL), SIM_RETURNED); /* no app: the menu stays */
    sh_image(img, 1024, 12);
    CHECK(send_file(img, 1024, 1024));
    xfer("\x18\x18", 2); /* leave the batch without its end block */
    CHECK_EQ(sim_run(press_2, NULL), SIM_JUMPED);
    CHECK_EQ(sim_jump_addr, APP);
}

int main(void)
{
    RUN(menu_on_enter_in_iap_mode);
    RUN(keys_outside_iap_mode_are_ignored);
    RUN(app_update_line_then_native_sync_is_answered);
    RUN(stm32flash_sync_after_the_menu_is_answered);
    RUN(download_asks_with_c_every_second_and_gives_up_after_a_minute);
    RUN(native_frame_while_waiting_for_a_sender_takes_the_line);
    RUN(xmodem_block_without_a_header_is_cancelled_and_frees_the_line);
    RUN(xmodem_retries_of_block_1_never_lock_out_stm32flash);
    RUN(native_frame_after_a_sender_vanished_mid_file_takes_the_line_within_a_second);
    RUN(transfer_with_1k_blocks_commits_and_starts_the_app);
    RUN(transfer_with_128_byte_blocks_and_odd_size);
    RUN(block_numbers_wrap_past_255);
    RUN(mixed_block_sizes_as_sb_sends_them);
    RUN(corrupt_block_is_naked_then_the_resend_is_taken);
    RUN(repeated_block_is_acked_and_not_rewritten);
    RUN(repeated_header_is_acked_with_c_again);
    RUN(skipped_block_cancels);
    RUN(file_larger_than_the_application_area_is_refused_before_any_erase);
    RUN(header_without_size_is_refused);
    RUN(sender_cancel_leaves_iap_mode_and_a_new_download_works);
    RUN(sender_cancel_inside_a_block_is_seen_when_the_line_falls_silent);
    RUN(image_that_is_no_program_is_refused_at_eot);
    RUN(file_that_is_no_firmware_is_cancelled_at_its_first_block);
    RUN(block_cut_short_is_naked_after_a_second);
    RUN(silent_sender_is_asked_again_with_c_then_cancelled);
    RUN(a_new_sender_after_one_that_vanished_starts_over);
    RUN(repeat_of_block_256_is_acked_without_c);
    RUN(menu_run_starts_a_valid_app);
    RUN(menu_keys_between_native_frames_start_nothing_and_the_update_completes);
    RUN(corrupt_native_frame_reaching_the_menu_starts_nothing);
    RUN(menu_run_works_again_5s_after_the_last_native_frame);
    RUN(menu_run_needs_enter_2_enter_on_a_quiet_line);
    RUN(menu_run_with_crlf_enter);
    return test_summary();
}
