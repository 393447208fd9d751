/* The iap session against the real bootloader core (boot/core on the sim port with its fake F1
 * flash), through a transport that can drop or corrupt frames in either direction. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "flashmgr.h"
#include "session.h" /* the core's session_init/session_poll */
#include "sim.h"
#include "simhost.h"
#include "test.h"

#include "iap_session.h"

#define APP PROTO_APP_START

/* ---- a transport wired to the simulated board ------------------------------------------------ */

struct simt {
    struct iap_transport t;
    bool dead;        /* no board at all */
    bool app_running; /* the board runs the application: frames go unanswered */
    long writes, drop_write, corrupt_write, drop_all_writes_from;
    double stall_until; /* wall-clock seconds: the line carries nothing until then */
    long rsps, drop_rsp;
    int reboots;
    enum sim_exit last_exit;
    long burst, max_burst; /* frames written in a row without an answer read in between */
    unsigned fault_permille; /* random faults: each frame either way dropped or corrupted */
    uint32_t rng;
    long write_frames, lz4_frames; /* WRITE and WRITE_LZ4 frames the host sent */
    uint64_t write_data, wire_data; /* bytes they write, and their data bytes on the wire */
    uint8_t q[1 << 16];
    size_t qn;
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 when a random fault hits this frame (xorshift, seeded per test). */
static bool fault(struct simt *b)
{
    if (!b->fault_permille)
        return false;
    b->rng ^= b->rng << 13;
    b->rng ^= b->rng >> 17;
    b->rng ^= b->rng << 5;
    return b->rng % 1000 < b->fault_permille;
}

static void dev_poll(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100000 && sim_uart_rx_pending(); i++)
        session_poll();
    session_poll();
}

static void run_device(struct simt *b)
{
    enum sim_exit x = sim_run(dev_poll, NULL);
    if (x != SIM_RETURNED) {
        b->last_exit = x;
        b->app_running = x == SIM_JUMPED;
        if (!b->app_running) { /* chip reset without an app: the bootloader again */
            sim_power_cycle();
            session_init();
            session_enter_iap();
        }
    }
}

static int sim_write(struct iap_transport *t, const uint8_t *buf, size_t len, struct iap_err *err)
{
    (void)err;
    struct simt *b = (struct simt *)t;
    long k = b->writes++;
    if (b->dead)
        return 0;
    if (b->app_running) {
        if (len == sizeof PROTO_APP_UPDATE_CMD - 1 && memcmp(buf, PROTO_APP_UPDATE_CMD, len) == 0) {
            /* the template app: leave the request in BKP_DR1 and reset */
            b->reboots++;
            b->app_running = false;
            sim_power_cycle();
            sim_bkp = PROTO_BKP_REQUEST;
            session_init();
            if (boot_decide(BOOT_LISTEN_MS) != BOOT_IAP_REQUEST)
                return -1;
        }
        return 0;
    }
    {
        static uint8_t rb[PROTO_MAX_FRAME + 64];
        struct proto_rx rx;
        struct proto_frame f;
        proto_rx_init(&rx, rb, sizeof rb);
        proto_rx_push(&rx, buf, len);
        if (proto_rx_next(&rx, &f) == PROTO_RX_FRAME && f.len > 8) {
            if (f.type == PROTO_CMD_WRITE) {
                b->write_frames++;
                b->write_data += f.len - 8u;
                b->wire_data += f.len - 8u;
            } else if (f.type == PROTO_CMD_WRITE_LZ4) {
                b->lz4_frames++;
                b->write_data += proto_get32(f.payload + 4);
                b->wire_data += f.len - 8u;
            }
        }
    }
    b->burst++;
    if (b->burst > b->max_burst)
        b->max_burst = b->burst;
    if (k == b->drop_write || (b->drop_all_writes_from >= 0 && k >= b->drop_all_writes_from))
        return 0;
    if (wall_s() < b->stall_until)
        return 0;
    uint8_t tmp[PROTO_MAX_FRAME + 64];
    memcpy(tmp, buf, len);
    if (k == b->corrupt_write)
        tmp[len / 2] ^= 0x10;
    if (fault(b)) {
        if (b->rng & 1)
            return 0; /* dropped */
        tmp[(b->rng >> 8) % len] ^= (uint8_t)(1u << ((b->rng >> 4) % 8));
    }
    sim_uart_put(tmp, len);
    run_device(b);
    return 0;
}

/* Moves the board's output to q, frame by frame, dropping the chosen response. */
static void collect(struct simt *b)
{
    uint8_t buf[PROTO_MAX_FRAME];
    while (sim_uart_pending() >= PROTO_HDR_LEN) {
        sim_uart_get(buf, PROTO_HDR_LEN);
        size_t rest = proto_get16(buf + 3) + PROTO_CRC_LEN;
        sim_uart_get(buf + PROTO_HDR_LEN, rest);
        if (b->rsps++ == b->drop_rsp)
            continue;
        if (fault(b)) {
            if (b->rng & 1)
                continue;
            buf[(b->rng >> 8) % (PROTO_HDR_LEN + rest)] ^= 0x04;
        }
        memcpy(b->q + b->qn, buf, PROTO_HDR_LEN + rest);
        b->qn += PROTO_HDR_LEN + rest;
    }
}

static int sim_read(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                    struct iap_err *err)
{
    (void)err;
    struct simt *b = (struct simt *)t;
    if (!b->dead) {
        collect(b); /* also what the board said just before starting the app */
        if (!b->qn && !b->app_running) { /* let the board's clock run: truncated-frame timer */
            sim_ms += (uint32_t)timeout_ms;
            run_device(b);
            collect(b);
        }
    }
    if (!b->qn) {
        usleep(500);
        return 0;
    }
    size_t n = b->qn < max ? b->qn : max;
    memcpy(buf, b->q, n);
    memmove(b->q, b->q + n, b->qn - n);
    b->qn -= n;
    b->burst = 0;
    return (int)n;
}

static void sim_discard(struct iap_transport *t)
{
    struct simt *b = (struct simt *)t;
    if (!b->dead)
        collect(b);
    b->qn = 0;
}

static void sim_close(struct iap_transport *t) { (void)t; }

static struct simt board;
static struct iap_session s;
static struct iap_err err;
static uint8_t img[48 * 1024], back[48 * 1024];

static const struct iap_session_cfg fast = {
    .baud = 115200, .timeout_ms = 20, .retries = 4, .app_request = false};

static void setup_cfg(const struct iap_session_cfg *cfg)
{
    sim_reset(64 * 1024);
    session_init();
    memset(&board, 0, sizeof board);
    board.t.write = sim_write;
    board.t.read = sim_read;
    board.t.discard = sim_discard;
    board.t.close = sim_close;
    strcpy(board.t.desc, "the simulated board");
    board.drop_write = board.corrupt_write = board.drop_rsp = board.drop_all_writes_from = -1;
    memset(&err, 0, sizeof err);
    iap_session_init(&s, &board.t, cfg, NULL);
}

static void setup(void) { setup_cfg(&fast); }

/* WRITE the image and COMMIT it, as iap flash does. */
static int flash(uint32_t len)
{
    int rc = iap_session_write(&s, APP, img, len, &err);
    return rc ? rc : iap_session_commit(&s, len, proto_crc32(0, img, len), 7, &err);
}

/* ---- tests ----------------------------------------------------------------------------------- */

TEST(connect_reads_the_device_information)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(s.info.proto_version, PROTO_VERSION);
    CHECK_EQ(s.info.app_start, APP);
    CHECK_EQ(s.info.app_end, 0x0800FC00u);
    CHECK_EQ(s.info.max_data, PROTO_MAX_DATA);
    CHECK_EQ(s.info.page_size, 1024);
    CHECK_EQ(s.info.app_valid, 0);
    CHECK(sim_led); /* the board is in IAP mode */
}

TEST(flash_writes_the_image_and_commit_makes_it_valid)
{
    setup();
    sh_image(img, 10000, 1);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(flash(10000), 0);
    CHECK_MEM(sim_flash_at(APP), img, 10000);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(s.info.app_valid, 1);
    CHECK_EQ(s.info.app_size, 10000);
    CHECK_EQ(s.info.app_crc, proto_crc32(0, img, 10000));
    CHECK_EQ(s.info.app_version, 7);
}

TEST(window_keeps_as_many_frames_in_flight_as_the_device_buffers)
{
    setup();
    sh_image(img, 16384, 2);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(iap_session_write(&s, APP, img, 16384, &err), 0);
    /* rx_window 3059 bytes holds two 1037-byte WRITE frames, not three */
    CHECK_EQ(board.max_burst, 2);
}

TEST(window_option_limits_frames_in_flight)
{
    struct iap_session_cfg cfg = fast;
    cfg.window = 1;
    setup_cfg(&cfg);
    sh_image(img, 8192, 3);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(iap_session_write(&s, APP, img, 8192, &err), 0);
    CHECK_EQ(board.max_burst, 1);
}

TEST(lost_write_frame_is_recovered_by_go_back_n)
{
    setup();
    sh_image(img, 12288, 4);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    board.drop_write = board.writes + 3;
    CHECK_EQ(flash(12288), 0);
    CHECK(s.naks + s.timeouts >= 1);
    CHECK_MEM(sim_flash_at(APP), img, 12288);
}

TEST(corrupt_write_frame_gets_a_nak_and_is_resent)
{
    setup();
    sh_image(img, 12288, 5);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    board.corrupt_write = board.writes + 2;
    CHECK_EQ(flash(12288), 0);
    CHECK(s.naks >= 1);
    CHECK_MEM(sim_flash_at(APP), img, 12288);
}

TEST(lost_answer_in_the_middle_is_covered_by_the_next_one)
{
    setup();
    sh_image(img, 12288, 6);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    board.drop_rsp = board.rsps + 4;
    CHECK_EQ(flash(12288), 0);
    CHECK_MEM(sim_flash_at(APP), img, 12288);
}

TEST(lost_last_answer_times_out_and_the_resend_is_not_executed_twice)
{
    setup();
    sh_image(img, 4096, 7);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    board.drop_rsp = board.rsps + 3; /* the 4th and last WRITE */
    CHECK_EQ(flash(4096), 0);
    CHECK(s.timeouts >= 1);
    CHECK_EQ(sim_pgerr, 0);
    CHECK_MEM(sim_flash_at(APP), img, 4096);
}

TEST(read_returns_what_was_written_even_when_answers_are_lost)
{
    setup();
    sh_image(img, 9000, 8);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(flash(9000), 0);
    board.drop_rsp = board.rsps + 2;
    memset(back, 0, sizeof back);
    CHECK_EQ(iap_session_read(&s, APP, back, 9000, &err), 0);
    CHECK_MEM(back, img, 9000);
}

TEST(crc_matches_after_flash_and_differs_after_one_changed_byte)
{
    setup();
    sh_image(img, 6000, 9);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(flash(6000), 0);
    uint32_t crc = 0;
    CHECK_EQ(iap_session_crc(&s, APP, 6000, &crc, &err), 0);
    CHECK_EQ(crc, proto_crc32(0, img, 6000));
    *sim_flash_at(APP + 5000) ^= 0x01;
    CHECK_EQ(iap_session_crc(&s, APP, 6000, &crc, &err), 0);
    CHECK(crc != proto_crc32(0, img, 6000));
}

TEST(write_outside_the_application_area_is_refused_with_its_status)
{
    setup();
    sh_image(img, 2048, 10);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(iap_session_write(&s, PROTO_FLASH_BASE, img, 2048, &err), IAP_ERR_REFUSED);
    CHECK_EQ(err.status, PROTO_E_RANGE);
    CHECK(strstr(err.msg, "E_RANGE") != NULL);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(commit_of_an_image_without_vectors_is_refused)
{
    setup();
    memset(img, 0x42, 4096);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(flash(4096), IAP_ERR_REFUSED);
    CHECK_EQ(err.status, PROTO_E_VECTOR);
    CHECK(strstr(err.msg, "0x08002000") != NULL);
}

TEST(nobody_answering_is_no_answer_with_advice)
{
    setup();
    board.dead = true;
    CHECK_EQ(iap_session_connect(&s, &err), IAP_ERR_NO_ANSWER);
    CHECK(strstr(err.msg, "hold PA0") != NULL);
    CHECK(strstr(err.msg, "the simulated board") != NULL);
}

TEST(running_application_is_asked_to_reboot_into_the_bootloader)
{
    struct iap_session_cfg cfg = fast;
    cfg.app_request = true;
    setup_cfg(&cfg);
    sh_image(img, 4096, 11);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(flash(4096), 0);
    CHECK_EQ(iap_session_reset(&s, &err), 0);
    CHECK_EQ(board.last_exit, SIM_JUMPED);
    CHECK(board.app_running);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(board.reboots, 1);
    CHECK_EQ(s.info.app_valid, 1);
}

TEST(no_app_request_leaves_a_running_application_alone)
{
    setup();
    sh_image(img, 4096, 12);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(flash(4096), 0);
    CHECK_EQ(iap_session_reset(&s, &err), 0);
    CHECK_EQ(iap_session_connect(&s, &err), IAP_ERR_NO_ANSWER);
    CHECK_EQ(board.reboots, 0);
}

TEST(garbage_on_the_line_before_the_handshake_is_survived)
{
    setup();
    static const uint8_t junk[] = {0x00, 0xA5, 0x03, 0x00, 0xF0, 0x03, 0x11, 0x22, 0xA5, 0xA5};
    sim_uart_put(junk, sizeof junk);
    sh_image(img, 4096, 13);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(flash(4096), 0);
}

TEST(a_line_that_stops_carrying_frames_fails_after_the_retries)
{
    setup();
    sh_image(img, 8192, 14);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    board.drop_all_writes_from = board.writes + 2;
    CHECK_EQ(iap_session_write(&s, APP, img, 8192, &err), IAP_ERR_TRANSFER);
    CHECK(strstr(err.msg, "IAP mode") != NULL);
}

TEST(a_stall_longer_than_the_retries_at_a_fixed_timeout_is_ridden_out)
{
    /* 5 tries of 50 ms would give up after ~0.3 s; the wait doubles on each timeout in a row
     * (50, 100, 200, 200, 200 ms), so a line that stalls for 0.5 s (a TCP bridge, a USB
     * adapter) costs retries, not the update. */
    struct iap_session_cfg cfg = fast;
    cfg.baud = 2000000;
    cfg.timeout_ms = 50;
    setup_cfg(&cfg);
    sh_image(img, 2048, 21);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(iap_session_write(&s, APP, img, 2048, &err), 0);
    board.stall_until = wall_s() + 0.5;
    uint32_t crc = 0;
    CHECK_EQ(iap_session_crc(&s, APP, 2048, &crc, &err), 0);
    CHECK_EQ(crc, proto_crc32(0, img, 2048));
    CHECK(s.timeouts >= 3);
}

TEST(erase_invalidates_the_application)
{
    setup();
    sh_image(img, 4096, 15);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(flash(4096), 0);
    CHECK_EQ(iap_session_erase(&s, APP, s.info.app_end - APP, &err), 0);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    CHECK_EQ(s.info.app_valid, 0);
    CHECK_EQ(*sim_flash_at(APP), 0xFF);
}

TEST(sequence_numbers_wrap_past_255_across_operations)
{
    setup();
    sh_image(img, sizeof img, 16);
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    for (int round = 0; round < 3; round++) {
        board.corrupt_write = board.writes + 5 + round;
        CHECK_EQ(flash(sizeof img), 0);
        CHECK_EQ(iap_session_read(&s, APP, back, sizeof img, &err), 0);
        CHECK_MEM(back, img, sizeof img);
    }
    CHECK(board.writes > 256);
}

TEST(updates_over_a_line_losing_or_corrupting_2_percent_of_frames_all_commit_the_exact_image)
{
    struct iap_session_cfg cfg = fast;
    cfg.retries = 8;
    int ok = 0;
    for (uint32_t round = 0; round < 10; round++) {
        setup_cfg(&cfg);
        board.fault_permille = 20;
        board.rng = 0x9E3779B9u * (round + 1);
        sh_image(img, 20000 + round * 1000, 100 + round);
        uint32_t len = 20000 + round * 1000;
        if (iap_session_connect(&s, &err) != 0)
            continue;
        int rc = iap_session_write(&s, APP, img, len, &err);
        uint32_t crc = 0;
        if (!rc)
            rc = iap_session_crc(&s, APP, len, &crc, &err);
        CHECK(rc == 0 || rc == IAP_ERR_TRANSFER);
        if (rc)
            continue;
        CHECK_EQ(crc, proto_crc32(0, img, len));
        CHECK_EQ(iap_session_commit(&s, len, crc, round, &err), 0);
        CHECK_MEM(sim_flash_at(APP), img, len);
        ok++;
    }
    CHECK_EQ(ok, 10);
}

/* ---- issue 15: only the pages that changed, compression, resume ---------------------------- */

static struct iap_flash_result res;

static int flash_image(uint32_t len, bool full, int compress, uint32_t version)
{
    struct iap_flash_opts fo = {.full = full, .compress = compress, .version = version};
    board.write_frames = board.lz4_frames = 0;
    board.write_data = board.wire_data = 0;
    return iap_session_flash(&s, img, len, &fo, &res, &err);
}

static int reconnect(void)
{
    iap_session_init(&s, &board.t, &fast, NULL);
    return iap_session_connect(&s, &err);
}

TEST(page_crcs_answer_what_is_on_the_device)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 5000, 4);
    CHECK_EQ(flash(5000), 0);
    uint32_t crcs[6];
    CHECK_EQ(iap_session_page_crcs(&s, APP, 6, crcs, &err), 0);
    for (unsigned p = 0; p < 6; p++)
        CHECK_EQ(crcs[p], proto_crc32(0, sim_flash_at(APP + 1024 * p), 1024));
}

TEST(reflash_with_one_changed_page_writes_only_that_page)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 20000, 5);
    CHECK_EQ(flash_image(20000, false, 0, 1), 0);
    CHECK_EQ(board.write_data, 20000);
    img[7 * 1024 + 10] ^= 0x55;
    CHECK_EQ(reconnect(), 0);
    CHECK_EQ(flash_image(20000, false, 0, 1), 0);
    CHECK_EQ(board.write_data, 1024);
    CHECK_EQ(res.pages_written, 1);
    CHECK_EQ(res.pages, 20);
    CHECK(fm_app_valid(NULL));
    CHECK_MEM(sim_flash_at(APP), img, 20000);
}

TEST(first_and_last_page_changed_are_both_written)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 9000, 6);
    CHECK_EQ(flash_image(9000, false, 0, 1), 0);
    img[20] ^= 1;
    img[8999] ^= 1;
    CHECK_EQ(reconnect(), 0);
    CHECK_EQ(flash_image(9000, false, 0, 2), 0);
    CHECK_EQ(res.pages_written, 2);
    CHECK_EQ(board.write_data, 1024 + (9000 - 8 * 1024));
    CHECK_MEM(sim_flash_at(APP), img, 9000);
    struct proto_record r;
    CHECK(fm_app_valid(&r));
    CHECK_EQ(r.version, 2);
}

TEST(a_longer_image_writes_its_new_pages_and_a_shorter_one_commits_its_size)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 8192, 7);
    CHECK_EQ(flash_image(4096, false, 0, 1), 0);
    CHECK_EQ(reconnect(), 0);
    CHECK_EQ(flash_image(8192, false, 0, 2), 0); /* the first 4 KB match */
    CHECK_EQ(res.pages_written, 4);
    CHECK_EQ(board.write_data, 4096);
    struct proto_record r;
    CHECK(fm_app_valid(&r) && r.size == 8192);
    CHECK_EQ(reconnect(), 0);
    CHECK_EQ(flash_image(3000, false, 0, 3), 0); /* shorter: its last page is padded 0xFF */
    CHECK(fm_app_valid(&r) && r.size == 3000 && r.version == 3);
    CHECK_MEM(sim_flash_at(APP), img, 3000);
}

TEST(a_page_that_changed_back_is_skipped)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 6000, 8);
    CHECK_EQ(flash_image(6000, false, 0, 1), 0);
    img[3000] ^= 0xFF;
    CHECK_EQ(reconnect(), 0);
    CHECK_EQ(flash_image(6000, false, 0, 2), 0);
    img[3000] ^= 0xFF; /* back to the first version */
    CHECK_EQ(reconnect(), 0);
    CHECK_EQ(flash_image(6000, false, 0, 3), 0);
    CHECK_EQ(res.pages_written, 1);
    CHECK_MEM(sim_flash_at(APP), img, 6000);
}

TEST(the_same_image_and_version_writes_nothing_and_keeps_the_record)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 6000, 9);
    CHECK_EQ(flash_image(6000, false, 0, 4), 0);
    CHECK_EQ(reconnect(), 0);
    long ops = sim_ops;
    CHECK_EQ(flash_image(6000, false, 0, 4), 0);
    CHECK(res.current);
    CHECK_EQ(board.write_frames + board.lz4_frames, 0);
    CHECK_EQ(sim_ops, ops);
    CHECK(fm_app_valid(NULL));
}

/* The device acknowledges cumulatively: a WRITE refused (a program failed) whose refusal was lost
 * on the line goes unseen until COMMIT checks the whole image; then everything is written once
 * more and committed. */
TEST(a_lost_refusal_of_a_write_is_caught_by_commit_and_everything_is_written_again)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 6000, 12);
    sim_fail_at(600);                /* a half-word of the second page: record, page 0, 512 */
    board.drop_rsp = board.rsps + 2; /* after PAGE_CRCS and the first WRITE: the second's refusal */
    CHECK_EQ(flash_image(6000, false, 0, 4), 0);
    CHECK_MEM(sim_flash_at(APP), img, 6000);
    struct proto_record r;
    CHECK(fm_app_valid(&r));
    CHECK_EQ(r.version, 4);
    CHECK(board.write_data >= 6000 + 6000); /* the whole image twice */
}

TEST(full_writes_every_page)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 6000, 10);
    CHECK_EQ(flash_image(6000, false, 0, 1), 0);
    CHECK_EQ(reconnect(), 0);
    CHECK_EQ(flash_image(6000, true, 0, 1), 0);
    CHECK_EQ(board.write_data, 6000);
}

TEST(a_transfer_cut_short_resumes_from_what_is_on_the_device)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 30 * 1024, 11);
    board.drop_all_writes_from = board.writes + 14; /* the link drops after a dozen frames */
    CHECK(flash_image(30 * 1024, false, 0, 1) != 0);
    CHECK(!fm_app_valid(NULL));
    board.drop_all_writes_from = -1;
    CHECK_EQ(reconnect(), 0);
    CHECK_EQ(flash_image(30 * 1024, false, 0, 1), 0);
    CHECK(board.write_data < 30 * 1024 - 8 * 1024); /* what arrived before the cut is kept */
    CHECK(fm_app_valid(NULL));
    CHECK_MEM(sim_flash_at(APP), img, 30 * 1024);
}

TEST(compressible_data_goes_as_lz4_and_lands_exactly)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    sh_image(img, 16384, 12);
    memset(img + 64, 0, 8000); /* zeros: compress well */
    for (unsigned i = 8064; i < 16384; i++)
        img[i] = (uint8_t)("stm32-iap demo "[i % 15]);
    CHECK_EQ(flash_image(16384, true, 1, 1), 0);
    CHECK(board.lz4_frames > 0);
    CHECK(board.wire_data * 3 < board.write_data);
    CHECK(res.raw_bytes > res.sent_bytes);
    /* what crossed the line: each frame once (no loss here), however often the window rebuilt it */
    CHECK_EQ(res.raw_bytes, 16384);
    CHECK_EQ(res.sent_bytes, board.wire_data);
    CHECK(fm_app_valid(NULL));
    CHECK_MEM(sim_flash_at(APP), img, 16384);
}

TEST(no_compress_sends_plain_writes)
{
    setup();
    CHECK_EQ(iap_session_connect(&s, &err), 0);
    memset(img + 64, 0, 8000);
    proto_put32(img, 0x20005000u);
    proto_put32(img + 4, APP + 0x41);
    CHECK_EQ(flash_image(8192, true, 0, 1), 0);
    CHECK_EQ(board.lz4_frames, 0);
}

int main(void)
{
    RUN(connect_reads_the_device_information);
    RUN(flash_writes_the_image_and_commit_makes_it_valid);
    RUN(window_keeps_as_many_frames_in_flight_as_the_device_buffers);
    RUN(window_option_limits_frames_in_flight);
    RUN(lost_write_frame_is_recovered_by_go_back_n);
    RUN(corrupt_write_frame_gets_a_nak_and_is_resent);
    RUN(lost_answer_in_the_middle_is_covered_by_the_next_one);
    RUN(lost_last_answer_times_out_and_the_resend_is_not_executed_twice);
    RUN(read_returns_what_was_written_even_when_answers_are_lost);
    RUN(crc_matches_after_flash_and_differs_after_one_changed_byte);
    RUN(write_outside_the_application_area_is_refused_with_its_status);
    RUN(commit_of_an_image_without_vectors_is_refused);
    RUN(nobody_answering_is_no_answer_with_advice);
    RUN(running_application_is_asked_to_reboot_into_the_bootloader);
    RUN(no_app_request_leaves_a_running_application_alone);
    RUN(garbage_on_the_line_before_the_handshake_is_survived);
    RUN(a_line_that_stops_carrying_frames_fails_after_the_retries);
    RUN(a_stall_longer_than_the_retries_at_a_fixed_timeout_is_ridden_out);
    RUN(erase_invalidates_the_application);
    RUN(sequence_numbers_wrap_past_255_across_operations);
    RUN(updates_over_a_line_losing_or_corrupting_2_percent_of_frames_all_commit_the_exact_image);
    RUN(page_crcs_answer_what_is_on_the_device);
    RUN(reflash_with_one_changed_page_writes_only_that_page);
    RUN(first_and_last_page_changed_are_both_written);
    RUN(a_longer_image_writes_its_new_pages_and_a_shorter_one_commits_its_size);
    RUN(a_page_that_changed_back_is_skipped);
    RUN(the_same_image_and_version_writes_nothing_and_keeps_the_record);
    RUN(a_lost_refusal_of_a_write_is_caught_by_commit_and_everything_is_written_again);
    RUN(full_writes_every_page);
    RUN(a_transfer_cut_short_resumes_from_what_is_on_the_device);
    RUN(compressible_data_goes_as_lz4_and_lands_exactly);
    RUN(no_compress_sends_plain_writes);
    return test_summary();
}
