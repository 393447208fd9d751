/* Power-cut sweeps of staged updates on the sim port's fake F1 flash: for every flash operation N
 * of a whole story (the install at reset, the trial boots, the rollback), cut power at N, then let
 * the story go on (resets, the application confirming or not). Every jump must land in a whole
 * image, v1 or v2, under a valid record (never a mix), and the story must end where a story
 * without a cut ends: v2 confirmed, or v1 back with v2 rejected.
 *   test_boot_stage_powercut [--full]
 * Without --full (make test): the first and last 50 operations of each story and every 7th;
 * --full (make stage-sweep): every operation. Built by tests/staged.mk (STAGE_TEST_BUILD;
 * unit.mk's rule builds the stub at the end). */
#ifdef STAGE_TEST_BUILD
#include "boot.h"
#include "flashmgr.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "stage_sim.h"
#include "test.h"

#include "../../boot/core/stage.h"

#define MAX_FLASH (256u * 1024u)
#define RESETS    (4u * STAGE_TRIAL_BOOTS + 8u) /* far more than any story needs */

struct story {
    const char *name;
    uint8_t cls;
    uint32_t flash, page, old_size, new_size;
    bool confirms; /* v2 confirms at its first boot; otherwise it never does */
};

static uint8_t old_img[40000], new_img[40000];
static uint32_t old_crc, new_crc;
static uint8_t start[MAX_FLASH];
static struct proto_stage_layout lay;
static const struct story *cur;
static long cuts_total, bad_total;
static long cut_abs; /* the operation number (sim_ops) to cut at, 0 = none */
static bool full;

static const uint8_t *rd(uint32_t a) { return sim_flash_at(a); }

static void view(struct proto_stage_view *v)
{
    proto_stage_view(v, &lay, rd, PROTO_RECORD_ADDR(cur->flash, cur->page));
}

/* v1 committed by a direct update, v2 staged with its request: the flash before the story. */
static void setup(void)
{
    struct proto_stage_trailer t;
    old_crc = proto_crc32(0, old_img, cur->old_size);
    new_crc = proto_crc32(0, new_img, cur->new_size);
    sim_reset_part(cur->cls, cur->flash, cur->page);
    session_init();
    proto_stage_layout(&lay, BOOT_APP_START, fm_area_end(), cur->page);
    fm_write(BOOT_APP_START, old_img, cur->old_size);
    fm_commit(cur->old_size, old_crc, 1);
    memcpy(sim_flash_at(lay.image), new_img, cur->new_size);
    proto_stage_trailer_make(&t, cur->new_size, new_crc, 2);
    t.request = 0;
    memcpy(sim_flash_at(lay.trailer), &t, sizeof t);
    memcpy(start, sim_flash, cur->flash);
}

enum { JUMP_OLD = 1, JUMP_NEW = 2, NO_JUMP = 3, CUT = 4, BAD_JUMP = 5 };

static void boot_fn(void *arg)
{
    (void)arg;
    bool acted = stage_boot();
    if (boot_decide(acted ? 0 : 0) == BOOT_APP)
        boot_start_app();
}

/* One reset; what it ended in. A jump must find a whole v1 or v2 under a valid record. */
static int reset_once(void)
{
    struct proto_record rec;
    sim_power_cycle(); /* it disarms any cut: armed again here */
    if (cut_abs > sim_ops)
        sim_cut_at(cut_abs - sim_ops);
    session_init();
    enum sim_exit e = sim_run(boot_fn, NULL);
    if (e == SIM_POWER_CUT) {
        cut_abs = 0;
        return CUT;
    }
    if (e != SIM_JUMPED)
        return NO_JUMP;
    if (!fm_app_valid(&rec))
        return BAD_JUMP;
    if (rec.size == cur->old_size && rec.image_crc == old_crc &&
        memcmp(sim_flash_at(BOOT_APP_START), old_img, cur->old_size) == 0)
        return JUMP_OLD;
    if (rec.size == cur->new_size && rec.image_crc == new_crc &&
        memcmp(sim_flash_at(BOOT_APP_START), new_img, cur->new_size) == 0)
        return JUMP_NEW;
    return BAD_JUMP;
}

/* The story from the flash as it is: resets until it settles. The application's confirm is a mark
 * written as it would (not a cut point: the sweep is over the bootloader's operations). Returns 0
 * when it ends as it must, else a reason. */
static int story(void)
{
    for (unsigned i = 0; i < RESETS; i++) {
        struct proto_stage_view v;
        int r = reset_once();
        if (r == BAD_JUMP)
            return 1;
        if (r == NO_JUMP)
            return 2; /* IAP mode: no valid application and nothing to resume */
        view(&v);
        if (r == JUMP_NEW && cur->confirms && v.state == PROTO_STAGE_TRIAL) {
            uint32_t at = lay.status + (uint32_t)v.cur * lay.page + PROTO_STAGE_CONFIRM(lay.page);
            memset(sim_flash_at(at), 0, 2);
            view(&v);
        }
        if (r == JUMP_NEW && v.state == PROTO_STAGE_CONFIRMED)
            return cur->confirms ? 0 : 3;
        if (r == JUMP_OLD && v.state == PROTO_STAGE_ROLLED_BACK)
            return cur->confirms ? 4 : (v.hdr.to_staging.crc == new_crc ? 0 : 5);
    }
    return 6; /* never settled */
}

static long story_ops(void)
{
    memcpy(sim_flash, start, cur->flash);
    long ops0 = sim_ops;
    int r = story();
    return r == 0 ? sim_ops - ops0 : -r;
}

/* Cut at n (and, when second > 0, again at the second-th operation after the first cut). */
static int cut_story(long n, long second)
{
    memcpy(sim_flash, start, cur->flash);
    cut_abs = sim_ops + n;
    for (unsigned i = 0; i < RESETS; i++) {
        int r = reset_once();
        if (r == CUT)
            break;
        if (r == BAD_JUMP)
            return 1;
        if (r == JUMP_NEW && cur->confirms) {
            struct proto_stage_view v;
            view(&v);
            if (v.state == PROTO_STAGE_TRIAL)
                memset(sim_flash_at(lay.status + (uint32_t)v.cur * lay.page +
                                    PROTO_STAGE_CONFIRM(lay.page)),
                       0, 2);
        }
    }
    if (cut_abs)
        return 8; /* the story ended before operation n */
    cut_abs = second ? sim_ops + second : 0;
    int r = story();
    cut_abs = 0;
    return r == 0 && sim_pgerr == 0 && sim_boot_writes == 0 ? 0 : r ? r : 7;
}

static void sweep(const struct story *s, long every_second)
{
    cur = s;
    setup();
    long total = story_ops();
    CHECK(total > 0);
    long bad = 0, cuts = 0;
    for (long n = 1; n <= total; n++) {
        if (!full && n > 50 && n <= total - 50 && n % 7)
            continue;
        long second = every_second && n % every_second == 0 ? 1 + (n * 7919) % 97 : 0;
        int r = cut_story(n, second);
        cuts++;
        if (r) {
            if (++bad <= 5)
                printf("  bad outcome at cut %ld/%ld%s: reason %d\n", n, total,
                       second ? " (and a second cut)" : "", r);
        }
    }
    printf("  %s: %ld cut points of %ld operations%s, %ld bad outcomes\n", s->name, cuts, total,
           every_second ? " (every k-th with a second cut in the resumed story)" : "", bad);
    cuts_total += cuts;
    bad_total += bad;
    CHECK_EQ(bad, 0);
}

static const struct story good_1k = {"install, v2 confirms (1 KB pages)", PROTO_PART_MD,
                                     128u * 1024u, 1024u, 5000, 7000, true};
static const struct story bad_1k = {"install, v2 never confirms, rollback (1 KB pages)",
                                    PROTO_PART_MD, 128u * 1024u, 1024u, 5000, 7000, false};
static const struct story bad_2k = {"install of a smaller v2, rollback (2 KB pages)",
                                    PROTO_PART_HD, 256u * 1024u, 2048u, 9000, 4100, false};
static const struct story good_2k = {"install of a larger v2, v2 confirms (2 KB pages)",
                                     PROTO_PART_HD, 256u * 1024u, 2048u, 4100, 9000, true};

TEST(power_cut_sweep_of_an_install_that_confirms) { sweep(&good_1k, 0); }
TEST(power_cut_sweep_of_an_install_and_its_rollback) { sweep(&bad_1k, 0); }
TEST(power_cut_sweep_of_a_rollback_on_2k_pages) { sweep(&bad_2k, 0); }
TEST(power_cut_sweep_of_an_install_on_2k_pages) { sweep(&good_2k, 0); }
TEST(power_cut_sweep_with_a_second_cut_while_resuming) { sweep(&bad_1k, 3); }

int main(int argc, char **argv)
{
    full = argc > 1 && strcmp(argv[1], "--full") == 0;
    sh_image(old_img, sizeof old_img, 21);
    sh_image(new_img, sizeof new_img, 22);
    /* a run of erased half-words inside each: they are skipped, not programmed */
    memset(old_img + 1500, 0xFF, 600);
    memset(new_img + 2100, 0xFF, 700);
    RUN(power_cut_sweep_of_an_install_that_confirms);
    RUN(power_cut_sweep_of_an_install_and_its_rollback);
    RUN(power_cut_sweep_of_a_rollback_on_2k_pages);
    RUN(power_cut_sweep_of_an_install_on_2k_pages);
    RUN(power_cut_sweep_with_a_second_cut_while_resuming);
    printf("staged power-cut sweep (sim, %s): %ld cut points, %ld bad outcomes\n",
           full ? "every operation" : "first/last 50 and every 7th", cuts_total, bad_total);
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
