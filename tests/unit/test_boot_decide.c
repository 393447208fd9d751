/* Boot decision matrix, listening window, inactivity timeout, boot_main. */
#include "boot.h"
#include "flashmgr.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "test.h"

static uint8_t img[4096];
static struct sh_rsp r;

/* A board with (or without) a valid app, freshly powered: session_init done. */
static void board(bool app)
{
    sim_reset(64 * 1024);
    if (app) {
        session_init();
        sh_image(img, sizeof img, 1);
        fm_write(PROTO_APP_START, img, sizeof img);
        fm_commit(sizeof img, proto_crc32(0, img, sizeof img), 1);
        sim_power_cycle();
    }
    session_init();
    sh_seq = 0;
}

static enum boot_decision decide(uint32_t listen_ms)
{
    sim_ms_step = 1;
    enum boot_decision d = boot_decide(listen_ms);
    sim_ms_step = 0;
    return d;
}

TEST(valid_app_without_request_starts_the_app)
{
    board(true);
    CHECK_EQ(decide(0), BOOT_APP);
    CHECK(!sim_led);
}

TEST(no_valid_app_enters_iap)
{
    board(false);
    CHECK_EQ(decide(300), BOOT_IAP_NO_APP);
    CHECK(session_in_iap());
    session_poll();
    CHECK(sim_led);
}

TEST(bkp_request_enters_iap_and_is_cleared)
{
    board(true);
    sim_bkp = PROTO_BKP_REQUEST;
    CHECK_EQ(decide(300), BOOT_IAP_REQUEST);
    CHECK_EQ(sim_bkp, 0);
    session_init();
    CHECK_EQ(decide(0), BOOT_APP); /* one request, one IAP entry */
}

TEST(other_bkp_values_are_ignored)
{
    board(true);
    sim_bkp = 0x1234;
    CHECK_EQ(decide(0), BOOT_APP);
}

TEST(button_enters_iap)
{
    board(true);
    sim_button = true;
    CHECK_EQ(decide(300), BOOT_IAP_BUTTON);
}

TEST(request_is_checked_before_button_and_validity)
{
    board(false);
    sim_button = true;
    sim_bkp = PROTO_BKP_REQUEST;
    CHECK_EQ(decide(300), BOOT_IAP_REQUEST);
    CHECK_EQ(decide(300), BOOT_IAP_BUTTON);
    sim_button = false;
    CHECK_EQ(decide(300), BOOT_IAP_NO_APP);
}

TEST(listening_window_lasts_its_length_then_starts_the_app)
{
    board(true);
    uint32_t t0 = sim_ms;
    CHECK_EQ(decide(300), BOOT_APP);
    CHECK(sim_ms - t0 >= 300);
    CHECK(sim_ms - t0 < 400);
}

TEST(frame_in_listening_window_enters_iap_and_is_answered)
{
    board(true);
    sh_send(PROTO_CMD_INFO, 0, NULL, 0);
    CHECK_EQ(decide(300), BOOT_IAP_HOST);
    CHECK(sh_recv(&r));
    CHECK_EQ(r.status, PROTO_OK);
    CHECK_EQ(r.len, sizeof(struct proto_info));
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK); /* the session goes on */
}

TEST(frame_late_in_the_window_still_enters_iap)
{
    board(true);
    uint8_t f[32];
    size_t n = sh_frame(f, PROTO_CMD_SYNC, 9, NULL, 0);
    sim_uart_put_at(sim_ms + 250, f, n);
    CHECK_EQ(decide(300), BOOT_IAP_HOST);
    CHECK(sh_recv(&r));
    CHECK_EQ(r.seq, 9);
}

TEST(frame_after_the_window_is_too_late)
{
    board(true);
    uint8_t f[32];
    size_t n = sh_frame(f, PROTO_CMD_SYNC, 9, NULL, 0);
    sim_uart_put_at(sim_ms + 320, f, n);
    CHECK_EQ(decide(300), BOOT_APP);
    CHECK_EQ(sim_uart_pending(), 0);
}

TEST(garbage_or_corrupt_frame_in_window_does_not_enter_iap)
{
    board(true);
    uint8_t f[32];
    size_t n = sh_frame(f, PROTO_CMD_INFO, 0, NULL, 0);
    f[2] ^= 0x40;
    sim_uart_put("hello\r\n\x00\xff", 9);
    sim_uart_put(f, n);
    CHECK_EQ(decide(300), BOOT_APP);
}

TEST(window_zero_disables_listening)
{
    board(true);
    sh_send(PROTO_CMD_INFO, 0, NULL, 0);
    CHECK_EQ(decide(0), BOOT_APP);
}

static void iap_for(void *arg)
{
    uint32_t ms = *(uint32_t *)arg;
    for (uint32_t i = 0; i < ms; i += 10) {
        sim_ms += 10;
        boot_iap_poll();
    }
}

TEST(silent_session_starts_valid_app_after_30_s)
{
    board(true);
    sim_button = true;
    CHECK_EQ(decide(0), BOOT_IAP_BUTTON);
    uint32_t ms = 29000;
    CHECK_EQ(sim_run(iap_for, &ms), SIM_RETURNED);
    sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL); /* activity restarts the timer */
    CHECK_EQ(sim_run(iap_for, &ms), SIM_RETURNED);
    ms = 2000;
    CHECK_EQ(sim_run(iap_for, &ms), SIM_JUMPED);
    CHECK_EQ(sim_jump_addr, PROTO_APP_START);
    CHECK(!sim_led);
}

TEST(silent_session_without_app_keeps_waiting)
{
    board(false);
    CHECK_EQ(decide(0), BOOT_IAP_NO_APP);
    uint32_t ms = 100000;
    CHECK_EQ(sim_run(iap_for, &ms), SIM_RETURNED);
    CHECK(sim_led);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, NULL), PROTO_OK);
}

TEST(interrupted_update_then_silence_keeps_waiting)
{
    board(true);
    sim_button = true;
    CHECK_EQ(decide(0), BOOT_IAP_BUTTON);
    CHECK_EQ(sh_write(PROTO_APP_START, img, 1024), PROTO_OK); /* the old app is given up */
    uint32_t ms = 60000;
    CHECK_EQ(sim_run(iap_for, &ms), SIM_RETURNED);
}

static void run_main(void *arg)
{
    (void)arg;
    boot_main();
}

TEST(boot_main_starts_a_valid_app_after_the_window)
{
    board(true);
    sim_ms_step = 1;
    CHECK_EQ(sim_run(run_main, NULL), SIM_JUMPED);
    CHECK(sim_ms >= BOOT_LISTEN_MS);
}

TEST(boot_main_on_request_serves_then_times_out_to_the_app)
{
    board(true);
    sim_bkp = PROTO_BKP_REQUEST;
    sim_ms_step = 1;
    CHECK_EQ(sim_run(run_main, NULL), SIM_JUMPED);
    CHECK(sim_ms >= BOOT_IDLE_MS);
    CHECK(sim_kicks > 1000); /* the watchdog is fed all along */
}

int main(void)
{
    RUN(valid_app_without_request_starts_the_app);
    RUN(no_valid_app_enters_iap);
    RUN(bkp_request_enters_iap_and_is_cleared);
    RUN(other_bkp_values_are_ignored);
    RUN(button_enters_iap);
    RUN(request_is_checked_before_button_and_validity);
    RUN(listening_window_lasts_its_length_then_starts_the_app);
    RUN(frame_in_listening_window_enters_iap_and_is_answered);
    RUN(frame_late_in_the_window_still_enters_iap);
    RUN(frame_after_the_window_is_too_late);
    RUN(garbage_or_corrupt_frame_in_window_does_not_enter_iap);
    RUN(window_zero_disables_listening);
    RUN(silent_session_starts_valid_app_after_30_s);
    RUN(silent_session_without_app_keeps_waiting);
    RUN(interrupted_update_then_silence_keeps_waiting);
    RUN(boot_main_starts_a_valid_app_after_the_window);
    RUN(boot_main_on_request_serves_then_times_out_to_the_app);
    return test_summary();
}
