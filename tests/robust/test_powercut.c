/* Power-loss sweep of the real bootloader (build/boot.elf) on the virtual board: an update of the
 * demo app (native protocol, or AN3155 / YMODEM), with power cut at the Nth flash operation
 * (erase or half-word program) for N = 1..total, in two scenarios: a first-time update (blank application
 * area) and an update that replaces a valid v1 with v2. After each cut the board powers up with
 * no button and must run a whole valid image (v1 or v2, never a mix) or sit in IAP mode (LED on,
 * no application started); then a fresh update must succeed and v2 must run.
 *
 *   test_powercut BUILD_DIR [--stride K [--edge E] | --every K | --tail N] [--proto P]
 *                 [--image xl] [--jobs J]
 * BUILD_DIR: the default build, or a board profile's BUILD/boards/NAME (its part, USART, LED and
 * geometry: rboard.h). --stride 0 (default) cuts at every operation; K > 0 at the first and last
 * E (default 50), every page erase and every K-th operation; --every K at operations 1, K+1, 2K+1, ... and
 * the last; --tail N at operation 1 and the last N. --proto an3155|ymodem: the update under test
 * speaks that protocol (the fresh one is native). --image xl: the new image is app-xl (XL boards:
 * v2 with code across the bank boundary, written without its blank pages): its last operations
 * erase and program bank 1's last page, then bank 2's first, then the record in bank 2's last.
 * Prints the cut points and bad outcomes per scenario. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rboard.h"
#include "test.h"

#define BANNER "stm32-iap demo app v"

static const char *build = "build";
static long stride, every, tail, edge = 50;
static int jobs = 2;
static long only; /* --only N: that cut point alone, board messages on stderr */
static char tmpdir[256];

struct scenario {
    const char *name;
    int old_version; /* 0: blank application area */
};

struct outcome {
    long n;
    int state; /* enum rb_state after the cut */
    int bad;   /* 0 ok, else a reason code */
    char detail[160];
};

static char detail[160]; /* what the board and the host said, for a bad outcome */
static const struct rb_image *new_img = &rb_app[2]; /* v2: app-v2.bin, or app-xl.bin */

static const char *const bad_why[] = {
    "ok",
    "the update was not cut",
    "a valid record over an image that is neither v1 nor v2",
    "no valid app but the board started an application or did not light the LED",
    "a valid app but its banner did not appear",
    "the fresh update failed",
    "after the fresh update the flash does not hold v2",
    "cannot set up the board",
};

static int host_update_v2(struct rb_board *b, void *arg)
{
    (void)arg;
    return rb_update(b, new_img, 2, true);
}

/* The update under test: --proto native (default), an3155 or ymodem. The fresh update after a
 * cut is always native. */
static const char *proto = "native";

/* The updates under test run in real time: in fast mode a board idling while a loaded machine
 * delays the host thread runs through seconds of its own time in milliseconds (30 s in 0.8 s
 * measured), enough for the device's timeouts to fire (AN3155/YMODEM: 1 s inside a command or
 * block; with a valid app, 30 s of silence starts it) and to fail an update for the wrong reason.
 * The checks after the cut have no host or (no valid app) no timeout: those run fast. */
#define UPDATE_REALTIME true

static int host_update_v2_proto(struct rb_board *b, void *arg)
{
    (void)arg;
    if (!strcmp(proto, "an3155"))
        return rb_an3155_update(b, new_img);
    if (!strcmp(proto, "ymodem"))
        return rb_ymodem_update(b, new_img);
    return rb_update(b, new_img, 2, true);
}

static void flash_for(const struct scenario *sc, uint8_t *flash)
{
    rb_flash_blank(flash);
    if (sc->old_version)
        rb_flash_put_app(flash, &rb_app[sc->old_version], (uint32_t)sc->old_version);
}

/* Power up with no button and no host; true when what the board does fits the flash state. */
static bool power_up_behaves(const char *img, enum rb_state st)
{
    struct rb_board b;
    struct rb_opts o = {img, false, 0, 0, NULL, st == RB_NO_APP ? 30 : 400, 1, false};
    char log[300];
    snprintf(log, sizeof log, "%s/log.%d", tmpdir, (int)getpid());
    fflush(stderr);
    int saved = dup(2);
    FILE *lf = fopen(log, "w+");
    if (!lf || saved < 0)
        return false;
    dup2(fileno(lf), 2);
    bool ok = rb_open(&b, &o) == 0;
    int rc = ok ? rb_run(&b, NULL, NULL) : -1;
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    if (!ok) {
        fclose(lf);
        return false;
    }
    rb_drain(&b);
    /* the LED's last logged state: '1' lit, '0' dark */
    char line[512], pin[24], led = '?';
    snprintf(pin, sizeof pin, "] %s = ", rb_geo.led);
    rewind(lf);
    while (fgets(line, sizeof line, lf))
        if (strstr(line, pin)) {
            char level = strstr(line, pin)[strlen(pin)];
            led = level == 'z' ? 'z' : level == rb_geo.led_on ? '1' : '0';
        }
    fclose(lf);
    unlink(log);
    switch (st) {
    case RB_NO_APP: ok = rc == 0 && !rb_saw(&b, BANNER) && led == '1'; break;
    case RB_OLD: ok = rc == 0 && rb_saw(&b, BANNER "1"); break;
    case RB_NEW: ok = rc == 0 && rb_saw(&b, BANNER "2"); break;
    default: ok = false;
    }
    rb_close(&b);
    return ok;
}

static int cut_point(const struct scenario *sc, long n)
{
    static uint8_t flash[RB_FLASH_MAX];
    char img[300];
    struct rb_board b;
    snprintf(img, sizeof img, "%s/board.%d.img", tmpdir, (int)getpid());

    flash_for(sc, flash);
    if (rb_flash_write(img, flash))
        return 7;
    struct rb_opts cut = {img, true, n, (uint32_t)(n * 7919 + sc->old_version), NULL, 600000,
                          only ? 1 : 0, UPDATE_REALTIME};
    if (rb_open(&b, &cut))
        return 7;
    int rc = rb_run(&b, host_update_v2_proto, NULL);
    rb_close(&b);
    if (rc != EMU_EXIT_POWER_CUT) {
        snprintf(detail, sizeof detail, "board exit %d, host %d: %.100s", rc, b.host_rc, b.err.msg);
        return 1;
    }

    if (rb_flash_read(img, flash))
        return 7;
    enum rb_state st = rb_classify(flash, sc->old_version ? &rb_app[sc->old_version] : NULL,
                                   new_img);
    if (st == RB_MIX)
        return 2;
    if (!power_up_behaves(img, st))
        return st == RB_NO_APP ? 3 : 4;

    struct rb_opts fresh = {img, false, 0, 0, BANNER "2", 600000, 0, st != RB_NO_APP};
    if (rb_open(&b, &fresh))
        return 7;
    rc = rb_run(&b, host_update_v2, NULL);
    int host_rc = b.host_rc;
    rb_close(&b);
    if (rc != 0 || host_rc != 0) {
        snprintf(detail, sizeof detail, "board exit %d, host %d: %.100s", rc, host_rc, b.err.msg);
        return 5;
    }
    if (rb_flash_read(img, flash) || rb_classify(flash, NULL, new_img) != RB_NEW)
        return 6;
    return -(int)st; /* <= 0: ok, minus the state */
}

/* The operations of the update in order, from the bootloader's rules (DESIGN.md): the record
 * page erase, then per half-word an erase of its page the first time one is touched and a
 * program unless the erased cell already holds the value, then the 12 record half-words. Blank
 * pages are not sent (rb_update), so not touched. */
static long bank2_from; /* the model's first operation in bank 2 but the record page's erase */

static long model_ops(const struct rb_image *img, char *is_erase, long max)
{
    long n = 0;
    int last_page = -1;
    is_erase[++n] = 1;
    for (uint32_t i = 0; i < img->size && n < max - 20; i += 2) {
        int page = (int)(i / rb_geo.page_size);
        if (rb_page_blank(img, i))
            continue;
        if (!bank2_from && rb_geo.banks > 1 && PROTO_APP_START + i >= 0x08080000u)
            bank2_from = n + 1; /* XL: bank 2 from 0x08080000 */
        if (page != last_page) {
            is_erase[++n] = 1;
            last_page = page;
        }
        if (img->data[i] != 0xFF || img->data[i + 1] != 0xFF)
            is_erase[++n] = 0;
    }
    for (int k = 0; k < 12; k++)
        is_erase[++n] = 0;
    return n;
}

static long clean_run_ops(const struct scenario *sc)
{
    static uint8_t flash[RB_FLASH_MAX];
    char img[300];
    struct rb_board b;
    snprintf(img, sizeof img, "%s/clean.img", tmpdir);
    flash_for(sc, flash);
    struct rb_opts o = {img, true, 0, 0, BANNER "2", 600000, 0, UPDATE_REALTIME};
    if (rb_flash_write(img, flash) || rb_open(&b, &o))
        return -1;
    int rc = rb_run(&b, host_update_v2_proto, NULL);
    long ops = emu_flash_ops(b.e);
    int host_rc = b.host_rc;
    rb_close(&b);
    if (rc != 0 || host_rc != 0)
        printf("  clean update: board exit %d, host %d: %s\n", rc, host_rc, b.err.msg);
    return rc == 0 && host_rc == 0 ? ops : -1;
}

static long cuts_total, bad_total;

static void sweep(const struct scenario *sc)
{
    static char is_erase[8192];
    double t0 = rb_now();
    long total = clean_run_ops(sc);
    long model = model_ops(new_img, is_erase, (long)sizeof is_erase);
    printf("  %s, %s: a clean update takes %ld flash operations (model of the native update's "
           "steps: %ld)\n", proto, sc->name, total, model);
    CHECK(total > 0);
    if (!strcmp(proto, "native"))
        CHECK_EQ(total, model);
    if (bank2_from)
        printf("  the image reaches bank 2 at operation %ld (then the record, in bank 2's last page, "
               "from operation %ld)\n", bank2_from, model - 11);

    long *ns = malloc(sizeof(long) * (size_t)(total + 1));
    long m = 0;
    for (long n = 1; n <= total; n++)
        if (every ? n % every == 1 || n == total
                  : tail ? n == 1 || n > total - tail
                  : only ? n == only
                  : stride == 0 || n <= edge || n > total - edge || n % stride == 0 || is_erase[n])
            ns[m++] = n;

    int fds[16][2];
    pid_t pids[16];
    for (int j = 0; j < jobs; j++) {
        if (pipe(fds[j]) != 0)
            abort();
        fflush(stdout);
        pids[j] = fork();
        if (pids[j] == 0) {
            close(fds[j][0]);
            /* the board reports every cut on stderr; the outcomes say what matters */
            int null = only ? -1 : open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 2);
            for (long i = j; i < m; i += jobs) {
                struct outcome oc = {ns[i], 0, 0, ""};
                detail[0] = 0;
                int r = cut_point(sc, ns[i]);
                snprintf(oc.detail, sizeof oc.detail, "%s", detail);
                oc.state = r <= 0 ? -r : -1;
                oc.bad = r > 0 ? r : 0;
                if (write(fds[j][1], &oc, sizeof oc) != (ssize_t)sizeof oc)
                    _exit(1);
            }
            _exit(0);
        }
        close(fds[j][1]);
    }
    long done = 0, bad = 0, states[4] = {0};
    for (int j = 0; j < jobs; j++) {
        struct outcome oc;
        while (read(fds[j][0], &oc, sizeof oc) == (ssize_t)sizeof oc) {
            done++;
            if (oc.bad) {
                if (++bad <= 10)
                    printf("  bad outcome at cut %ld/%ld: %s %s\n", oc.n, total, bad_why[oc.bad],
                           oc.detail);
            } else {
                states[oc.state]++;
            }
        }
        close(fds[j][0]);
        int status = 0;
        waitpid(pids[j], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            printf("  worker %d ended with status 0x%x\n", j, status);
    }
    free(ns);
    double dt = rb_now() - t0;
    printf("  %s, %s: %ld cut points of %ld operations, %ld bad outcomes; after the cut: IAP mode "
           "%ld, v1 runs %ld, v2 runs %ld (%.1f s, %.0f ms per cut point)\n",
           proto, sc->name, done, total, bad, states[RB_NO_APP], states[RB_OLD], states[RB_NEW], dt,
           done ? dt * 1000.0 / (double)done : 0.0);
    cuts_total += done;
    bad_total += bad;
    CHECK_EQ(done, m);
    CHECK_EQ(bad, 0);
}

static const struct scenario first_time = {"first-time update (blank app area -> v2)", 0};
static const struct scenario replace = {"replace a valid app (v1 -> v2)", 1};

TEST(power_cut_sweep_first_time_update) { sweep(&first_time); }
TEST(power_cut_sweep_replacing_a_valid_app) { sweep(&replace); }

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--proto") && i + 1 < argc)
            proto = argv[++i];
        else if (!strcmp(argv[i], "--every") && i + 1 < argc)
            every = atol(argv[++i]);
        else if (!strcmp(argv[i], "--edge") && i + 1 < argc)
            edge = atol(argv[++i]);
        else if (!strcmp(argv[i], "--tail") && i + 1 < argc)
            tail = atol(argv[++i]);
        else if (!strcmp(argv[i], "--stride") && i + 1 < argc)
            stride = atol(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = atol(argv[++i]);
        else if (!strcmp(argv[i], "--jobs") && i + 1 < argc)
            jobs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--image") && i + 1 < argc && !strcmp(argv[i + 1], "xl") && ++i)
            new_img = &rb_app[3];
        else
            build = argv[i];
    }
    if (jobs < 1 || jobs > 16)
        jobs = 2;
    if (rb_load(build)) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    if (!new_img->size) {
        printf("no %s/app-xl.bin: not an XL board\n0 passed, 1 failed\n", build);
        return 1;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/iap-powercut-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(tmpdir))
        return 1;
    printf("power-cut sweep on %s (board %s, %s: %u KB, %u-byte pages), %s update of %u bytes, %s\n",
           rb_boot_elf, rb_geo.name, rb_geo.part, rb_geo.flash_size / 1024u, rb_geo.page_size,
           proto, new_img->size,
           every ? "coarse (every K-th operation)"
           : tail ? "the first and the last N operations"
           : stride ? "bounded (first/last E, erases, every K-th)" : "every operation");
    RUN(power_cut_sweep_first_time_update);
    RUN(power_cut_sweep_replacing_a_valid_app);
    printf("power-cut sweep (%s): %ld cut points, %ld bad outcomes\n", proto, cuts_total,
           bad_total);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    return test_summary();
}
