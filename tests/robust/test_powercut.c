/* Power-loss sweep of the real bootloader (build/boot.elf) on the virtual board: an update of the
 * demo app (native protocol, or AN3155 / YMODEM), with power cut at the Nth flash operation
 * (erase or half-word program) for N = 1..total, in two scenarios: a first-time update (blank application
 * area) and an update that replaces a valid v1 with v2. After each cut the board powers up with
 * no button and must run a whole valid image (v1 or v2, never a mix) or sit in IAP mode (LED on,
 * no application started); then a fresh update must succeed and v2 must run.
 *
 *   test_powercut BUILD_DIR [--stride K [--edge E] | --every K | --tail N] [--proto P]
 *                 [--image xl | --incremental | --signed KEY] [--jobs J] [--only N]
 * BUILD_DIR: the default build, or a board profile's BUILD/boards/NAME (its part, USART, LED and
 * geometry: rboard.h). --stride 0 (default) cuts at every operation; K > 0 at the first and last
 * E (default 50), every page erase and every K-th operation; --every K at operations 1, K+1, 2K+1, ... and
 * the last; --tail N at operation 1 and the last N. --proto an3155|ymodem: the update under test
 * speaks that protocol (the fresh one is native). --image xl: the new image is app-xl (XL boards:
 * v2 with code across the bank boundary, written without its blank pages): its last operations
 * erase and program bank 1's last page, then bank 2's first, then the record in bank 2's last.
 * --incremental: the update under test is iap flash's (iap_session_flash: only the pages whose CRC
 * differs, then the image's CRC, COMMIT) from a 12-page v1 to v2 with a few pages changed, to a
 * shorter v2 and to a longer one (the fresh update after the cut is incremental too: it resumes).
 * --signed KEY: BUILD_DIR is a SECURE=1 build (BUILD/secure): signed v1 (version 1, installed by
 * the real binary from blank flash, floor 1) -> signed v2 (version 2) as iap flash sends it; after
 * each cut the version floor (read from its pages and from INFO) must be 1 or 2 (2 under v2's
 * record), an unsigned v2 and a v1 signed one below the floor must be refused (E_UNSIGNED,
 * E_ROLLBACK), then signed v2 goes in and the floor is 2. With --proto an3155 or ymodem the signed
 * v2 goes by stm32flash's or sb's steps (their commit verifies it as COMMIT does).
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
    const struct rb_image *old_img; /* NULL: blank application area */
    const struct rb_image *new_img;
    const uint8_t *start_flash;     /* the flash before the update; NULL: old_img's record put
                                       there with version 1 (rb_flash_put_app) */
    bool floor_page_full;           /* --signed: the rise erases the other floor page first */
};

struct outcome {
    long n;
    int state; /* enum rb_state after the cut */
    int bad;   /* 0 ok, else a reason code */
    int floor; /* --signed: the version floor after the cut */
    char detail[160];
};

static char detail[160]; /* what the board and the host said, for a bad outcome */
static const struct rb_image *new_img = &rb_app[2]; /* v2: app-v2.bin, or app-xl.bin */
static const struct scenario *cur;                  /* the scenario being swept */
static bool incremental;    /* the update under test and the fresh one: iap_session_flash */
static const char *sign_key; /* --signed KEY: a SECURE=1 build, signed images */
static struct rb_image signed_img[3], signed_v1_at0; /* [v]: app-v<v> signed as version v */
static uint8_t v1_installed[RB_FLASH_MAX];           /* --signed: the flash after signed v1 */
static uint8_t v1_page_full[RB_FLASH_MAX];           /* the same, its floor page filled up */
static int cut_floor;                                /* the floor after the cut (outcome) */

static const char *const bad_why[] = {
    "ok",
    "the update was not cut",
    "a valid record over an image that is neither v1 nor v2",
    "no valid app but the board started an application or did not light the LED",
    "a valid app but its banner did not appear",
    "the fresh update failed",
    "after the fresh update the flash does not hold v2",
    "cannot set up the board",
    "the version floor after the cut is neither the old (1) nor the new (2), or not the new under "
    "v2's record",
    "INFO's version floor differs from what the floor pages hold",
    "an unsigned image was not refused with E_UNSIGNED",
    "an image signed below the version floor was not refused with E_ROLLBACK",
    "after the fresh update the version floor is not the new (2)",
};

/* The version floor as docs/SECURITY.md describes its pages (the two below the record page):
 * 8-byte entries, version, complement's high half in the high half-word of the second word, a
 * commit half-word (the low one) that has left 0xFFFF; the highest such version; 0 without one.
 * Written from the document, not from boot/core/secure.c. */
static uint32_t floor_in(const uint8_t *flash)
{
    uint32_t best = 0, ps = rb_geo.page_size;
    for (uint32_t page = rb_geo.record - 2 * ps; page < rb_geo.record; page += ps)
        for (uint32_t at = page; at < page + ps; at += 8) {
            const uint8_t *e = flash + (at - PROTO_FLASH_BASE);
            uint32_t v = proto_get32(e), inv = proto_get32(e + 4);
            if ((inv & 0xFFFFu) != 0xFFFFu && v != 0xFFFFFFFFu && (~v >> 16) == inv >> 16 &&
                v > best)
                best = v;
        }
    return best;
}

/* --signed, after a cut: what INFO says of the floor, and what the device answers to an unsigned
 * image and to one signed below the floor; then the signed new image goes in. */
struct fresh_signed {
    uint32_t info_floor;
    int unsigned_status, downgrade_status; /* the COMMIT's refusal status, 1000: none */
};

static int refusal(struct rb_board *b, struct iap_session *s, const struct rb_image *img,
                   uint32_t version)
{
    struct iap_flash_result res;
    struct iap_flash_opts fo = {false, -1, version};
    int rc = iap_session_flash(s, img->data, img->size, &fo, &res, &b->err);
    /* a refused COMMIT leaves the session's pages erased: the next image starts a new one */
    int status = rc == IAP_ERR_REFUSED ? b->err.status : 1000;
    return iap_session_sync(s, &b->err) ? 1000 : status;
}

static int host_fresh_signed(struct rb_board *b, void *arg)
{
    struct fresh_signed *r = arg;
    struct iap_session s;
    struct iap_flash_result res;
    struct iap_flash_opts fo = {false, -1, 2};
    rb_session(b, &s);
    int rc = iap_session_connect(&s, &b->err);
    if (rc)
        return rc;
    r->info_floor = s.info.version_floor;
    r->unsigned_status = refusal(b, &s, &rb_app[2], 2);
    r->downgrade_status = r->info_floor == 2   ? refusal(b, &s, &signed_img[1], 1)
                          : r->info_floor == 1 ? refusal(b, &s, &signed_v1_at0, 0)
                                               : 1000;
    rc = iap_session_flash(&s, new_img->data, new_img->size, &fo, &res, &b->err);
    return rc ? rc : iap_session_reset(&s, &b->err);
}

static int host_update_v2(struct rb_board *b, void *arg)
{
    (void)arg;
    return incremental ? rb_flash(b, new_img, 2, false, true) : rb_update(b, new_img, 2, true);
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
    if (incremental || sign_key)
        return rb_flash(b, new_img, 2, false, true); /* as iap flash does it */
    return rb_update(b, new_img, 2, true);
}

static void flash_for(const struct scenario *sc, uint8_t *flash)
{
    if (sc->start_flash) {
        memcpy(flash, sc->start_flash, rb_geo.flash_size);
        return;
    }
    rb_flash_blank(flash);
    if (sc->old_img)
        rb_flash_put_app(flash, sc->old_img, 1);
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
    struct rb_opts cut = {img, true, n, (uint32_t)(n * 7919 + (sc->old_img != NULL)), NULL, 600000,
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
    enum rb_state st = rb_classify(flash, sc->old_img, new_img);
    if (st == RB_MIX)
        return 2;
    uint32_t fl = cut_floor = sign_key ? (int)floor_in(flash) : 0;
    if (sign_key && (fl < 1 || fl > 2 || (st == RB_NEW && fl != 2) || (st == RB_OLD && fl != 1))) {
        snprintf(detail, sizeof detail, "floor %u, state %d", fl, (int)st);
        return 8;
    }
    if (!power_up_behaves(img, st))
        return st == RB_NO_APP ? 3 : 4;

    struct fresh_signed fs = {0, 1000, 1000};
    struct rb_opts fresh = {img, false, 0, 0, BANNER "2", 600000, 0, st != RB_NO_APP};
    if (rb_open(&b, &fresh))
        return 7;
    rc = sign_key ? rb_run(&b, host_fresh_signed, &fs) : rb_run(&b, host_update_v2, NULL);
    int host_rc = b.host_rc;
    rb_close(&b);
    if (sign_key && fs.info_floor != fl) {
        snprintf(detail, sizeof detail, "INFO %u, pages %u", fs.info_floor, fl);
        return 9;
    }
    if (sign_key && fs.unsigned_status != PROTO_E_UNSIGNED) {
        snprintf(detail, sizeof detail, "status %d", fs.unsigned_status);
        return 10;
    }
    if (sign_key && fs.downgrade_status != PROTO_E_ROLLBACK) {
        snprintf(detail, sizeof detail, "floor %u, status %d", fl, fs.downgrade_status);
        return 11;
    }
    if (rc != 0 || host_rc != 0) {
        snprintf(detail, sizeof detail, "board exit %d, host %d: %.100s", rc, host_rc, b.err.msg);
        return 5;
    }
    if (rb_flash_read(img, flash) || rb_classify(flash, NULL, new_img) != RB_NEW)
        return 6;
    if (sign_key && floor_in(flash) != 2)
        return 12;
    return -(int)st; /* <= 0: ok, minus the state */
}

/* The operations of the update in order, from the bootloader's rules (DESIGN.md): the record
 * page erase, then per page written an erase and a program of each half-word that is not 0xFFFF,
 * then (--signed) the version floor's rise: an entry of 4 half-words (docs/SECURITY.md), then the
 * 12 record half-words. Pages not written: blank pages (rb_update does not send them), or with
 * --incremental and --signed (iap_session_flash) the pages the flash already holds as the write
 * would leave them (the image's bytes, then 0xFF). */
static long bank2_from; /* the model's first operation in bank 2 but the record page's erase */
static long floor_from; /* --signed: the floor's first operation */

static bool page_held(const struct scenario *sc, const uint8_t *flash, uint32_t off)
{
    const struct rb_image *img = sc->new_img;
    const uint8_t *dev = flash + (rb_geo.app_start - PROTO_FLASH_BASE) + off;
    for (uint32_t i = 0; i < rb_geo.page_size; i++)
        if (dev[i] != (off + i < img->size ? img->data[off + i] : 0xFF))
            return false;
    return true;
}

static long model_ops(const struct scenario *sc, char *is_erase, long max)
{
    static uint8_t flash[RB_FLASH_MAX];
    const struct rb_image *img = sc->new_img;
    bool by_crc = incremental || sign_key;
    long n = 0;
    flash_for(sc, flash);
    is_erase[++n] = 1;
    for (uint32_t off = 0; off < img->size && n < max - 40; off += rb_geo.page_size) {
        if (by_crc ? page_held(sc, flash, off) : rb_page_blank(img, off))
            continue;
        if (!bank2_from && rb_geo.banks > 1 && rb_geo.app_start + off >= 0x08080000u)
            bank2_from = n + 1; /* XL: bank 2 from 0x08080000 */
        is_erase[++n] = 1;
        for (uint32_t i = off; i < off + rb_geo.page_size && i < img->size; i += 2)
            if (img->data[i] != 0xFF || img->data[i + 1] != 0xFF)
                is_erase[++n] = 0;
    }
    if (sign_key) {
        floor_from = n + 1;
        if (sc->floor_page_full)
            is_erase[++n] = 1; /* the other floor page */
        for (int k = 0; k < 4; k++)
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
    static char is_erase[16384];
    double t0 = rb_now();
    cur = sc;
    new_img = sc->new_img;
    long total = clean_run_ops(sc);
    long model = model_ops(sc, is_erase, (long)sizeof is_erase);
    printf("  %s, %s: a clean update takes %ld flash operations (model of the native update's "
           "steps: %ld)\n", proto, sc->name, total, model);
    CHECK(total > 0);
    if (!strcmp(proto, "native"))
        CHECK_EQ(total, model);
    if (bank2_from)
        printf("  the image reaches bank 2 at operation %ld (then the record, in bank 2's last page, "
               "from operation %ld)\n", bank2_from, model - 11);
    if (floor_from) /* the commit's operations are the last, whatever the protocol */
        printf("  the version floor rises at operations %ld-%ld%s, the record from %ld\n",
               total - 11 - (model - 11 - floor_from), total - 12,
               sc->floor_page_full ? " (the other page's erase first)" : "", total - 11);
    floor_from = 0;

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
                struct outcome oc = {ns[i], 0, 0, 0, ""};
                detail[0] = 0;
                cut_floor = 0;
                int r = cut_point(sc, ns[i]);
                oc.floor = cut_floor;
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
    long done = 0, bad = 0, states[4] = {0}, floors[3] = {0};
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
                floors[oc.floor >= 1 && oc.floor <= 2 ? oc.floor : 0]++;
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
    if (sign_key)
        printf("  %s: version floor after the cut: the old (1) %ld, the new (2) %ld\n", sc->name,
               floors[1], floors[2]);
    cuts_total += done;
    bad_total += bad;
    CHECK_EQ(done, m);
    CHECK_EQ(bad, 0);
}

static struct scenario first_time = {"first-time update (blank app area -> v2)", NULL, NULL, NULL,
                                     false};
static struct scenario replace = {"replace a valid app (v1 -> v2)", &rb_app[1], NULL, NULL, false};

TEST(power_cut_sweep_first_time_update) { sweep(&first_time); }
TEST(power_cut_sweep_replacing_a_valid_app) { sweep(&replace); }

/* --incremental: a 12-page v1 (the demo's code, then pages of noise that stand for the rest of
 * an application), and v2s that differ from it in a few pages: the code's, and some of the rest. */
#define INC_PAGES 12u
static struct rb_image inc_v1, inc_few, inc_shorter, inc_longer;
static struct scenario inc_few_sc = {"incremental, v1 -> v2 with a few pages changed (12 pages)",
                                     &inc_v1, &inc_few, NULL, false};
static struct scenario inc_shorter_sc = {"incremental, v1 -> a shorter v2 (8.5 of 12 pages)",
                                         &inc_v1, &inc_shorter, NULL, false};
static struct scenario inc_longer_sc = {"incremental, v1 -> a longer v2 (14.5 pages)", &inc_v1,
                                        &inc_longer, NULL, false};

/* code (app-v<v>) padded to its page end, then noise from seed 1 up to bytes; the pages in
 * changed (a 0-terminated list of page numbers past the code) get one byte in 64 flipped */
static void inc_image(struct rb_image *img, int v, uint32_t bytes, const uint32_t *changed)
{
    uint32_t ps = rb_geo.page_size, rng = 1;
    uint32_t code = (rb_app[v].size + ps - 1) / ps * ps;
    memset(img->data, 0xFF, sizeof img->data);
    memcpy(img->data, rb_app[v].data, rb_app[v].size);
    for (uint32_t i = code; i < bytes; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        img->data[i] = (uint8_t)rng;
    }
    for (; *changed; changed++)
        for (uint32_t i = *changed * ps; i < (*changed + 1) * ps && i < bytes; i += 64)
            img->data[i] ^= 0x5A;
    img->size = bytes;
    img->crc = proto_crc32(0, img->data, img->size);
}

static int inc_images(void)
{
    uint32_t ps = rb_geo.page_size;
    static const uint32_t none[] = {0}, few[] = {5, 9, 0}, shorter[] = {6, 0}, longer[] = {4, 0};
    if (rb_app[1].size > 4 * ps || rb_app[2].size > 4 * ps)
        return -1; /* the changed pages of noise are from page 4 */
    inc_image(&inc_v1, 1, INC_PAGES * ps, none);
    inc_image(&inc_few, 2, INC_PAGES * ps, few);
    inc_image(&inc_shorter, 2, 8 * ps + ps / 2, shorter);
    inc_image(&inc_longer, 2, 14 * ps + ps / 2, longer);
    return 0;
}

TEST(power_cut_sweep_incremental_update_of_a_few_pages) { sweep(&inc_few_sc); }
TEST(power_cut_sweep_incremental_update_to_a_shorter_image) { sweep(&inc_shorter_sc); }
TEST(power_cut_sweep_incremental_update_to_a_longer_image) { sweep(&inc_longer_sc); }

/* --signed: signed v1 put on the board by the real binary from blank flash (its floor rises to 1),
 * then the sweep of signed v2 over it. */
static struct scenario signed_sc = {"signed v1 (floor 1) -> signed v2 (floor 2)", &signed_img[1],
                                    &signed_img[2], v1_installed, false};
/* The floor's page full (its first entry from the install, the rest filled here with entries of
 * version 1 as docs/SECURITY.md lays them out): the rise erases the other page and starts it, while
 * the full page still holds the old floor. */
static struct scenario signed_full_sc = {"signed v1 (floor 1, its page full) -> signed v2 (the "
                                         "floor moves to the other page)",
                                         &signed_img[1], &signed_img[2], v1_page_full, true};

static int host_install_v1(struct rb_board *b, void *arg)
{
    (void)arg;
    return rb_flash(b, &signed_img[1], 1, true, true);
}

static int signed_images(void)
{
    struct iap_err err;
    char img[300];
    struct rb_board b;
    if (rb_sign(&signed_img[1], &rb_app[1], sign_key, 1, &err) ||
        rb_sign(&signed_img[2], &rb_app[2], sign_key, 2, &err) ||
        rb_sign(&signed_v1_at0, &rb_app[1], sign_key, 0, &err)) {
        printf("  signing with %s: %s\n", sign_key, err.msg);
        return -1;
    }
    snprintf(img, sizeof img, "%s/install.img", tmpdir);
    rb_flash_blank(v1_installed);
    struct rb_opts o = {img, true, 0, 0, BANNER "1", 600000, 0, false};
    if (rb_flash_write(img, v1_installed) || rb_open(&b, &o))
        return -1;
    int rc = rb_run(&b, host_install_v1, NULL);
    int host_rc = b.host_rc;
    rb_close(&b);
    if (rc || host_rc || rb_flash_read(img, v1_installed)) {
        printf("  installing signed v1: board exit %d, host %d: %s\n", rc, host_rc, b.err.msg);
        return -1;
    }
    if (rb_classify(v1_installed, NULL, &signed_img[1]) != RB_NEW || floor_in(v1_installed) != 1) {
        printf("  after installing signed v1 the flash holds no record of it or floor %u\n",
               floor_in(v1_installed));
        return -1;
    }
    /* the install's entry is the first of the page below the one below the record page */
    uint32_t ps = rb_geo.page_size, page = rb_geo.record - 2 * ps - PROTO_FLASH_BASE;
    memcpy(v1_page_full, v1_installed, rb_geo.flash_size);
    if (proto_get32(v1_page_full + page) != 1 || floor_in(v1_page_full) != 1)
        return -1;
    for (uint32_t at = page + 8; at < page + ps; at += 8) {
        proto_put32(v1_page_full + at, 1);
        proto_put16(v1_page_full + at + 4, 0x0000);
        proto_put16(v1_page_full + at + 6, (uint16_t)(~1u >> 16));
    }
    return floor_in(v1_page_full) == 1 ? 0 : -1;
}

TEST(power_cut_sweep_signed_update_raising_the_version_floor) { sweep(&signed_sc); }
TEST(power_cut_sweep_signed_update_moving_the_floor_to_the_other_page) { sweep(&signed_full_sc); }

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
        else if (!strcmp(argv[i], "--incremental"))
            incremental = true;
        else if (!strcmp(argv[i], "--signed") && i + 1 < argc)
            sign_key = argv[++i];
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
    first_time.new_img = replace.new_img = new_img;
    if (sign_key && !(rb_geo.features & PROTO_FEAT_SECURE)) {
        printf("%s is not a SECURE=1 build\n0 passed, 1 failed\n", rb_boot_elf);
        return 1;
    }
    if (incremental && inc_images()) {
        printf("the demo app does not fit in 4 pages\n0 passed, 1 failed\n");
        return 1;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/iap-powercut-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(tmpdir))
        return 1;
    if (sign_key && signed_images()) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    printf("power-cut sweep on %s (board %s, %s: %u KB, %u-byte pages, application from 0x%08x), "
           "%s%s update, %s\n",
           rb_boot_elf, rb_geo.name, rb_geo.part, rb_geo.flash_size / 1024u, rb_geo.page_size,
           rb_geo.app_start, sign_key ? "signed " : incremental ? "incremental " : "", proto,
           every ? "coarse (every K-th operation)"
           : tail ? "the first and the last N operations"
           : stride ? "bounded (first/last E, erases, every K-th)" : "every operation");
    if (sign_key) {
        RUN(power_cut_sweep_signed_update_raising_the_version_floor);
        RUN(power_cut_sweep_signed_update_moving_the_floor_to_the_other_page);
    } else if (incremental) {
        RUN(power_cut_sweep_incremental_update_of_a_few_pages);
        RUN(power_cut_sweep_incremental_update_to_a_shorter_image);
        RUN(power_cut_sweep_incremental_update_to_a_longer_image);
    } else {
        RUN(power_cut_sweep_first_time_update);
        RUN(power_cut_sweep_replacing_a_valid_app);
    }
    printf("power-cut sweep (%s): %ld cut points, %ld bad outcomes\n", proto, cuts_total,
           bad_total);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    return test_summary();
}
