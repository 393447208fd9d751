/* Power-cut sweep of staged updates on the real binaries ($BUILD/staged/boot.elf and the staged
 * demo) on the virtual board (an f103cb: two 53 KB slots), cut at the Nth flash operation of a
 * whole story for N over its operations:
 *   install:  v1 runs, v2 staged and requested -> installed at power-up, on trial -> v2 confirms
 *             itself (the application's confirm mark is an operation of the story too);
 *   rollback: v2 runs, v3-crash staged and requested -> installed, its three trial boots crash ->
 *             the bootloader swaps v2 back.
 * After each cut the flash must hold, under a valid record, v1/v2/v3 whole (its CRC, byte for
 * byte) or no record at all (an install or a rollback in progress), never a mix; the next
 * power-up without a cut must then end the story as a story without a cut ends (v2 confirmed;
 * v2 back with v3 rejected), with no fault on the way (a half image would fault).
 *   test_stage_powercut BUILD_DIR [--full | --stride K] [--only N] [--story install|rollback]
 *                       [--jobs J]
 * Without --full: the first and last 40 operations and every K-th (default 97). The board's own
 * messages (the crashing v3's fault dumps) go to /dev/null unless --only. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"
#include "frame.h"
#include "proto.h"
#include "stage.h"
#include "test.h"

#define FLASH   (128u * 1024u)
#define PAGE    1024u
#define RECORD  PROTO_RECORD_ADDR(FLASH, PAGE)
#define BOOT_SZ 0x4000u
#define OFF(a)  ((a) - PROTO_FLASH_BASE)

struct img {
    uint8_t data[64 * 1024];
    uint32_t size, crc;
    int version;
};

struct story {
    const char *name;
    const struct img *old_img, *new_img;
    const char *end_text;  /* the UART text once the story has settled */
    bool confirms;         /* the new image stays (else it is rolled back) */
};

static const char *build = "build";
static char boot_elf[512], tmpdir[256];
static struct img v1, v2, v3crash;
static struct proto_stage_layout lay;
static long stride = 97, only;
static bool full;
static int jobs = 2;
static long cuts_total, bad_total;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int load(const char *name, struct img *im, int version)
{
    char p[600];
    snprintf(p, sizeof p, "%s/staged/%s", build, name);
    FILE *f = fopen(p, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (make staged first)\n", p);
        return -1;
    }
    memset(im->data, 0xFF, sizeof im->data);
    im->size = (uint32_t)fread(im->data, 1, sizeof im->data, f);
    fclose(f);
    im->size = (im->size + 1u) & ~1u;
    im->crc = proto_crc32(0, im->data, im->size);
    im->version = version;
    return im->size ? 0 : -1;
}

/* old committed as a direct update leaves it, new staged with its request. */
static void initial_flash(uint8_t *flash, const struct story *s)
{
    struct proto_record r;
    struct proto_stage_trailer t;
    memset(flash, 0xFF, FLASH);
    memcpy(flash + OFF(lay.primary), s->old_img->data, s->old_img->size);
    proto_record_make(&r, s->old_img->size, s->old_img->crc, (uint32_t)s->old_img->version);
    memcpy(flash + OFF(RECORD), &r, sizeof r);
    memcpy(flash + OFF(lay.image), s->new_img->data, s->new_img->size);
    proto_stage_trailer_make(&t, s->new_img->size, s->new_img->crc,
                             (uint32_t)s->new_img->version);
    t.request = 0;
    memcpy(flash + OFF(lay.trailer), &t, sizeof t);
}

static uint8_t *flash_of; /* for rd() */
static const uint8_t *rd(uint32_t a) { return flash_of + OFF(a); }

/* Which image a valid record describes, whole: 1/2/3, 0 without a record, -1 a mix. */
static int holds(const uint8_t *flash)
{
    struct proto_record r;
    memcpy(&r, flash + OFF(RECORD), sizeof r);
    if (r.magic != PROTO_RECORD_MAGIC || proto_crc32(0, &r, 20) != r.rec_crc)
        return 0;
    const struct img *all[] = {&v1, &v2, &v3crash};
    for (int i = 0; i < 3; i++)
        if (r.size == all[i]->size && r.image_crc == all[i]->crc &&
            memcmp(flash + OFF(lay.primary), all[i]->data, r.size) == 0)
            return all[i]->version;
    return -1;
}

struct run {
    int exit;
    long ops;
    char out[8192];
};

static int read_flash(const char *path, uint8_t *flash)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(flash, 1, FLASH, f) : 0;
    if (f)
        fclose(f);
    return n == FLASH ? 0 : -1;
}

static int write_flash(const char *path, const uint8_t *flash)
{
    FILE *f = fopen(path, "wb");
    size_t n = f ? fwrite(flash, 1, FLASH, f) : 0;
    return f && fclose(f) == 0 && n == FLASH ? 0 : -1;
}

/* Powers the board up on path (the bootloader preloaded), cut at operation cut (0: none), until
 * stop appears on its line or stop_ms of its time pass. */
static void power_up(const char *path, long cut, const char *stop, unsigned stop_ms,
                     struct run *r)
{
    int sv[2];
    memset(r, 0, sizeof *r);
    r->exit = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return;
    struct emu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.part = "f103cb";
    cfg.flash_file = path;
    cfg.preload[0].path = boot_elf;
    cfg.npreload = 1;
    cfg.uart_mode = EMU_UART_FD;
    cfg.uart_fd = sv[1];
    cfg.uart_index = 1;
    cfg.power_cut_at = cut;
    cfg.power_cut_seed = (uint32_t)(cut * 7919 + 1);
    cfg.stop_on_uart = stop;
    cfg.stop_after_ns = (uint64_t)stop_ms * 1000000u;
    struct emu *e = emu_create(&cfg);
    if (e) {
        r->exit = emu_run(e);
        r->ops = emu_flash_ops(e);
        emu_destroy(e);
    }
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    size_t n = 0;
    ssize_t k;
    while (n < sizeof r->out - 1 && (k = read(sv[0], r->out + n, sizeof r->out - 1 - n)) > 0)
        n += (size_t)k;
    r->out[n] = 0;
    for (size_t i = 0; i < n; i++)
        if (!r->out[i])
            r->out[i] = ' ';
    close(sv[0]);
    close(sv[1]);
}

/* The story's end: the image that must run, the state the flash must say. */
static bool settled(const uint8_t *flash, const struct story *s)
{
    struct proto_stage_view v;
    flash_of = (uint8_t *)flash;
    proto_stage_view(&v, &lay, rd, RECORD);
    if (s->confirms)
        return holds(flash) == s->new_img->version && v.state == PROTO_STAGE_CONFIRMED;
    return holds(flash) == s->old_img->version && v.state == PROTO_STAGE_ROLLED_BACK &&
           v.hdr.to_staging.crc == s->new_img->crc;
}

static const char *const why[] = {
    "ok", "the story was not cut", "a valid record over a mix of images",
    "the power-up after the cut faulted or never settled", "the story ended elsewhere",
    "cannot set up the board",
};

static int cut_point(const struct story *s, long n, char *detail, size_t dsize)
{
    static uint8_t flash[FLASH];
    static struct run r;
    char path[300];
    snprintf(path, sizeof path, "%s/board.%d.img", tmpdir, (int)getpid());
    initial_flash(flash, s);
    if (write_flash(path, flash))
        return 5;
    power_up(path, n, s->end_text, 120000, &r);
    if (r.exit != EMU_EXIT_POWER_CUT) {
        snprintf(detail, dsize, "exit %d", r.exit);
        return 1;
    }
    if (read_flash(path, flash))
        return 5;
    int h = holds(flash);
    if (h < 0)
        return 2;
    power_up(path, 0, s->end_text, 120000, &r);
    if (read_flash(path, flash))
        return 5;
    if (r.exit != EMU_EXIT_OK || strstr(r.out, "HardFault") ) {
        snprintf(detail, dsize, "held %d after the cut; exit %d: %.120s", h, r.exit, r.out);
        return 3;
    }
    if (!settled(flash, s)) {
        snprintf(detail, dsize, "held %d after the cut, %d in the end", h, holds(flash));
        return 4;
    }
    return -h; /* <= 0: ok, minus what the record held after the cut */
}

struct outcome {
    long n;
    int bad, held;
    char detail[200];
};

static void sweep(const struct story *s)
{
    static uint8_t flash[FLASH];
    static struct run r;
    char path[300];
    double t0 = now_s();
    snprintf(path, sizeof path, "%s/clean.img", tmpdir);
    initial_flash(flash, s);
    CHECK_EQ(write_flash(path, flash), 0);
    power_up(path, 0, s->end_text, 120000, &r);
    CHECK_EQ(r.exit, EMU_EXIT_OK);
    CHECK_EQ(read_flash(path, flash), 0);
    CHECK(settled(flash, s));
    long total = r.ops;
    printf("  %s: %ld flash operations without a cut\n", s->name, total);

    long *ns = malloc(sizeof(long) * (size_t)(total + 1)), m = 0;
    for (long n = 1; n <= total; n++)
        if (only ? n == only : full || n <= 40 || n > total - 40 || n % stride == 0)
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
            int null = only ? -1 : open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 2);
            for (long i = j; i < m; i += jobs) {
                struct outcome oc = {ns[i], 0, 0, ""};
                int rc = cut_point(s, ns[i], oc.detail, sizeof oc.detail);
                oc.bad = rc > 0 ? rc : 0;
                oc.held = rc <= 0 ? -rc : -1;
                if (write(fds[j][1], &oc, sizeof oc) != (ssize_t)sizeof oc)
                    _exit(1);
            }
            _exit(0);
        }
        close(fds[j][1]);
    }
    long done = 0, bad = 0, held[4] = {0};
    for (int j = 0; j < jobs; j++) {
        struct outcome oc;
        while (read(fds[j][0], &oc, sizeof oc) == (ssize_t)sizeof oc) {
            done++;
            if (oc.bad) {
                if (++bad <= 10)
                    printf("  bad outcome at cut %ld/%ld: %s %s\n", oc.n, total, why[oc.bad],
                           oc.detail);
            } else if (oc.held >= 0 && oc.held < 4) {
                held[oc.held]++;
            }
        }
        close(fds[j][0]);
        int status = 0;
        waitpid(pids[j], &status, 0);
    }
    free(ns);
    printf("  %s: %ld cut points of %ld operations, %ld bad outcomes; the record after the cut: "
           "none (an operation in progress) %ld, v1 %ld, v2 %ld, v3 %ld (%.0f s)\n",
           s->name, done, total, bad, held[0], held[1], held[2], held[3],
           now_s() - t0);
    cuts_total += done;
    bad_total += bad;
    CHECK_EQ(done, m);
    CHECK_EQ(bad, 0);
}

static const struct story install = {"install (v1 -> v2, v2 confirms)", &v1, &v2,
                                     "app v2 tick 3", true};
static const struct story rollback = {"rollback (v2 -> v3 that crashes -> v2)", &v2, &v3crash,
                                      "app v2 tick 1", false};
static const char *which = NULL;

TEST(power_cut_sweep_of_an_install_and_its_confirm)
{
    if (!which || !strcmp(which, "install"))
        sweep(&install);
}
TEST(power_cut_sweep_of_an_install_its_failing_trial_and_the_rollback)
{
    if (!which || !strcmp(which, "rollback"))
        sweep(&rollback);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full"))
            full = true;
        else if (!strcmp(argv[i], "--stride") && i + 1 < argc)
            stride = atol(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = atol(argv[++i]);
        else if (!strcmp(argv[i], "--jobs") && i + 1 < argc)
            jobs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--story") && i + 1 < argc)
            which = argv[++i];
        else
            build = argv[i];
    }
    if (jobs < 1 || jobs > 16)
        jobs = 2;
    if (stride < 1)
        stride = 97;
    snprintf(boot_elf, sizeof boot_elf, "%s/staged/boot.elf", build);
    if (access(boot_elf, R_OK) || load("app-v1.bin", &v1, 1) || load("app-v2.bin", &v2, 2) ||
        load("app-v3-crash.bin", &v3crash, 3)) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    proto_stage_layout(&lay, PROTO_FLASH_BASE + BOOT_SZ, RECORD, PAGE);
    if (!only && !freopen("/dev/null", "w", stderr))
        return 1;
    snprintf(tmpdir, sizeof tmpdir, "%s/iap-stage-cut-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(tmpdir))
        return 1;
    printf("staged power-cut sweep on %s (f103cb: slots of %u bytes), %s\n", boot_elf, lay.slot,
           full ? "every operation" : only ? "one cut point" : "first/last 40 and every K-th");
    RUN(power_cut_sweep_of_an_install_and_its_confirm);
    RUN(power_cut_sweep_of_an_install_its_failing_trial_and_the_rollback);
    printf("staged power-cut sweep (real binary): %ld cut points, %ld bad outcomes\n", cuts_total,
           bad_total);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    return test_summary();
}
