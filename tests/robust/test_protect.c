/* The real bootloader (build/boot.elf) on the virtual board, with frames crafted by hand:
 * - self-protection: every native command that would write or erase the bootloader's pages, the
 *   record page, or past the end of flash is refused, no flash operation happens at all and the
 *   whole flash is byte-identical afterwards;
 * - bad input never loses data: refused commands before the first erase leave v1 bootable;
 * - the hardware watchdog option (IWDG running from reset): an update completes while the
 *   bootloader keeps it fed;
 * - the bootloader's pages write-protected in the option bytes: updates still work.
 *   test_protect BUILD_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rboard.h"
#include "test.h"

#define BANNER "stm32-iap demo app v"
#define END    (PROTO_FLASH_BASE + RB_FLASH_SIZE)

static const char *build = "build";
static char img[300], opt[310];
static uint8_t before[RB_FLASH_SIZE], after[RB_FLASH_SIZE];

struct step {
    uint8_t type;
    uint32_t a, b, c;
    uint16_t len;  /* payload bytes; WRITE: 8 + data */
    int expect;    /* status */
};

struct script {
    const struct step *steps;
    int n;
    int got[32];
    bool reset_answered;
};

static int host_script(struct rb_board *b, void *arg)
{
    struct script *s = arg;
    struct iap_frame rsp;
    uint8_t p[PROTO_MAX_PAYLOAD];
    /* SYNC until answered: the listening window after reset */
    int st = 1000;
    for (int i = 0; i < 40 && st != PROTO_OK; i++)
        st = rb_raw_cmd(b, PROTO_CMD_SYNC, 0, NULL, 0, &rsp);
    if (st != PROTO_OK)
        return -1;
    for (int i = 0; i < s->n; i++) {
        const struct step *k = &s->steps[i];
        memset(p, 0, sizeof p); /* data 0x00: would program over anything */
        proto_put32(p, k->a);
        proto_put32(p + 4, k->b);
        proto_put32(p + 8, k->c);
        s->got[i] = rb_raw_cmd(b, k->type, (uint8_t)(i + 1), p, k->len, &rsp);
    }
    s->reset_answered = rb_raw_cmd(b, PROTO_CMD_RESET, (uint8_t)(s->n + 1), NULL, 0, &rsp) == 0;
    return 0;
}

static void write_opt(bool hw_watchdog, bool protect_boot)
{
    uint8_t o[16] = {0xA5, 0x5A, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00,
                     0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00};
    if (hw_watchdog) { /* USER.WDG_SW = 0 */
        o[2] = 0xFE;
        o[3] = 0x01;
    }
    if (protect_boot) { /* WRP0 bits 0 and 1: pages 0-7 */
        o[8] = 0xFC;
        o[9] = 0x03;
    }
    FILE *f = fopen(opt, "wb");
    if (f) {
        fwrite(o, 1, sizeof o, f);
        fclose(f);
    }
}

/* Board with boot.elf and v1 committed; runs the script then RESET. Returns the flash ops. */
static long run_script(struct script *s, struct rb_board *b, int *rc)
{
    static uint8_t flash[RB_FLASH_SIZE];
    rb_flash_blank(flash);
    rb_flash_put_app(flash, &rb_app[1], 1);
    rb_flash_write(img, flash);
    struct rb_opts o = {img, true, 0, 0, BANNER "1", 10000, 0, true};
    if (rb_open(b, &o)) {
        *rc = -1;
        return -1;
    }
    rb_flash_read(img, before); /* after the preload of boot.elf */
    *rc = rb_run(b, host_script, s);
    long ops = emu_flash_ops(b->e);
    rb_close(b);
    rb_flash_read(img, after);
    return ops;
}

/* Every step refused with its status, no flash operation, every byte of flash unchanged, and
 * v1 starts after RESET. */
static void refused(const struct step *steps, int n)
{
    struct script s = {steps, n, {0}, false};
    struct rb_board b;
    int rc;
    long ops = run_script(&s, &b, &rc);
    for (int i = 0; i < n; i++) {
        if (s.got[i] != steps[i].expect)
            printf("  step %d (cmd %u 0x%08x 0x%x): status %d, expected %d\n", i, steps[i].type,
                   steps[i].a, steps[i].b, s.got[i], steps[i].expect);
        CHECK_EQ(s.got[i], steps[i].expect);
    }
    CHECK_EQ(ops, 0);
    CHECK(memcmp(before, after, sizeof before) == 0);
    CHECK(s.reset_answered);
    CHECK_EQ(rc, 0); /* stopped on the v1 banner */
}

#define W(addr, n) {PROTO_CMD_WRITE, (addr), 0, 0, (uint16_t)(8 + (n)), PROTO_E_RANGE}
#define E(addr, n) {PROTO_CMD_ERASE, (addr), (n), 0, 8, PROTO_E_RANGE}

TEST(write_into_the_bootloader_is_refused)
{
    static const struct step s[] = {W(PROTO_FLASH_BASE, 2), W(PROTO_FLASH_BASE, 1024),
                                    W(PROTO_APP_START - 2, 2), W(PROTO_APP_START - 1024, 1024),
                                    W(0x08001000, 256)};
    refused(s, 5);
}

TEST(write_straddling_the_bootloader_end_is_refused)
{
    static const struct step s[] = {W(PROTO_APP_START - 2, 4), W(PROTO_APP_START - 512, 1024)};
    refused(s, 2);
}

TEST(write_into_the_record_page_is_refused)
{
    static const struct step s[] = {W(RB_RECORD, 24), W(RB_RECORD - 2, 4), W(RB_RECORD - 512, 1024),
                                    W(END - 2, 2)};
    refused(s, 4);
}

TEST(write_past_the_end_of_flash_or_wrapping_is_refused)
{
    static const struct step s[] = {W(END, 2), W(END + 0x10000, 1024), W(0x20000000, 2),
                                    W(0xFFFFFFFEu, 4), W(0, 2), W(0x1FFFF800u, 2)};
    refused(s, 6);
}

TEST(erase_of_the_bootloader_is_refused)
{
    static const struct step s[] = {E(PROTO_FLASH_BASE, 1), E(PROTO_FLASH_BASE, PROTO_BOOT_SIZE),
                                    E(PROTO_APP_START - 1, 2), E(PROTO_FLASH_BASE, RB_FLASH_SIZE),
                                    E(PROTO_APP_START - RB_PAGE_SIZE, 2 * RB_PAGE_SIZE)};
    refused(s, 5);
}

TEST(erase_of_the_record_page_or_past_the_end_is_refused)
{
    static const struct step s[] = {E(RB_RECORD, 1), E(RB_RECORD - 2, 4),
                                    E(PROTO_APP_START, RB_RECORD - PROTO_APP_START + 1), E(END, 1024),
                                    E(PROTO_APP_START, 0xFFFFFFFFu), E(0xFFFFFC00u, 0x800)};
    refused(s, 6);
}

/* Bad input before the first erase: nothing touches flash, and v1 still starts. */
TEST(refused_commands_before_the_first_erase_keep_the_old_app)
{
    uint32_t v1_size = rb_app[1].size, v1_crc = rb_app[1].crc;
    const struct step s[] = {
        {PROTO_CMD_WRITE, PROTO_APP_START + 1, 0, 0, 8 + 2, PROTO_E_ALIGN},
        {PROTO_CMD_WRITE, PROTO_APP_START, 0, 0, 8 + 3, PROTO_E_ALIGN},
        {PROTO_CMD_WRITE, PROTO_APP_START, 0, 0, 8, PROTO_E_LEN},
        {PROTO_CMD_ERASE, PROTO_APP_START, 0, 0, 8, PROTO_E_LEN},
        {PROTO_CMD_ERASE, PROTO_APP_START, 1024, 0, 4, PROTO_E_LEN},
        {PROTO_CMD_COMMIT, 0, 0, 1, 12, PROTO_E_SIZE},
        {PROTO_CMD_COMMIT, RB_RECORD - PROTO_APP_START + 2, 0, 1, 12, PROTO_E_SIZE},
        {PROTO_CMD_COMMIT, v1_size, v1_crc ^ 1u, 2, 12, PROTO_E_IMAGE_CRC},
        {PROTO_CMD_COMMIT, 4, 0, 2, 12, PROTO_E_VECTOR},
        {PROTO_CMD_COMMIT, v1_size, v1_crc, 2, 8, PROTO_E_LEN},
        {PROTO_CMD_READ, END - 4, 8, 0, 8, PROTO_E_RANGE},
        {PROTO_CMD_READ, PROTO_FLASH_BASE, 2048, 0, 8, PROTO_E_LEN},
        {PROTO_CMD_CRC, PROTO_FLASH_BASE, RB_FLASH_SIZE + 2, 0, 8, PROTO_E_RANGE},
        {0x3C, 0, 0, 0, 0, PROTO_E_CMD}, /* no command has this code (0x09 is PAGE_CRCS now) */
        {0x7F, 0, 0, 0, 0, PROTO_E_CMD},
        {PROTO_CMD_INFO, 0, 0, 0, 4, PROTO_E_LEN},
        W(PROTO_FLASH_BASE, 2),
        E(RB_RECORD, 1),
    };
    refused(s, (int)(sizeof s / sizeof s[0]));
}

/* Corrupt frames and garbage are dropped (NAKed) without touching flash. */
static int host_garbage(struct rb_board *b, void *arg)
{
    (void)arg;
    struct iap_frame rsp;
    uint8_t f[64], p[16] = {0};
    if (rb_raw_cmd(b, PROTO_CMD_SYNC, 0, NULL, 0, &rsp) != PROTO_OK &&
        rb_raw_cmd(b, PROTO_CMD_SYNC, 0, NULL, 0, &rsp) != PROTO_OK)
        return -1;
    proto_put32(p, PROTO_APP_START);
    proto_put32(p + 4, 1024);
    size_t n = proto_frame_encode(f, PROTO_CMD_ERASE, 1, p, 8);
    f[n - 1] ^= 0x40; /* an ERASE with a bad CRC: must not run */
    struct iap_err err;
    b->t.write(&b->t, f, n, &err);
    b->t.write(&b->t, (const uint8_t *)"\xA5\x02\x01\xff\xffnoise", 10, &err);
    usleep(200000);
    int st = rb_raw_cmd(b, PROTO_CMD_SYNC, 9, NULL, 0, &rsp);
    return st == PROTO_OK && rb_raw_cmd(b, PROTO_CMD_RESET, 10, NULL, 0, &rsp) == PROTO_OK ? 0 : -2;
}

TEST(corrupt_frames_before_the_first_erase_keep_the_old_app)
{
    static uint8_t flash[RB_FLASH_SIZE];
    struct rb_board b;
    rb_flash_blank(flash);
    rb_flash_put_app(flash, &rb_app[1], 1);
    rb_flash_write(img, flash);
    struct rb_opts o = {img, true, 0, 0, BANNER "1", 10000, 0, true};
    CHECK(rb_open(&b, &o) == 0);
    rb_flash_read(img, before);
    int rc = rb_run(&b, host_garbage, NULL);
    long ops = emu_flash_ops(b.e);
    int host_rc = b.host_rc;
    rb_close(&b);
    rb_flash_read(img, after);
    CHECK_EQ(host_rc, 0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(ops, 0);
    CHECK(memcmp(before, after, sizeof before) == 0);
}

static int host_update_v2(struct rb_board *b, void *arg)
{
    (void)arg;
    return rb_update(b, &rb_app[2], 2, true);
}

/* Asks for an erase of the whole application area (53 pages: over 1 s of flash work), then
 * updates. */
static int host_erase_all_then_update(struct rb_board *b, void *arg)
{
    (void)arg;
    struct iap_frame rsp;
    uint8_t p[8];
    int st = 1000;
    for (int i = 0; i < 40 && st != PROTO_OK; i++)
        st = rb_raw_cmd(b, PROTO_CMD_SYNC, 0, NULL, 0, &rsp);
    if (st != PROTO_OK)
        return -1;
    proto_put32(p, PROTO_APP_START);
    proto_put32(p + 4, RB_RECORD - PROTO_APP_START);
    if (rb_raw_cmd(b, PROTO_CMD_ERASE, 1, p, 8, &rsp) != PROTO_OK)
        return -2;
    return rb_update(b, &rb_app[2], 2, true);
}

/* Runs host() against boot.elf (+ v1 when old_app) with the option bytes given; true when v2
 * runs at the end, the flash holds it and the IWDG never reset the chip. */
static bool update_with_options(bool hw_watchdog, bool protect_boot, bool old_app, rb_host_fn host)
{
    static uint8_t flash[RB_FLASH_SIZE];
    struct rb_board b;
    struct rb_log log;
    rb_flash_blank(flash);
    if (old_app)
        rb_flash_put_app(flash, &rb_app[1], 1);
    rb_flash_write(img, flash);
    write_opt(hw_watchdog, protect_boot);
    struct rb_opts o = {img, true, 0, 0, BANNER "2", 30000, 1, true};
    if (rb_log_begin(&log))
        return false;
    bool ok = rb_open(&b, &o) == 0;
    int rc = ok ? rb_run(&b, host, NULL) : -1;
    int host_rc = b.host_rc;
    double board_s = ok ? (double)emu_now_ns(b.e) * 1e-9 : 0;
    if (ok)
        rb_close(&b);
    FILE *lf = rb_log_end(&log);
    int started = rb_log_count(lf, "IWDG started"), bites = rb_log_count(lf, "IWDG timeout");
    fclose(lf);
    unlink(opt);
    printf("  board exit %d, host %d, %.2f s of board time, IWDG started %d, timeouts %d%s%s\n",
           rc, host_rc, board_s, started, bites, host_rc ? ": " : "", host_rc ? b.err.msg : "");
    return rc == 0 && host_rc == 0 && bites == 0 && started == (hw_watchdog ? 1 : 0) &&
           rb_flash_read(img, flash) == 0 && rb_classify(flash, NULL, &rb_app[2]) == RB_NEW;
}

static int count(struct rb_board *b, const char *s)
{
    int n = 0;
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= b->out_n; i++)
        n += memcmp(b->out + i, s, k) == 0;
    return n;
}

/* The emulator models the option: the demo app, which never reloads the IWDG, is reset by it
 * every 409.6 ms, and comes back through the bootloader each time. */
TEST(hardware_watchdog_option_starts_the_iwdg_at_every_reset)
{
    static uint8_t flash[RB_FLASH_SIZE];
    struct rb_board b;
    for (int hw = 0; hw <= 1; hw++) {
        rb_flash_blank(flash);
        rb_flash_put_app(flash, &rb_app[1], 1);
        rb_flash_write(img, flash);
        write_opt(hw, false);
        struct rb_opts o = {img, true, 0, 0, NULL, 2000, 0, false};
        CHECK(rb_open(&b, &o) == 0);
        int rc = rb_run(&b, NULL, NULL);
        rb_drain(&b);
        int banners = count(&b, BANNER "1");
        rb_close(&b);
        unlink(opt);
        CHECK_EQ(rc, 0);
        printf("  WDG_SW=%d: the v1 banner %d times in 2 s\n", !hw, banners);
        /* 2 s: 300 ms listening window + 409.6 ms per app run -> 3 runs */
        CHECK(hw ? banners >= 2 : banners == 1);
    }
}

/* No application, nobody talking: the bootloader sits in IAP mode for 2 s of board time. */
TEST(idle_iap_mode_keeps_the_hardware_watchdog_fed)
{
    static uint8_t flash[RB_FLASH_SIZE];
    struct rb_board b;
    struct rb_log log;
    rb_flash_blank(flash);
    rb_flash_write(img, flash);
    write_opt(true, false);
    struct rb_opts o = {img, true, 0, 0, NULL, 2000, 1, false};
    CHECK(rb_log_begin(&log) == 0);
    bool ok = rb_open(&b, &o) == 0;
    int rc = ok ? rb_run(&b, NULL, NULL) : -1;
    if (ok)
        rb_close(&b);
    FILE *lf = rb_log_end(&log);
    int started = rb_log_count(lf, "IWDG started"), bites = rb_log_count(lf, "IWDG timeout");
    fclose(lf);
    unlink(opt);
    CHECK_EQ(rc, 0);
    CHECK(started >= 1); /* power-on; no other reset */
    CHECK_EQ(bites, 0);
}

/* IWDG on from power-on; RESET jumps to the new app without a chip reset. */
TEST(update_completes_with_the_hardware_watchdog_running)
{
    CHECK(update_with_options(true, false, false, host_update_v2));
}

TEST(whole_area_erase_then_update_with_the_hardware_watchdog_running)
{
    CHECK(update_with_options(true, false, true, host_erase_all_then_update));
}

TEST(update_completes_with_the_bootloader_pages_write_protected)
{
    CHECK(update_with_options(false, true, true, host_erase_all_then_update));
}

int main(int argc, char **argv)
{
    if (argc > 1)
        build = argv[1];
    if (rb_load(build)) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    if (rb_geo.flash_size != RB_FLASH_SIZE || rb_geo.page_size != RB_PAGE_SIZE) {
        printf("%s is a %u KB part: these tests are written for the f103c8's 64 KB in 1 KB pages "
               "(make BOARD=seed)\n0 passed, 1 failed\n", build, rb_geo.flash_size / 1024u);
        return 1;
    }
    snprintf(img, sizeof img, "%s/iap-protect-%d.img",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
    snprintf(opt, sizeof opt, "%s.opt", img);
    RUN(write_into_the_bootloader_is_refused);
    RUN(write_straddling_the_bootloader_end_is_refused);
    RUN(write_into_the_record_page_is_refused);
    RUN(write_past_the_end_of_flash_or_wrapping_is_refused);
    RUN(erase_of_the_bootloader_is_refused);
    RUN(erase_of_the_record_page_or_past_the_end_is_refused);
    RUN(refused_commands_before_the_first_erase_keep_the_old_app);
    RUN(corrupt_frames_before_the_first_erase_keep_the_old_app);
    RUN(hardware_watchdog_option_starts_the_iwdg_at_every_reset);
    RUN(idle_iap_mode_keeps_the_hardware_watchdog_fed);
    RUN(update_completes_with_the_hardware_watchdog_running);
    RUN(whole_area_erase_then_update_with_the_hardware_watchdog_running);
    RUN(update_completes_with_the_bootloader_pages_write_protected);
    unlink(img);
    return test_summary();
}
