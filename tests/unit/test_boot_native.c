/* Native protocol: every command and refusal, framing faults, sequencing and retransmission. */
#include "boot.h"
#include "flashmgr.h"
#include "frame.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "test.h"

#define APP PROTO_APP_START
#define END64 0x0800FC00u

static uint8_t img[16384];
static struct sh_rsp r;

static void setup(void)
{
    sim_reset(64 * 1024);
    session_init();
    sh_seq = 0;
}

static void write_payload(uint8_t *p, uint32_t addr, const void *data, size_t n)
{
    proto_put32(p, addr);
    proto_put32(p + 4, 0);
    memcpy(p + 8, data, n);
}

TEST(info_reports_geometry_window_and_app)
{
    setup();
    struct proto_info info;
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(r.len, sizeof info);
    memcpy(&info, r.data, sizeof info);
    CHECK_EQ(info.proto_version, PROTO_VERSION);
    CHECK_EQ(info.flash_size, 64 * 1024);
    CHECK_EQ(info.app_start, APP);
    CHECK_EQ(info.app_end, END64);
    CHECK_EQ(info.page_size, 1024);
    CHECK_EQ(info.max_data, PROTO_MAX_DATA);
    CHECK_EQ(info.rx_window, 4096 - PROTO_MAX_FRAME);
    CHECK_EQ(info.erase_ms, 40);
    CHECK_EQ(info.app_valid, 0);
    CHECK_EQ(info.listen_ms, BOOT_LISTEN_MS);
    CHECK_EQ(info.uid[11], 0x1B);
    CHECK(sim_led); /* a host spoke: IAP mode */

    sh_image(img, 2048, 1);
    CHECK_EQ(sh_update(img, 2048, 0x10203, 1024, 2), PROTO_OK);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &r), PROTO_OK);
    memcpy(&info, r.data, sizeof info);
    CHECK_EQ(info.app_valid, 1);
    CHECK_EQ(info.app_size, 2048);
    CHECK_EQ(info.app_crc, proto_crc32(0, img, 2048));
    CHECK_EQ(info.app_version, 0x10203);
}

TEST(erase_write_read_crc_round_trip)
{
    setup();
    uint8_t p[PROTO_MAX_PAYLOAD];
    sh_image(img, 1024, 2);
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, APP, 2048, NULL), PROTO_OK);
    write_payload(p, APP + 1024, img, 1024);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 8 + 1024, NULL), PROTO_OK);
    CHECK_EQ(sh_cmd2(PROTO_CMD_READ, APP + 1024, 1024, &r), PROTO_OK);
    CHECK_EQ(r.len, 1024);
    CHECK_MEM(r.data, img, 1024);
    CHECK_EQ(sh_cmd2(PROTO_CMD_CRC, APP + 1024, 1024, &r), PROTO_OK);
    CHECK_EQ(r.len, 4);
    CHECK_EQ(proto_get32(r.data), proto_crc32(0, img, 1024));
    CHECK_EQ(sh_cmd2(PROTO_CMD_CRC, APP, 0, &r), PROTO_OK);
    CHECK_EQ(proto_get32(r.data), 0);
}

TEST(read_and_crc_cover_all_of_flash_only)
{
    setup();
    CHECK_EQ(sh_cmd2(PROTO_CMD_READ, PROTO_FLASH_BASE, 16, &r), PROTO_OK); /* bootloader: harmless */
    CHECK_EQ(sh_cmd2(PROTO_CMD_READ, END64, 24, &r), PROTO_OK);          /* record page */
    CHECK_EQ(sh_cmd2(PROTO_CMD_READ, 0x0800FFF0u, 32, &r), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_READ, 0x07FFFFF0u, 16, &r), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_READ, 0x20000000u, 16, &r), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_READ, APP, PROTO_MAX_DATA + 1, &r), PROTO_E_LEN);
    CHECK_EQ(sh_cmd2(PROTO_CMD_CRC, PROTO_FLASH_BASE, 0x10000, &r), PROTO_OK);
    CHECK_EQ(sh_cmd2(PROTO_CMD_CRC, PROTO_FLASH_BASE, 0x10001, &r), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_CRC, 0xFFFFFFF0u, 0x20, &r), PROTO_E_RANGE);
}

TEST(write_refusals)
{
    setup();
    uint8_t p[PROTO_MAX_PAYLOAD], d[16] = {1, 2, 3, 4};
    write_payload(p, APP - 2, d, 4);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 12, NULL), PROTO_E_RANGE);
    write_payload(p, PROTO_FLASH_BASE, d, 4);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 12, NULL), PROTO_E_RANGE);
    write_payload(p, END64 - 2, d, 4); /* runs into the record page */
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 12, NULL), PROTO_E_RANGE);
    write_payload(p, END64, d, 4);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 12, NULL), PROTO_E_RANGE);
    write_payload(p, 0x08010000u, d, 4);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 12, NULL), PROTO_E_RANGE);
    write_payload(p, 0xFFFFFFFCu, d, 8);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 16, NULL), PROTO_E_RANGE);
    write_payload(p, APP + 1, d, 4);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 12, NULL), PROTO_E_ALIGN);
    write_payload(p, APP, d, 3);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 11, NULL), PROTO_E_ALIGN);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 8, NULL), PROTO_E_LEN); /* no data */
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 4, NULL), PROTO_E_LEN);
    CHECK_EQ(sim_ops, 0); /* nothing touched flash, the old app (if any) survives */
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(erase_refusals)
{
    setup();
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, APP - 1024, 1024, NULL), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, PROTO_FLASH_BASE, 0x10000, NULL), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, END64, 1024, NULL), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, APP, END64 - APP + 1, NULL), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, 0x08010000u, 1024, NULL), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, 0xFFFFFC00u, 0x1000, NULL), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, APP, 0, NULL), PROTO_E_LEN);
    CHECK_EQ(sim_ops, 0);
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, APP, END64 - APP, NULL), PROTO_OK);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(length_and_command_refusals)
{
    setup();
    uint8_t p[16] = {0};
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, p, 1, NULL), PROTO_E_LEN);
    CHECK_EQ(sh_cmd(PROTO_CMD_ERASE, p, 7, NULL), PROTO_E_LEN);
    CHECK_EQ(sh_cmd(PROTO_CMD_READ, p, 9, NULL), PROTO_E_LEN);
    CHECK_EQ(sh_cmd(PROTO_CMD_CRC, p, 4, NULL), PROTO_E_LEN);
    CHECK_EQ(sh_cmd(PROTO_CMD_COMMIT, p, 8, NULL), PROTO_E_LEN);
    CHECK_EQ(sh_cmd(PROTO_CMD_RESET, p, 1, NULL), PROTO_E_LEN);
    CHECK_EQ(sh_cmd(0x00, NULL, 0, NULL), PROTO_E_CMD);
    CHECK_EQ(sh_cmd(PROTO_CMD_SET_BAUD + 1, NULL, 0, NULL), PROTO_E_CMD);
    CHECK_EQ(sh_cmd(0x7F, NULL, 0, NULL), PROTO_E_CMD);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK); /* refusals consumed their seq */
}

TEST(responses_echoed_back_are_ignored)
{
    setup();
    sh_send(PROTO_RSP, 0, "\0", 1);
    sh_poll();
    CHECK_EQ(sh_count_rsp(), 0);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK);
}

TEST(crc_mismatch_gets_one_nak_then_the_resent_frame_runs)
{
    setup();
    uint8_t f[64];
    size_t n = sh_frame(f, PROTO_CMD_INFO, 0, NULL, 0);
    f[n - 1] ^= 1;
    sim_uart_put(f, n);
    sim_uart_put(f, n); /* a second bad frame: no second NAK */
    sh_poll();
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_E_CRC);
    CHECK_EQ(r.seq, 0);
    CHECK_EQ(r.len, 1);
    CHECK_EQ(r.data[0], 0); /* expected seq */
    CHECK_EQ(sh_count_rsp(), 0);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK);
}

TEST(truncated_frame_times_out_and_the_next_frame_runs)
{
    setup();
    uint8_t f[64];
    size_t n = sh_frame(f, PROTO_CMD_INFO, 0, NULL, 0);
    sim_uart_put(f, n - 3);
    sh_poll();
    CHECK_EQ(sh_count_rsp(), 0); /* still waiting for the rest */
    sim_ms += 150;
    sh_poll();
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_E_CRC);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK);
}

TEST(truncated_frame_followed_at_once_by_a_good_one)
{
    setup();
    uint8_t f[2048];
    uint8_t p[PROTO_MAX_PAYLOAD] = {0};
    size_t n = sh_frame(f, PROTO_CMD_WRITE, 0, p, 8 + 512); /* claims 520 bytes of payload */
    sim_uart_put(f, 40);
    sh_send(PROTO_CMD_INFO, 0, NULL, 0);
    (void)n;
    sh_poll();
    sim_ms += 150; /* the long frame never completes: resync finds the INFO inside it */
    sh_poll();
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_E_CRC);
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_OK);
    CHECK_EQ(r.len, sizeof(struct proto_info));
}

TEST(oversized_length_is_refused_and_the_next_frame_runs)
{
    setup();
    uint8_t hdr[5] = {PROTO_SOF, PROTO_CMD_WRITE, 0, 0, 0};
    proto_put16(hdr + 3, PROTO_MAX_PAYLOAD + 1);
    sim_uart_put(hdr, 5);
    sh_send(PROTO_CMD_INFO, 0, NULL, 0);
    sh_poll();
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_E_CRC);
    CHECK_EQ(r.data[0], 0);
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_OK);
    CHECK_EQ(r.seq, 0);
}

TEST(garbage_before_a_frame_is_skipped)
{
    setup();
    static const uint8_t junk[] = {0x00, 0xFF, 0x41, 0x0D, 0x0A, 0xA5, 0xA5, 0x13, 0x37, 0xA5};
    sim_uart_put(junk, sizeof junk);
    sh_send(PROTO_CMD_INFO, 0, NULL, 0);
    sh_poll();
    sim_ms += 150;
    sh_poll();
    struct sh_rsp last;
    int ok = 0;
    while (sh_recv(&last))
        ok += last.status == PROTO_OK && last.len == sizeof(struct proto_info);
    CHECK_EQ(ok, 1);
}

TEST(garbage_sof_with_long_length_does_not_hide_frames_behind_it)
{
    setup();
    uint8_t hdr[5] = {PROTO_SOF, 0x03, 0x00, 0x00, 0x01}; /* claims 256 bytes */
    sim_uart_put(hdr, 5);
    for (int i = 0; i < 20; i++)
        sh_send(PROTO_CMD_INFO, (uint8_t)i, NULL, 0); /* 20 x 9 bytes: complete the bad frame */
    sh_poll();
    sim_ms += 150;
    sh_poll();
    int ok = 0, nak = 0;
    while (sh_recv(&r)) {
        if (r.status == PROTO_OK)
            CHECK_EQ(r.seq, ok++);
        else
            nak++;
    }
    CHECK_EQ(ok, 20);
    CHECK_EQ(nak, 1);
}

TEST(duplicate_of_last_frame_gets_stored_response_and_is_not_executed)
{
    setup();
    uint8_t d[4] = {1, 2, 3, 4}, p[16];
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, APP, 1024, NULL), PROTO_OK);
    write_payload(p, APP, d, 4);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, p, 12, NULL), PROTO_OK);
    /* the host lost the ERASE response and resends ERASE(seq 0): it must not wipe the write */
    long ops = sim_ops;
    uint8_t e[8];
    proto_put32(e, APP);
    proto_put32(e + 4, 1024);
    sh_send(PROTO_CMD_ERASE, 1, p, 12); /* seq 1 again: the WRITE */
    sh_send(PROTO_CMD_ERASE, 0, e, 8);  /* seq 0: the ERASE */
    sh_poll();
    CHECK(sh_recv(&r));
    CHECK_EQ(r.seq, 1);
    CHECK_EQ(r.status, PROTO_OK);
    CHECK(sh_recv(&r));
    CHECK_EQ(r.seq, 1); /* the last response acks everything up to seq 1 */
    CHECK_EQ(sim_ops, ops);
    CHECK_MEM(sim_flash_at(APP), d, 4);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK); /* seq 2 runs */
}

TEST(gap_gets_one_seq_nak_then_silence_until_expected_arrives)
{
    setup();
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK); /* seq 0 */
    for (uint8_t s = 2; s < 8; s++)
        sh_send(PROTO_CMD_INFO, s, NULL, 0);
    sh_poll();
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_E_SEQ);
    CHECK_EQ(r.seq, 1);
    CHECK_EQ(r.data[0], 1);
    CHECK_EQ(sh_count_rsp(), 0);
    for (uint8_t s = 1; s < 8; s++) /* go back N */
        sh_send(PROTO_CMD_INFO, s, NULL, 0);
    sh_poll();
    for (uint8_t s = 1; s < 8; s++) {
        CHECK(sh_recv(&r));
        CHECK_EQ(r.seq, s);
        CHECK_EQ(r.status, PROTO_OK);
    }
    sh_send(PROTO_CMD_INFO, 20, NULL, 0); /* a new gap after progress: a new NAK */
    sh_poll();
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_E_SEQ);
    CHECK_EQ(r.data[0], 8);
}

TEST(seq_far_behind_is_a_gap_not_a_duplicate)
{
    setup();
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK);
    sh_send(PROTO_CMD_INFO, 200, NULL, 0); /* 57 behind 1 */
    sh_poll();
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_E_SEQ);
}

TEST(sync_restarts_the_sequence)
{
    setup();
    sh_send(PROTO_CMD_INFO, 77, NULL, 0);
    sh_poll();
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_E_SEQ);
    sh_seq = 200;
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, NULL), PROTO_OK);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK);
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, "x", 1, NULL), PROTO_E_LEN); /* runs as a SYNC with a bad length */
}

TEST(sequence_wraps_at_256)
{
    setup();
    for (int i = 0; i < 600; i++)
        CHECK_EQ(sh_cmd(PROTO_CMD_CRC, (const uint8_t[8]){0, 0x20, 0, 8, 0, 0, 0, 0}, 8, NULL), PROTO_OK);
}

/* Go-back-N with a window: frame k of a burst is lost, the host resends from the NAK's seq. */
TEST(lost_frame_in_window_is_recovered_by_go_back_n)
{
    setup();
    uint8_t p[PROTO_MAX_PAYLOAD];
    sh_image(img, 8192, 5);
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, NULL), PROTO_OK);
    uint8_t base = sh_seq;
    for (int i = 0; i < 8; i++) {
        if (i == 3)
            continue; /* lost on the line */
        write_payload(p, APP + (uint32_t)i * 1024, img + i * 1024, 1024);
        sh_send(PROTO_CMD_WRITE, (uint8_t)(base + i), p, 8 + 1024);
    }
    sh_poll();
    for (int i = 0; i < 3; i++) {
        CHECK(sh_recv(&r));
        CHECK_EQ(r.status, PROTO_OK);
    }
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_E_SEQ);
    CHECK_EQ(r.data[0], (uint8_t)(base + 3));
    CHECK_EQ(sh_count_rsp(), 0);
    for (int i = 3; i < 8; i++) {
        write_payload(p, APP + (uint32_t)i * 1024, img + i * 1024, 1024);
        sh_send(PROTO_CMD_WRITE, (uint8_t)(base + i), p, 8 + 1024);
    }
    sh_poll();
    for (int i = 3; i < 8; i++) {
        CHECK(sh_recv(&r));
        CHECK_EQ(r.seq, (uint8_t)(base + i));
        CHECK_EQ(r.status, PROTO_OK);
    }
    sh_seq = (uint8_t)(base + 8);
    CHECK_EQ(sh_commit(8192, proto_crc32(0, img, 8192), 1), PROTO_OK);
}

/* Lost responses: the host resends from its first unacknowledged frame; executed frames are
 * answered with the stored last response and never run again (no flash operation). */
TEST(lost_responses_resend_does_not_reexecute)
{
    setup();
    uint8_t p[PROTO_MAX_PAYLOAD];
    sh_image(img, 8192, 6);
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, NULL), PROTO_OK);
    uint8_t base = sh_seq;
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, APP, 8192, NULL), PROTO_OK);
    for (int i = 0; i < 8; i++) {
        write_payload(p, APP + (uint32_t)i * 1024, img + i * 1024, 1024);
        sh_send(PROTO_CMD_WRITE, (uint8_t)(base + 1 + i), p, 8 + 1024);
    }
    sh_poll();
    CHECK_EQ(sh_count_rsp(), 8); /* ... all lost on the way back */
    long ops = sim_ops;
    sh_send(PROTO_CMD_ERASE, base, (const uint8_t[8]){0, 0x20, 0, 8, 0, 0x20, 0, 0}, 8);
    for (int i = 0; i < 8; i++) {
        write_payload(p, APP + (uint32_t)i * 1024, img + i * 1024, 1024);
        sh_send(PROTO_CMD_WRITE, (uint8_t)(base + 1 + i), p, 8 + 1024);
    }
    sh_poll();
    for (int i = 0; i < 9; i++) {
        CHECK(sh_recv(&r));
        CHECK_EQ(r.seq, (uint8_t)(base + 8));
        CHECK_EQ(r.status, PROTO_OK);
    }
    CHECK_EQ(sim_ops, ops);
    sh_seq = (uint8_t)(base + 9);
    CHECK_EQ(sh_commit(8192, proto_crc32(0, img, 8192), 1), PROTO_OK);
}

TEST(full_update_with_window_in_flight)
{
    setup();
    sh_image(img, sizeof img, 7);
    CHECK_EQ(sh_update(img, sizeof img, 1, 1024, 3), PROTO_OK);
    CHECK(fm_app_valid(NULL));
    CHECK_MEM(sim_flash_at(APP), img, sizeof img);
    sh_image(img, 10000, 8); /* small frames, a wide window */
    CHECK_EQ(sh_update(img, 10000, 2, 64, 32), PROTO_OK);
    struct proto_record rec;
    CHECK(fm_app_valid(&rec));
    CHECK_EQ(rec.version, 2);
    CHECK_EQ(sim_pgerr, 0);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(update_on_128k_flash_up_to_the_record_page)
{
    sim_reset(128 * 1024);
    session_init();
    sh_seq = 0;
    uint8_t d[1024];
    memset(d, 0x5A, sizeof d);
    CHECK_EQ(sh_write(0x0801F800u, d, 1024), PROTO_OK);
    CHECK_EQ(sh_write(0x0801FC00u, d, 2), PROTO_E_RANGE);
}

TEST(commit_refusals_blink_the_led)
{
    setup();
    sh_image(img, 4096, 9);
    uint32_t crc = proto_crc32(0, img, 4096);
    CHECK_EQ(sh_write(APP, img, 4096), PROTO_OK);
    CHECK_EQ(sh_commit(4096, crc + 1, 1), PROTO_E_IMAGE_CRC);
    CHECK(!fm_app_valid(NULL));
    int on = 0;
    for (int t = 0; t < 800; t += 10) {
        sim_ms = 10000 + (uint32_t)t;
        session_poll();
        on += sim_led;
    }
    CHECK(on > 10 && on < 40); /* two short flashes per 800 ms */
}

TEST(commit_with_bad_vectors_is_refused)
{
    setup();
    sh_image(img, 4096, 9);
    proto_put32(img + 4, APP + 0x2001); /* reset vector past the image's 4 KB */
    CHECK_EQ(sh_write(APP, img, 4096), PROTO_OK);
    CHECK_EQ(sh_commit(4096, proto_crc32(0, img, 4096), 1), PROTO_E_VECTOR);
    CHECK(!fm_app_valid(NULL));
}

TEST(a_file_that_is_no_firmware_is_refused_before_the_app_is_erased)
{
    setup();
    sh_image(img, 2048, 8);
    CHECK_EQ(sh_update(img, 2048, 1, 1024, 2), PROTO_OK);
    memset(img, 'x', 1024); /* a text file sent as an image */
    long ops = sim_ops;
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, NULL), PROTO_OK);
    CHECK_EQ(sh_write(APP, img, 1024), PROTO_E_VECTOR);
    CHECK_EQ(sim_ops, ops);
    CHECK(fm_app_valid(NULL));
}

static void do_reset(void *arg)
{
    (void)arg;
    sh_cmd(PROTO_CMD_RESET, NULL, 0, NULL);
}

TEST(reset_starts_a_valid_app_after_answering)
{
    setup();
    sh_image(img, 4096, 10);
    CHECK_EQ(sh_update(img, 4096, 1, 1024, 4), PROTO_OK);
    CHECK(sim_led);
    int flushes = sim_flushes;
    CHECK_EQ(sim_run(do_reset, NULL), SIM_JUMPED);
    CHECK_EQ(sim_jump_addr, APP);
    CHECK_EQ(sim_flushes, flushes + 1);
    CHECK(!sim_led);
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_OK);
}

TEST(reset_without_valid_app_resets_the_chip)
{
    setup();
    CHECK_EQ(sim_run(do_reset, NULL), SIM_RESET);
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_OK);
}

TEST(flash_failure_blinks_and_is_reported)
{
    setup();
    uint8_t d[2] = {1, 2};
    sim_fail_at(2);
    CHECK_EQ(sh_write(APP, d, 2), PROTO_E_FLASH);
    sim_ms = 5750; /* 150 ms into the pattern: off */
    session_poll();
    CHECK(!sim_led);
    sim_ms = 5850; /* 250 ms: second flash */
    session_poll();
    CHECK(sim_led);
}

/* ---- PAGE_CRCS and WRITE_LZ4 (issue 15) ------------------------------------------------------ */

TEST(page_crcs_are_refused_outside_flash_unaligned_or_too_many)
{
    setup();
    struct sh_rsp a;
    CHECK_EQ(sh_cmd2(PROTO_CMD_PAGE_CRCS, APP, 0, &a), PROTO_E_LEN);
    CHECK_EQ(sh_cmd2(PROTO_CMD_PAGE_CRCS, APP, PROTO_MAX_PAGE_CRCS + 1, &a), PROTO_E_LEN);
    CHECK_EQ(sh_cmd2(PROTO_CMD_PAGE_CRCS, APP + 2, 1, &a), PROTO_E_ALIGN);
    CHECK_EQ(sh_cmd2(PROTO_CMD_PAGE_CRCS, 0x0800FC00u, 2, &a), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_PAGE_CRCS, 0x0800FC00u, 1, &a), PROTO_OK); /* the record page */
    CHECK_EQ(a.len, 4);
    CHECK_EQ(proto_get32(a.data), proto_crc32(0, sim_flash_at(0x0800FC00u), 1024));
    CHECK_EQ(sh_cmd2(PROTO_CMD_PAGE_CRCS, 0x08000000u, 64, &a), PROTO_OK); /* all of flash */
    CHECK_EQ(a.len, 256);
}

/* 64 bytes of 'A' as one LZ4 block: a literal, a match of 58 at offset 1, five literals. */
static const uint8_t lz4_64a[] = {0x1F, 'A', 0x01, 0x00, 39, 0x50, 'A', 'A', 'A', 'A', 'A'};

static int write_lz4(uint32_t addr, uint32_t raw_len, const uint8_t *blk, size_t n)
{
    uint8_t p[8 + 64];
    proto_put32(p, addr);
    proto_put32(p + 4, raw_len);
    memcpy(p + 8, blk, n);
    return sh_cmd(PROTO_CMD_WRITE_LZ4, p, 8 + n, NULL);
}

TEST(write_lz4_writes_the_decoded_bytes)
{
    setup();
    CHECK_EQ(write_lz4(APP + 1024, 64, lz4_64a, sizeof lz4_64a), PROTO_OK);
    for (unsigned i = 0; i < 64; i++)
        CHECK_EQ(*sim_flash_at(APP + 1024 + i), 'A');
    CHECK_EQ(*sim_flash_at(APP + 1024 + 64), 0xFF);
}

TEST(write_lz4_that_does_not_decode_to_its_length_touches_nothing)
{
    setup();
    long ops = sim_ops;
    CHECK_EQ(write_lz4(APP + 1024, 66, lz4_64a, sizeof lz4_64a), PROTO_E_LZ4); /* too short */
    CHECK_EQ(write_lz4(APP + 1024, 62, lz4_64a, sizeof lz4_64a), PROTO_E_LZ4); /* too long */
    CHECK_EQ(write_lz4(APP + 1024, 64, lz4_64a, sizeof lz4_64a - 1), PROTO_E_LZ4); /* cut */
    uint8_t bad[sizeof lz4_64a];
    memcpy(bad, lz4_64a, sizeof bad);
    bad[2] = 2; /* offset before the start of the output */
    CHECK_EQ(write_lz4(APP + 1024, 64, bad, sizeof bad), PROTO_E_LZ4);
    CHECK_EQ(write_lz4(APP + 1024, PROTO_MAX_DATA + 2, lz4_64a, sizeof lz4_64a), PROTO_E_LEN);
    CHECK_EQ(write_lz4(0x08001000u, 64, lz4_64a, sizeof lz4_64a), PROTO_E_RANGE);
    CHECK_EQ(sim_ops, ops);
}

TEST(info_lists_page_crcs_and_lz4)
{
    setup();
    struct sh_rsp a;
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &a), PROTO_OK);
    struct proto_info info;
    CHECK_EQ(proto_info_decode(&info, a.data, a.len), PROTO_OK);
    CHECK_EQ(info.features & (PROTO_FEAT_PAGE_CRCS | PROTO_FEAT_LZ4),
             PROTO_FEAT_PAGE_CRCS | PROTO_FEAT_LZ4);
}

/* ---- SET_BAUD (issue 15) ------------------------------------------------------------------- */

TEST(set_baud_answers_the_exact_rate_then_switches)
{
    setup();
    struct sh_rsp a;
    uint8_t p[4];
    proto_put32(p, 921600);
    CHECK_EQ(sh_cmd(PROTO_CMD_SET_BAUD, p, 4, &a), PROTO_OK);
    CHECK_EQ(a.len, 4);
    CHECK_EQ(proto_get32(a.data), 64000000u / 69u); /* BRR 69: 927536 baud, +0.6 % */
    CHECK_EQ(sim_baud, 927536);
}

TEST(set_baud_beyond_two_percent_is_refused_and_changes_nothing)
{
    setup();
    uint8_t p[4];
    proto_put32(p, 3000000); /* 64 MHz / 21 = 3.05 Mbaud: 1.6 %, taken; 3.9 M: 4 M, refused */
    CHECK_EQ(sh_cmd(PROTO_CMD_SET_BAUD, p, 4, NULL), PROTO_OK);
    CHECK_EQ(sh_cmd(PROTO_CMD_SET_BAUD, (proto_put32(p, 0), p), 4, NULL), PROTO_OK);
    proto_put32(p, 3900000);
    CHECK_EQ(sh_cmd(PROTO_CMD_SET_BAUD, p, 4, NULL), PROTO_E_BAUD);
    proto_put32(p, 5000000);
    CHECK_EQ(sh_cmd(PROTO_CMD_SET_BAUD, p, 4, NULL), PROTO_E_BAUD);
    CHECK_EQ(sim_baud, 115200);
}

TEST(a_new_rate_nobody_confirms_falls_back_to_the_boot_rate)
{
    setup();
    uint8_t p[4];
    proto_put32(p, 2000000);
    CHECK_EQ(sh_cmd(PROTO_CMD_SET_BAUD, p, 4, NULL), PROTO_OK);
    CHECK_EQ(sim_baud, 2000000);
    sim_ms += PROTO_BAUD_CHECK_MS - 1;
    sh_poll();
    CHECK_EQ(sim_baud, 2000000);
    sim_ms += 1;
    sh_poll();
    CHECK_EQ(sim_baud, 115200);
}

TEST(a_confirmed_rate_stays_until_the_line_is_idle)
{
    setup();
    uint8_t p[4];
    proto_put32(p, 1000000);
    CHECK_EQ(sh_cmd(PROTO_CMD_SET_BAUD, p, 4, NULL), PROTO_OK);
    sim_ms += 100;
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK); /* the check exchange */
    sim_ms += PROTO_BAUD_IDLE_MS - 1;
    sh_poll();
    CHECK_EQ(sim_baud, 1000000);
    sim_ms += 1;
    sh_poll();
    CHECK_EQ(sim_baud, 115200);
}

TEST(garbage_after_the_switch_is_no_confirmation)
{
    setup();
    uint8_t p[4];
    proto_put32(p, 460800);
    CHECK_EQ(sh_cmd(PROTO_CMD_SET_BAUD, p, 4, NULL), PROTO_OK);
    static const uint8_t noise[] = {0xA5, 0x13, 0xFE, 0xA5, 0x00, 0xFF, 0x80, 0x7F, 0xA5};
    sim_uart_put(noise, sizeof noise);
    sh_poll();
    sim_ms += PROTO_BAUD_CHECK_MS;
    sh_poll();
    CHECK_EQ(sim_baud, 115200);
    sh_count_rsp();
    CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, NULL), PROTO_OK); /* the boot rate serves again */
}

int main(void)
{
    RUN(info_reports_geometry_window_and_app);
    RUN(erase_write_read_crc_round_trip);
    RUN(read_and_crc_cover_all_of_flash_only);
    RUN(write_refusals);
    RUN(erase_refusals);
    RUN(length_and_command_refusals);
    RUN(responses_echoed_back_are_ignored);
    RUN(crc_mismatch_gets_one_nak_then_the_resent_frame_runs);
    RUN(truncated_frame_times_out_and_the_next_frame_runs);
    RUN(truncated_frame_followed_at_once_by_a_good_one);
    RUN(oversized_length_is_refused_and_the_next_frame_runs);
    RUN(garbage_before_a_frame_is_skipped);
    RUN(garbage_sof_with_long_length_does_not_hide_frames_behind_it);
    RUN(duplicate_of_last_frame_gets_stored_response_and_is_not_executed);
    RUN(gap_gets_one_seq_nak_then_silence_until_expected_arrives);
    RUN(seq_far_behind_is_a_gap_not_a_duplicate);
    RUN(sync_restarts_the_sequence);
    RUN(sequence_wraps_at_256);
    RUN(lost_frame_in_window_is_recovered_by_go_back_n);
    RUN(lost_responses_resend_does_not_reexecute);
    RUN(full_update_with_window_in_flight);
    RUN(update_on_128k_flash_up_to_the_record_page);
    RUN(commit_refusals_blink_the_led);
    RUN(commit_with_bad_vectors_is_refused);
    RUN(a_file_that_is_no_firmware_is_refused_before_the_app_is_erased);
    RUN(reset_starts_a_valid_app_after_answering);
    RUN(reset_without_valid_app_resets_the_chip);
    RUN(flash_failure_blinks_and_is_reported);
    RUN(page_crcs_are_refused_outside_flash_unaligned_or_too_many);
    RUN(write_lz4_writes_the_decoded_bytes);
    RUN(write_lz4_that_does_not_decode_to_its_length_touches_nothing);
    RUN(info_lists_page_crcs_and_lz4);
    RUN(set_baud_answers_the_exact_rate_then_switches);
    RUN(set_baud_beyond_two_percent_is_refused_and_changes_nothing);
    RUN(a_new_rate_nobody_confirms_falls_back_to_the_boot_rate);
    RUN(a_confirmed_rate_stays_until_the_line_is_idle);
    RUN(garbage_after_the_switch_is_no_confirmation);
    return test_summary();
}
