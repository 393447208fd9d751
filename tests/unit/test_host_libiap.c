/* libiap's public API (host/libiap/iap.h) as a program sees it: child processes serve the real
 * bootloader core (sim port, fake F1 flash) on pseudo-terminals, and each test opens them by
 * name through the library. Its errors without a device, the progress callback, flash, verify,
 * read, erase and reset, refusals before any write, an older program's shorter options struct,
 * and two handles in two threads flashing two boards at once (ASan/UBSan). */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "libiap/iap.h"
#include "proto.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "simpty.h"
#include "test.h"

#define APP_START 0x08002000u
#define IMG_SIZE 5000u

static char ports[2][128], dir[64];
static pid_t devices[2] = {-1, -1};

/* ---- the boards, in child processes ------------------------------------------------------- */

static int start_device(int i)
{
    devices[i] = sh_pty_board(ports[i], sizeof ports[i]);
    return devices[i] < 0 ? -1 : 0;
}

/* ---- helpers ------------------------------------------------------------------------------- */

/* A plausible application: SP at the top of 20 KB SRAM, a Thumb reset vector inside it. */
static void app_image(uint8_t *img, uint32_t size, uint8_t fill)
{
    for (uint32_t i = 0; i < size; i++)
        img[i] = (uint8_t)(fill + i * 7u);
    proto_put32(img, 0x20005000u);
    proto_put32(img + 4, APP_START + 0x101u);
}

struct progress_log {
    unsigned calls;
    uint64_t last_done, last_total;
    bool backwards, wrong_op;
};

static void log_progress(void *ctx, const char *op, uint64_t done, uint64_t total)
{
    struct progress_log *l = ctx;
    if (l->calls && done < l->last_done)
        l->backwards = true;
    if (strcmp(op, "flash") != 0)
        l->wrong_op = true;
    l->calls++;
    l->last_done = done;
    l->last_total = total;
}

static iap_device *open_board(int i)
{
    iap_device *d = iap_new(NULL);
    if (d && iap_open(d, ports[i]) != 0) {
        printf("  %s\n", iap_last_error(d));
        iap_free(d);
        return NULL;
    }
    return d;
}

/* ---- tests --------------------------------------------------------------------------------- */

TEST(every_error_code_has_a_name_and_the_version_its_macros)
{
    for (int c = IAP_ERR_NONE; c >= IAP_ERR_PROTOCOL; c--)
        CHECK(strcmp(iap_strerror(c), "unknown error") != 0 && *iap_strerror(c));
    CHECK(strcmp(iap_strerror(-99), "unknown error") == 0);
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", IAP_LIB_VERSION_MAJOR, IAP_LIB_VERSION_MINOR,
             IAP_LIB_VERSION_PATCH);
    CHECK(strcmp(iap_lib_version(), v) == 0);
}

TEST(a_handle_not_open_refuses_every_operation_with_a_message)
{
    iap_device *d = iap_new(NULL);
    CHECK(d != NULL);
    CHECK(strcmp(iap_last_error(d), "") == 0);
    uint8_t b[4];
    struct iap_info info;
    CHECK_EQ(iap_flash_buffer(d, b, sizeof b, 0, NULL, NULL), IAP_ERR_USAGE);
    CHECK(strstr(iap_last_error(d), "iap_open") != NULL);
    CHECK_EQ(iap_read(d, APP_START, b, sizeof b), IAP_ERR_USAGE);
    CHECK_EQ(iap_get_info(d, &info), IAP_ERR_USAGE);
    CHECK_EQ(iap_erase(d), IAP_ERR_USAGE);
    CHECK_EQ(iap_reset(d), IAP_ERR_USAGE);
    iap_close(d); /* closing a closed handle is harmless */
    iap_free(d);
    iap_free(NULL);
}

TEST(a_missing_port_is_a_port_error_that_says_so)
{
    iap_device *d = iap_new(NULL);
    CHECK_EQ(iap_open(d, "/dev/ttyNOPE9"), IAP_ERR_PORT);
    CHECK(strstr(iap_last_error(d), "/dev/ttyNOPE9 does not exist") != NULL);
    CHECK_EQ(iap_open(d, ""), IAP_ERR_USAGE);
    iap_free(d);
}

TEST(flash_buffer_reports_progress_up_to_the_total_and_commits)
{
    static uint8_t img[IMG_SIZE];
    app_image(img, IMG_SIZE, 1);
    struct progress_log log = {0};
    struct iap_options o;
    iap_options_init(&o);
    o.progress = log_progress;
    o.progress_ctx = &log;
    iap_device *d = iap_new(&o);
    CHECK_EQ(iap_open(d, ports[0]), 0);
    struct iap_flash_options fo;
    iap_flash_options_init(&fo);
    fo.no_reset = 1;
    fo.version = 7;
    struct iap_flash_report rep;
    int rc = iap_flash_buffer(d, img, IMG_SIZE, 0, &fo, &rep);
    struct iap_info info;
    int rc2 = iap_get_info(d, &info);
    iap_free(d);
    CHECK_EQ(rc, 0);
    CHECK_EQ(rep.size, IMG_SIZE);
    CHECK_EQ(rep.crc, proto_crc32(0, img, IMG_SIZE));
    CHECK_EQ(rep.pages, 5); /* 1 KB pages */
    CHECK_EQ(rep.pages_written, 5);
    CHECK(rep.seconds > 0 && rep.baud == 115200);
    CHECK(log.calls >= 2 && !log.backwards && !log.wrong_op);
    CHECK_EQ(log.last_done, log.last_total);
    CHECK_EQ(log.last_total, rep.written);
    CHECK_EQ(rc2, 0);
    CHECK(info.app_valid && info.app_crc == rep.crc && info.app_version == 7);
    CHECK_EQ(info.app_start, APP_START);
    CHECK_EQ(info.flash_size, 64 * 1024);
}

TEST(verify_buffer_matches_and_one_changed_byte_is_a_mismatch)
{
    static uint8_t img[IMG_SIZE];
    app_image(img, IMG_SIZE, 1);
    iap_device *d = open_board(0);
    CHECK(d != NULL);
    uint32_t crc = 0, dev = 0;
    int rc = iap_verify_buffer(d, img, IMG_SIZE, APP_START, &crc, &dev);
    img[IMG_SIZE - 1] ^= 0xFF;
    uint32_t crc2 = 0, dev2 = 0;
    int rc2 = iap_verify_buffer(d, img, IMG_SIZE, 0, &crc2, &dev2);
    char msg[600];
    snprintf(msg, sizeof msg, "%s", iap_last_error(d));
    iap_free(d);
    CHECK_EQ(rc, 0);
    CHECK_EQ(crc, dev);
    CHECK_EQ(rc2, IAP_ERR_VERIFY);
    CHECK_EQ(dev2, crc);
    CHECK(crc2 != crc);
    CHECK(strstr(msg, "verify failed") != NULL);
}

TEST(read_returns_the_flashed_bytes_and_refuses_outside_flash)
{
    static uint8_t img[IMG_SIZE], back[IMG_SIZE];
    app_image(img, IMG_SIZE, 1);
    iap_device *d = open_board(0);
    CHECK(d != NULL);
    int rc = iap_read(d, APP_START, back, IMG_SIZE);
    int rc2 = iap_read(d, 0x08010000u - 16, back, 32);
    iap_free(d);
    CHECK_EQ(rc, 0);
    CHECK_MEM(back, img, IMG_SIZE);
    CHECK_EQ(rc2, IAP_ERR_USAGE);
}

TEST(an_image_without_vectors_is_refused_and_the_application_stays)
{
    static uint8_t junk[2048];
    memset(junk, 0x20, sizeof junk); /* a text file's worth of spaces */
    iap_device *d = open_board(0);
    CHECK(d != NULL);
    int rc = iap_flash_buffer(d, junk, sizeof junk, 0, NULL, NULL);
    char msg[600];
    snprintf(msg, sizeof msg, "%s", iap_last_error(d));
    iap_close(d);
    struct iap_info info;
    int rc2 = iap_open(d, ports[0]);
    if (!rc2)
        rc2 = iap_get_info(d, &info);
    iap_free(d);
    CHECK_EQ(rc, IAP_ERR_FIT);
    CHECK(*msg);
    CHECK_EQ(rc2, 0);
    CHECK(info.app_valid && info.app_version == 7);
}

TEST(an_older_programs_shorter_options_keep_the_later_defaults)
{
    /* Fields past size are never read: the garbage there would crash or stall. */
    struct iap_options o;
    memset(&o, 0xA5, sizeof o);
    o.size = offsetof(struct iap_options, window);
    o.baud = 115200;
    o.baud_max = 0;
    o.timeout_ms = 500;
    o.retries = 8;
    iap_device *d = iap_new(&o);
    CHECK(d != NULL);
    uint32_t crc, dev;
    static uint8_t img[IMG_SIZE];
    app_image(img, IMG_SIZE, 1);
    int rc = iap_open(d, ports[0]);
    if (!rc)
        rc = iap_verify_buffer(d, img, IMG_SIZE, 0, &crc, &dev);
    iap_free(d);
    CHECK_EQ(rc, 0);
}

TEST(flash_file_starts_the_app_and_the_next_open_asks_it_to_reboot)
{
    static uint8_t img[IMG_SIZE];
    app_image(img, IMG_SIZE, 9);
    char path[128];
    snprintf(path, sizeof path, "%s/app.bin", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK_EQ(fwrite(img, 1, IMG_SIZE, f), IMG_SIZE);
    fclose(f);
    iap_device *d = open_board(0);
    CHECK(d != NULL);
    struct iap_flash_report rep;
    int rc = iap_flash_file(d, path, NULL, &rep); /* a .bin at app_start, then RESET */
    iap_close(d);
    struct iap_info info = {0};
    int rc2 = iap_open(d, ports[0]);
    if (!rc2)
        rc2 = iap_get_info(d, &info);
    iap_free(d);
    CHECK_EQ(rc, 0);
    CHECK_EQ(rep.crc, proto_crc32(0, img, IMG_SIZE));
    CHECK_EQ(rc2, 0);
    CHECK(info.app_rebooted && info.app_valid && info.app_crc == rep.crc);
}

TEST(erase_leaves_no_application)
{
    iap_device *d = open_board(0);
    CHECK(d != NULL);
    int rc = iap_erase(d);
    struct iap_info info = {0};
    int rc2 = iap_get_info(d, &info);
    iap_free(d);
    CHECK_EQ(rc, 0);
    CHECK_EQ(rc2, 0);
    CHECK(!info.app_valid);
}

struct job {
    int board;
    uint8_t fill;
    int rc;
    uint32_t crc, dev;
};

static void *flash_job(void *arg)
{
    struct job *j = arg;
    static uint8_t imgs[2][IMG_SIZE];
    uint8_t *img = imgs[j->board];
    app_image(img, IMG_SIZE, j->fill);
    iap_device *d = iap_new(NULL);
    j->rc = d ? iap_open(d, ports[j->board]) : IAP_ERR_NOMEM;
    struct iap_flash_options fo;
    iap_flash_options_init(&fo);
    fo.no_reset = 1;
    if (!j->rc)
        j->rc = iap_flash_buffer(d, img, IMG_SIZE, 0, &fo, NULL);
    if (!j->rc)
        j->rc = iap_verify_buffer(d, img, IMG_SIZE, 0, &j->crc, &j->dev);
    iap_free(d);
    return NULL;
}

TEST(two_handles_in_two_threads_flash_two_boards_at_once)
{
    struct job jobs[2] = {{.board = 0, .fill = 3}, {.board = 1, .fill = 4}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, flash_job, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(jobs[0].rc, 0);
    CHECK_EQ(jobs[1].rc, 0);
    CHECK(jobs[0].crc == jobs[0].dev && jobs[1].crc == jobs[1].dev);
    CHECK(jobs[0].crc != jobs[1].crc); /* each board got its own image */
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    snprintf(dir, sizeof dir, "/tmp/iap_lib_%d", (int)getpid());
    mkdir(dir, 0700);
    if (start_device(0) != 0 || start_device(1) != 0) {
        printf("FAIL setup: no pty\n0 passed, 1 failed\n");
        return 1;
    }
    RUN(every_error_code_has_a_name_and_the_version_its_macros);
    RUN(a_handle_not_open_refuses_every_operation_with_a_message);
    RUN(a_missing_port_is_a_port_error_that_says_so);
    RUN(flash_buffer_reports_progress_up_to_the_total_and_commits);
    RUN(verify_buffer_matches_and_one_changed_byte_is_a_mismatch);
    RUN(read_returns_the_flashed_bytes_and_refuses_outside_flash);
    RUN(an_image_without_vectors_is_refused_and_the_application_stays);
    RUN(an_older_programs_shorter_options_keep_the_later_defaults);
    RUN(flash_file_starts_the_app_and_the_next_open_asks_it_to_reboot);
    RUN(erase_leaves_no_application);
    RUN(two_handles_in_two_threads_flash_two_boards_at_once);
    for (int i = 0; i < 2; i++) {
        kill(devices[i], SIGTERM);
        waitpid(devices[i], NULL, 0);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return test_summary();
}
