/* The application's side of staged updates on the sim port, with the STAGED=1 core behind it:
 * the library (examples/template/app_stage.c over a fake app_flash on the sim's F1 flash), the
 * demo's receiver (examples/demo/stage_rx.c), and iap's side (host/staged.c, host/iap_session.c)
 * over an in-process line to that receiver; at the install request the chip "resets" into the
 * real core. Built by tests/staged.mk (STAGE_TEST_BUILD; unit.mk's rule builds the stub at the
 * end). */
#ifdef STAGE_TEST_BUILD
#include <stdlib.h>

#include "boot.h"
#include "flashmgr.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "stage_sim.h"
#include "test.h"

#include "../../boot/core/stage.h"
#include "app_stage.h"
#include "stage_rx.h"
#include "staged.h"

#define FLASH (128u * 1024u)
#define PAGE  1024u
#define RING  4096u

static struct proto_stage_layout lay;
static uint8_t v1[5000], v2[7000], v3[6000];
static uint32_t v1_crc, v2_crc;
static struct app_stage app;
static bool app_running;
static uint32_t dev_ms, sram = SIM_MD_SRAM;
static uint8_t to_host[1u << 20];
static size_t th_head, th_tail;
static long drop_after = -1; /* bytes the host may still send before the link drops */
static int device_resets;
static bool mute; /* an application without the receiver */

/* ---- the application's flash, on the sim's ---- */
int app_flash_erase(uint32_t page_addr, uint32_t page_size)
{
    return port_flash_erase_page(page_addr, page_size);
}
int app_flash_program(uint32_t addr, uint16_t value)
{
    uint8_t b[2] = {(uint8_t)value, (uint8_t)(value >> 8)};
    return port_flash_program(addr, b, 2);
}
const uint8_t *app_flash_ptr(uint32_t addr) { return port_flash_ptr(addr); }
void app_stage_reset(void) { abort(); } /* the receiver returns instead; the test resets */

/* ---- the device ---- */
static void dev_write(const uint8_t *p, size_t n)
{
    memcpy(to_host + th_tail, p, n);
    th_tail += n;
}

static void app_start(void)
{
    app_stage_init(&app, BOOT_APP_START, FLASH, PAGE, sram, 0);
    stage_rx_init(&app, dev_write, RING - PROTO_MAX_FRAME);
    app_running = true;
}

static void boot_fn(void *arg)
{
    (void)arg;
    bool acted = stage_boot();
    if (boot_decide(acted ? 0 : 0) == BOOT_APP)
        boot_start_app();
}

/* A reset: the bootloader, then the application if it jumped (else the bootloader's IAP mode). */
static void device_reset(void)
{
    device_resets++;
    sim_power_cycle();
    session_init();
    sh_seq = 0;
    app_running = sim_run(boot_fn, NULL) == SIM_JUMPED;
    if (app_running)
        app_start();
}

/* v1 running (a direct update), the application started. */
static void board(void)
{
    sim_reset_part(PROTO_PART_MD, FLASH, PAGE);
    sim_wdg_clear();
    session_init();
    proto_stage_layout(&lay, BOOT_APP_START, fm_area_end(), PAGE);
    fm_write(BOOT_APP_START, v1, sizeof v1);
    fm_commit(sizeof v1, v1_crc, 1);
    th_head = th_tail = 0;
    drop_after = -1;
    sram = SIM_MD_SRAM;
    device_resets = 0;
    device_reset();
}

static void view(struct proto_stage_view *v) { app_stage_view(&app, v); }

static bool runs(const uint8_t *img, uint32_t size, uint32_t crc)
{
    struct proto_record rec;
    return fm_app_valid(&rec) && rec.size == size && rec.image_crc == crc &&
           memcmp(sim_flash_at(BOOT_APP_START), img, size) == 0;
}

/* The library alone: begin, writes of chunk bytes, finish. */
static int stage(const uint8_t *img, uint32_t size, uint32_t version, uint32_t chunk)
{
    int rc = app_stage_begin(&app, size, version);
    for (uint32_t off = 0; rc == PROTO_OK && off < size; off += chunk)
        rc = app_stage_write(&app, off, img + off, size - off < chunk ? size - off : chunk);
    return rc == PROTO_OK ? app_stage_finish(&app, proto_crc32(0, img, size)) : rc;
}

/* ---- iap's line to the device ---- */
static int t_write(struct iap_transport *t, const uint8_t *buf, size_t len, struct iap_err *err)
{
    (void)t;
    if (drop_after >= 0) {
        if ((long)len > drop_after)
            return iap_fail(err, IAP_ERR_PORT, "the link dropped");
        drop_after -= (long)len;
    }
    dev_ms += 1u + (uint32_t)len / 12u; /* 115200 baud */
    if (mute)
        return 0;
    if (app_running) {
        if (stage_rx_feed(buf, len, dev_ms))
            device_reset();
        return 0;
    }
    sim_uart_put(buf, len); /* the bootloader in IAP mode */
    while (sim_uart_rx_pending())
        session_poll();
    th_tail += sim_uart_get(to_host + th_tail, sizeof to_host - th_tail);
    return 0;
}

static int t_read(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                  struct iap_err *err)
{
    (void)t;
    (void)err;
    size_t n = th_tail - th_head < max ? th_tail - th_head : max;
    if (n == 0) {
        dev_ms += (uint32_t)timeout_ms;
        if (app_running)
            stage_rx_poll(dev_ms);
        return 0;
    }
    memcpy(buf, to_host + th_head, n);
    th_head += n;
    return (int)n;
}

static void t_discard(struct iap_transport *t)
{
    (void)t;
    th_head = th_tail;
}
static void t_close(struct iap_transport *t) { (void)t; }

static struct iap_transport line = {.write = t_write, .read = t_read, .discard = t_discard,
                                    .close = t_close, .desc = "the sim's line"};

static void session(struct iap_session *s)
{
    struct iap_session_cfg cfg = {115200, 50, 4, 0, false, false};
    iap_session_init(s, &line, &cfg, NULL);
}

static int staged_flash(const uint8_t *img, uint32_t size, const struct iap_staged_opts *o,
                        struct iap_staged_result *r, struct iap_err *err)
{
    struct iap_session s;
    struct image im;
    session(&s);
    image_init(&im);
    int rc = image_add(&im, BOOT_APP_START, img, size, err);
    if (!rc)
        rc = iap_staged_flash(&s, &im, false, o, r, err);
    image_free(&im);
    return rc;
}

/* ---- the library ---- */

TEST(the_library_stages_and_the_bootloader_installs_at_reset)
{
    struct proto_stage_view v;
    board();
    CHECK(app.staged);
    CHECK_EQ(stage(v2, sizeof v2, 2, 256), PROTO_OK);
    view(&v);
    CHECK_EQ(v.staged, PROTO_STAGED_READY);
    CHECK_EQ(app_stage_request_install(&app), PROTO_OK);
    device_reset();
    CHECK(app_running);
    CHECK(runs(v2, sizeof v2, v2_crc));
    view(&v);
    CHECK_EQ(v.state, PROTO_STAGE_TRIAL);
    CHECK_EQ(app_stage_confirm(&app), PROTO_OK);
    view(&v);
    CHECK_EQ(v.state, PROTO_STAGE_CONFIRMED);
    for (int i = 0; i < 5; i++)
        device_reset();
    CHECK(runs(v2, sizeof v2, v2_crc));
}

TEST(begin_is_refused_while_the_image_is_on_trial_and_allowed_once_it_confirmed)
{
    board();
    CHECK_EQ(stage(v2, sizeof v2, 2, 1024), PROTO_OK);
    CHECK_EQ(app_stage_request_install(&app), PROTO_OK);
    device_reset();
    CHECK_EQ(app_stage_begin(&app, sizeof v3, 3), PROTO_E_STAGE_TRIAL);
    CHECK_EQ(app_stage_confirm(&app), PROTO_OK);
    CHECK_EQ(app_stage_begin(&app, sizeof v3, 3), PROTO_OK);
}

TEST(begin_is_refused_on_a_part_without_two_slots)
{
    struct app_stage small;
    app_stage_init(&small, BOOT_APP_START, 64u * 1024u, PAGE, sram, 0);
    CHECK(!small.staged);
    CHECK_EQ(app_stage_begin(&small, 1000, 1), PROTO_E_STAGE_MODE);
}

TEST(writes_outside_the_slot_or_out_of_order_are_refused)
{
    board();
    CHECK_EQ(app_stage_write(&app, 0, v2, 64), PROTO_E_STAGE_ORDER);
    CHECK_EQ(app_stage_finish(&app, v2_crc), PROTO_E_STAGE_ORDER);
    CHECK_EQ(app_stage_request_install(&app), PROTO_E_STAGE_ORDER);
    CHECK_EQ(app_stage_begin(&app, 0, 1), PROTO_E_SIZE);
    CHECK_EQ(app_stage_begin(&app, lay.slot + 2u, 1), PROTO_E_SIZE);
    CHECK_EQ(app_stage_begin(&app, sizeof v2, 2), PROTO_OK);
    CHECK_EQ(app_stage_write(&app, 1, v2, 2), PROTO_E_ALIGN);
    CHECK_EQ(app_stage_write(&app, lay.slot - 2u, v2, 4), PROTO_E_RANGE);
    CHECK_EQ(app_stage_write(&app, 0xFFFFFFFEu, v2, 4), PROTO_E_RANGE);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(finish_refuses_a_wrong_crc_and_implausible_vectors)
{
    uint8_t bad[2048];
    board();
    CHECK_EQ(app_stage_begin(&app, sizeof v2, 2), PROTO_OK);
    CHECK_EQ(app_stage_write(&app, 0, v2, sizeof v2), PROTO_OK);
    CHECK_EQ(app_stage_finish(&app, v2_crc ^ 1u), PROTO_E_IMAGE_CRC);
    sh_image(bad, sizeof bad, 7);
    proto_put32(bad + 4, 0x08002101u); /* linked for the 8 KB layout */
    CHECK_EQ(stage(bad, sizeof bad, 2, 1024), PROTO_E_VECTOR);
    struct proto_stage_view v;
    view(&v);
    CHECK_EQ(v.staged, PROTO_STAGED_NONE);
}

TEST(the_library_writes_the_staging_slot_and_nothing_else)
{
    static uint8_t before[FLASH];
    board();
    memcpy(before, sim_flash, FLASH);
    CHECK_EQ(stage(v2, sizeof v2, 2, 1000), PROTO_OK);
    CHECK_EQ(app_stage_request_install(&app), PROTO_OK);
    uint32_t lo = lay.image - PROTO_FLASH_BASE, hi = lay.trailer + lay.page - PROTO_FLASH_BASE;
    CHECK_MEM(sim_flash, before, lo);
    CHECK_MEM(sim_flash + hi, before + hi, FLASH - hi);
    CHECK_EQ(sim_boot_writes, 0);
    CHECK_EQ(sim_pgerr, 0);
}

TEST(confirm_programs_one_mark_in_the_current_status_page)
{
    static uint8_t before[FLASH];
    board();
    CHECK_EQ(stage(v2, sizeof v2, 2, 1024), PROTO_OK);
    CHECK_EQ(app_stage_request_install(&app), PROTO_OK);
    device_reset();
    memcpy(before, sim_flash, FLASH);
    long ops = sim_ops;
    CHECK_EQ(app_stage_confirm(&app), PROTO_OK);
    CHECK_EQ(sim_ops - ops, 1);
    unsigned differ = 0;
    for (uint32_t i = 0; i < FLASH; i++)
        differ += sim_flash[i] != before[i];
    CHECK_EQ(differ, 2);
    CHECK_EQ(app_stage_confirm(&app), PROTO_OK); /* once is enough */
    CHECK_EQ(sim_ops - ops, 1);
}

TEST(a_resumed_transfer_keeps_the_pages_already_written)
{
    board();
    CHECK_EQ(app_stage_begin(&app, sizeof v2, 2), PROTO_OK);
    CHECK_EQ(app_stage_write(&app, 0, v2, 4096), PROTO_OK);
    long ops = sim_ops;
    CHECK_EQ(app_stage_begin(&app, sizeof v2, 2), PROTO_OK); /* the trailer is erased already */
    CHECK_EQ(sim_ops, ops);
    CHECK_EQ(app_stage_crc(&app, 0, 4096), proto_crc32(0, v2, 4096));
    CHECK_EQ(app_stage_write(&app, 4096, v2 + 4096, sizeof v2 - 4096), PROTO_OK);
    CHECK_EQ(app_stage_finish(&app, v2_crc), PROTO_OK);
}

/* ---- the receiver ---- */

static void send_frame(uint8_t type, uint8_t seq, const void *p, uint16_t len)
{
    static uint8_t f[PROTO_MAX_FRAME];
    size_t n = proto_frame_encode(f, type, seq, p, len);
    stage_rx_feed(f, n, dev_ms);
}

/* The next answer the receiver sent: its status, data into d (may be NULL). 100: none. */
static int answer(uint8_t *d, size_t *dn)
{
    struct proto_rx rx;
    struct proto_frame f;
    static uint8_t buf[2 * PROTO_MAX_FRAME];
    proto_rx_init(&rx, buf, sizeof buf);
    proto_rx_push(&rx, to_host + th_head, th_tail - th_head);
    if (proto_rx_next(&rx, &f) != PROTO_RX_FRAME)
        return 100;
    th_head += (size_t)(f.payload + f.len + PROTO_CRC_LEN - buf);
    if (d && f.len > 1) {
        memcpy(d, f.payload + 1, f.len - 1u);
        *dn = f.len - 1u;
    }
    return proto_rsp_status(&f);
}

TEST(the_receiver_answers_nothing_before_a_stage_status)
{
    board();
    send_frame(PROTO_CMD_SYNC, 0, NULL, 0);
    send_frame(PROTO_CMD_INFO, 1, NULL, 0);
    CHECK_EQ(th_tail, th_head); /* a plain iap then asks the application to reboot */
    send_frame(PROTO_CMD_STAGE_STATUS, 7, NULL, 0);
    uint8_t d[PROTO_MAX_PAYLOAD];
    size_t n = 0;
    CHECK_EQ(answer(d, &n), PROTO_OK);
    struct proto_stage_status st;
    CHECK_EQ(proto_stage_status_decode(&st, d, n), PROTO_OK);
    CHECK_EQ(st.role, PROTO_STAGE_ROLE_APP);
    CHECK_EQ(st.image, lay.image);
    CHECK_EQ(st.running.crc, v1_crc);
    CHECK(st.rx_window >= 2u * PROTO_MAX_FRAME);
}

TEST(a_sync_closes_the_session_and_is_never_answered)
{
    board();
    send_frame(PROTO_CMD_STAGE_STATUS, 0, NULL, 0);
    CHECK_EQ(answer(NULL, NULL), PROTO_OK);
    CHECK(stage_rx_active());
    send_frame(PROTO_CMD_SYNC, 0, NULL, 0);
    send_frame(PROTO_CMD_SYNC, 1, NULL, 0);
    send_frame(PROTO_CMD_INFO, 2, NULL, 0);
    CHECK_EQ(th_tail, th_head);
    CHECK(!stage_rx_active()); /* the update command is heard again */
}

TEST(the_receiver_refuses_writes_outside_the_staging_image)
{
    uint8_t p[8 + 16];
    board();
    send_frame(PROTO_CMD_STAGE_STATUS, 0, NULL, 0);
    CHECK_EQ(answer(NULL, NULL), PROTO_OK);
    uint32_t args[2] = {sizeof v2, 2};
    proto_put32(p, args[0]);
    proto_put32(p + 4, args[1]);
    send_frame(PROTO_CMD_STAGE_BEGIN, 1, p, 8);
    CHECK_EQ(answer(NULL, NULL), PROTO_OK);
    memset(p, 0, sizeof p);
    proto_put32(p, BOOT_APP_START); /* the running image */
    send_frame(PROTO_CMD_WRITE, 2, p, sizeof p);
    CHECK_EQ(answer(NULL, NULL), PROTO_E_RANGE);
    proto_put32(p, lay.trailer);
    send_frame(PROTO_CMD_WRITE, 3, p, sizeof p);
    CHECK_EQ(answer(NULL, NULL), PROTO_E_RANGE);
    send_frame(PROTO_CMD_COMMIT, 4, p, 12); /* not the application's: no answer */
    CHECK_EQ(answer(NULL, NULL), 100);
    send_frame(PROTO_CMD_STAGE_LAST, 4, NULL, 0);
    CHECK_EQ(answer(NULL, NULL), PROTO_E_CMD);
    CHECK(runs(v1, sizeof v1, v1_crc));
}

/* ---- iap flash --staged ---- */

TEST(iap_flash_staged_installs_the_image_on_trial)
{
    struct iap_staged_opts o = {false, 2, false, false, 60000};
    struct iap_staged_result r;
    struct iap_err err = {0};
    board();
    CHECK_EQ(staged_flash(v2, sizeof v2, &o, &r, &err), 0);
    CHECK(r.installed);
    CHECK_EQ(r.after.role, PROTO_STAGE_ROLE_APP);
    CHECK_EQ(r.after.state, PROTO_STAGE_TRIAL);
    CHECK_EQ(r.after.running.crc, v2_crc);
    CHECK_EQ(r.after.previous.crc, v1_crc);
    CHECK_EQ(device_resets, 2); /* power-on, the install */
    CHECK(runs(v2, sizeof v2, v2_crc));
}

TEST(iap_flash_staged_of_the_running_image_stages_nothing)
{
    struct iap_staged_opts o = {false, 1, false, false, 60000};
    struct iap_staged_result r;
    struct iap_err err = {0};
    board();
    long ops = sim_ops;
    CHECK_EQ(staged_flash(v1, sizeof v1, &o, &r, &err), 0);
    CHECK_EQ(r.pages_written, 0);
    CHECK_EQ(sim_ops, ops);
    CHECK_EQ(device_resets, 1);
}

TEST(iap_flash_staged_resumes_a_transfer_cut_by_the_link)
{
    struct iap_staged_opts o = {false, 2, false, false, 60000};
    struct iap_staged_result r;
    struct iap_err err = {0};
    board();
    drop_after = 4500;
    CHECK(staged_flash(v2, sizeof v2, &o, &r, &err) != 0);
    CHECK(runs(v1, sizeof v1, v1_crc)); /* v1 kept running meanwhile */
    drop_after = -1;
    th_head = th_tail;
    CHECK_EQ(staged_flash(v2, sizeof v2, &o, &r, &err), 0);
    CHECK(r.pages_written < r.pages);
    CHECK(r.installed);
    CHECK(runs(v2, sizeof v2, v2_crc));
}

TEST(iap_flash_staged_stages_only_with_no_install)
{
    struct iap_staged_opts o = {false, 2, true, false, 0};
    struct iap_staged_result r;
    struct iap_err err = {0};
    struct proto_stage_view v;
    board();
    CHECK_EQ(staged_flash(v2, sizeof v2, &o, &r, &err), 0);
    CHECK(!r.installed);
    view(&v);
    CHECK_EQ(v.staged, PROTO_STAGED_READY);
    CHECK_EQ(device_resets, 1);
    /* the same image again: every page matches, nothing is written */
    CHECK_EQ(staged_flash(v2, sizeof v2, &o, &r, &err), 0);
    CHECK_EQ(r.pages_written, 0);
}

TEST(iap_flash_staged_reports_the_bootloaders_refusal)
{
    struct iap_staged_opts o = {false, 2, false, false, 60000};
    struct iap_staged_result r;
    struct iap_err err = {0};
    uint8_t big_sp[4096];
    board();
    /* an initial SP the application takes for SRAM (it was told 48 KB), the chip's 20 KB not */
    sram = 48u * 1024u;
    app_start();
    sh_image(big_sp, sizeof big_sp, 8);
    proto_put32(big_sp, PROTO_SRAM_BASE + 0xA000u);
    CHECK_EQ(staged_flash(big_sp, sizeof big_sp, &o, &r, &err), IAP_ERR_REFUSED);
    CHECK_EQ(err.status, PROTO_E_VECTOR);
    CHECK(strstr(err.msg, "refused the staged image") != NULL);
    CHECK(runs(v1, sizeof v1, v1_crc));
}

TEST(iap_flash_staged_refuses_while_the_image_is_on_trial)
{
    struct iap_staged_opts o = {false, 2, false, false, 60000};
    struct iap_staged_result r;
    struct iap_err err = {0};
    board();
    CHECK_EQ(staged_flash(v2, sizeof v2, &o, &r, &err), 0);
    CHECK_EQ(staged_flash(v3, sizeof v3, &o, &r, &err), IAP_ERR_REFUSED);
    CHECK_EQ(err.status, PROTO_E_STAGE_TRIAL);
    CHECK(strstr(err.msg, "confirms itself") != NULL);
}

TEST(iap_flash_staged_to_a_board_in_its_bootloader_says_so)
{
    struct iap_staged_opts o = {false, 2, false, false, 60000};
    struct iap_staged_result r;
    struct iap_err err = {0};
    board();
    sim_bkp = PROTO_BKP_REQUEST; /* the application asked for the bootloader */
    device_reset();
    CHECK(!app_running);
    CHECK_EQ(staged_flash(v2, sizeof v2, &o, &r, &err), IAP_ERR_REFUSED);
    CHECK(strstr(err.msg, "in its bootloader") != NULL);
}

TEST(iap_flash_staged_to_an_application_without_the_receiver_says_so)
{
    struct iap_staged_opts o = {false, 2, false, false, 60000};
    struct iap_staged_result r;
    struct iap_err err = {0};
    board();
    mute = true; /* the plain demo: bytes in, nothing out */
    CHECK_EQ(staged_flash(v2, sizeof v2, &o, &r, &err), IAP_ERR_NO_ANSWER);
    mute = false;
    CHECK(strstr(err.msg, "does not take staged updates") != NULL);
    CHECK(runs(v1, sizeof v1, v1_crc));
}

int main(void)
{
    sh_image(v1, sizeof v1, 1);
    sh_image(v2, sizeof v2, 2);
    sh_image(v3, sizeof v3, 3);
    v1_crc = proto_crc32(0, v1, sizeof v1);
    v2_crc = proto_crc32(0, v2, sizeof v2);
    RUN(the_library_stages_and_the_bootloader_installs_at_reset);
    RUN(begin_is_refused_while_the_image_is_on_trial_and_allowed_once_it_confirmed);
    RUN(begin_is_refused_on_a_part_without_two_slots);
    RUN(writes_outside_the_slot_or_out_of_order_are_refused);
    RUN(finish_refuses_a_wrong_crc_and_implausible_vectors);
    RUN(the_library_writes_the_staging_slot_and_nothing_else);
    RUN(confirm_programs_one_mark_in_the_current_status_page);
    RUN(a_resumed_transfer_keeps_the_pages_already_written);
    RUN(the_receiver_answers_nothing_before_a_stage_status);
    RUN(a_sync_closes_the_session_and_is_never_answered);
    RUN(the_receiver_refuses_writes_outside_the_staging_image);
    RUN(iap_flash_staged_installs_the_image_on_trial);
    RUN(iap_flash_staged_of_the_running_image_stages_nothing);
    RUN(iap_flash_staged_resumes_a_transfer_cut_by_the_link);
    RUN(iap_flash_staged_stages_only_with_no_install);
    RUN(iap_flash_staged_reports_the_bootloaders_refusal);
    RUN(iap_flash_staged_refuses_while_the_image_is_on_trial);
    RUN(iap_flash_staged_to_a_board_in_its_bootloader_says_so);
    RUN(iap_flash_staged_to_an_application_without_the_receiver_says_so);
    return test_summary();
}
#else
#include <stdio.h>

int main(void)
{
    puts("FAIL staged_tests_are_built: built by unit.mk's rule, not tests/staged.mk: include "
         "tests/staged.mk from the Makefile");
    puts("0 passed, 1 failed");
    return 1;
}
#endif
