/* Power-cut sweep: cut power at every flash operation N = 1..total of an update, boot again and
 * check the board runs a whole valid image (old or new) or stays in IAP mode, never a mix; then a
 * fresh update must succeed. */
#include "boot.h"
#include "flashmgr.h"
#include "frame.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "test.h"

#define OLD_SIZE 4096u
#define NEW_SIZE 5000u

static uint8_t old_img[OLD_SIZE], new_img[NEW_SIZE];
static uint32_t old_crc, new_crc;
static long cuts, bad, outcomes[3]; /* IAP, old app, new app */
static bool with_erase, incremental;

/* The board before the update: blank, or running the old image. */
static void board(bool old_app)
{
    sim_reset(64 * 1024);
    session_init();
    if (old_app) {
        fm_write(BOOT_APP_START, old_img, OLD_SIZE);
        fm_commit(OLD_SIZE, old_crc, 1);
    }
    sim_power_cycle();
    session_init();
    sh_seq = 0;
}

/* What iap flash does against a device holding an older image: PAGE_CRCS, then only the pages
 * whose CRC differs, the whole-image CRC, COMMIT. */
static int incremental_update(void)
{
    struct sh_rsp r;
    uint32_t pages = (NEW_SIZE + 1023u) / 1024u;
    int rc = sh_cmd(PROTO_CMD_SYNC, NULL, 0, NULL);
    if (!rc)
        rc = sh_cmd2(PROTO_CMD_PAGE_CRCS, BOOT_APP_START, pages, &r);
    for (uint32_t p = 0; !rc && p < pages; p++) {
        uint8_t page[1024];
        uint32_t n = NEW_SIZE - p * 1024u < 1024u ? NEW_SIZE - p * 1024u : 1024u;
        memset(page, 0xFF, sizeof page);
        memcpy(page, new_img + p * 1024u, n);
        if (proto_crc32(0, page, sizeof page) != proto_get32(r.data + 4 * p))
            rc = sh_write(BOOT_APP_START + p * 1024u, page, (n + 1u) & ~1u);
    }
    if (!rc)
        rc = sh_cmd2(PROTO_CMD_CRC, BOOT_APP_START, NEW_SIZE, &r);
    if (!rc && proto_get32(r.data) != new_crc)
        return 99;
    return rc ? rc : sh_commit(NEW_SIZE, new_crc, 2);
}

static void update(void *arg)
{
    int *rc = arg;
    if (incremental) {
        *rc = incremental_update();
        return;
    }
    if (with_erase) {
        *rc = sh_cmd2(PROTO_CMD_ERASE, BOOT_APP_START, NEW_SIZE, NULL);
        if (*rc)
            return;
    }
    *rc = sh_update(new_img, NEW_SIZE, 2, 1024, 4);
}

static void decide(void *arg)
{
    *(enum boot_decision *)arg = boot_decide(0);
}

/* After a cut: power up, decide, classify. Returns false for a bad outcome. */
static bool check_after_cut(void)
{
    enum boot_decision d = BOOT_APP;
    sim_power_cycle();
    session_init();
    enum sim_exit e = sim_run(decide, &d);
    struct proto_record rec;
    if (e == SIM_RETURNED && d == BOOT_IAP_NO_APP) {
        outcomes[0]++;
        return !fm_app_valid(NULL);
    }
    if (e != SIM_JUMPED || !fm_app_valid(&rec))
        return false;
    if (rec.image_crc == old_crc && rec.size == OLD_SIZE &&
        memcmp(sim_flash_at(BOOT_APP_START), old_img, OLD_SIZE) == 0) {
        outcomes[1]++;
        return true;
    }
    if (rec.image_crc == new_crc && rec.size == NEW_SIZE &&
        memcmp(sim_flash_at(BOOT_APP_START), new_img, NEW_SIZE) == 0) {
        outcomes[2]++;
        return true;
    }
    return false;
}

static bool fresh_update_succeeds(void)
{
    struct proto_record rec;
    sim_power_cycle();
    session_init();
    sh_seq = 0;
    int rc = 100;
    if (sim_run(update, &rc) != SIM_RETURNED || rc != PROTO_OK)
        return false;
    return fm_app_valid(&rec) && rec.image_crc == new_crc;
}

static void sweep(bool old_app, bool erase_first)
{
    int rc = 100;
    with_erase = erase_first;
    incremental = false;
    board(old_app);
    long ops0 = sim_ops;
    CHECK_EQ(sim_run(update, &rc), SIM_RETURNED);
    CHECK_EQ(rc, PROTO_OK);
    long total = sim_ops - ops0;
    long my_cuts = 0, my_bad = 0;
    memset(outcomes, 0, sizeof outcomes);
    for (long n = 1; n <= total; n++) {
        board(old_app);
        sim_cut_at(n);
        enum sim_exit e = sim_run(update, &rc);
        my_cuts++;
        bool ok = e == SIM_POWER_CUT && check_after_cut() && fresh_update_succeeds() &&
                  sim_pgerr == 0 && sim_boot_writes == 0;
        if (!ok) {
            my_bad++;
            if (my_bad <= 5)
                printf("  bad outcome at cut %ld/%ld (exit %d)\n", n, total, (int)e);
        }
    }
    printf("  %s%s: %ld cut points, %ld bad outcomes (IAP %ld, old app %ld, new app %ld)\n",
           old_app ? "replace a valid app" : "first-time update",
           erase_first ? ", ERASE first" : "", my_cuts, my_bad, outcomes[0], outcomes[1],
           outcomes[2]);
    cuts += my_cuts;
    bad += my_bad;
    CHECK(my_cuts == total && total > NEW_SIZE / 2);
    CHECK_EQ(my_bad, 0);
}

TEST(power_cut_sweep_first_time_update) { sweep(false, false); }
TEST(power_cut_sweep_replacing_a_valid_app) { sweep(true, false); }
TEST(power_cut_sweep_replacing_with_explicit_erase) { sweep(true, true); }

/* Issue 15: an update that writes only the pages that differ keeps the rule: the record page is
 * erased before the first write and written last, over the whole image. */
TEST(power_cut_sweep_of_an_incremental_update)
{
    int rc = 100;
    with_erase = false;
    board(true);
    incremental = true;
    long ops0 = sim_ops;
    CHECK_EQ(sim_run(update, &rc), SIM_RETURNED);
    CHECK_EQ(rc, PROTO_OK);
    long total = sim_ops - ops0, my_bad = 0;
    memset(outcomes, 0, sizeof outcomes);
    for (long n = 1; n <= total; n++) {
        board(true);
        incremental = true;
        sim_cut_at(n);
        enum sim_exit e = sim_run(update, &rc);
        if (!(e == SIM_POWER_CUT && check_after_cut() && fresh_update_succeeds() &&
              sim_pgerr == 0 && sim_boot_writes == 0))
            my_bad++;
    }
    printf("  incremental update (%ld flash operations instead of a full one's): %ld cut points, "
           "%ld bad outcomes (IAP %ld, old app %ld, new app %ld)\n", total, total, my_bad,
           outcomes[0], outcomes[1], outcomes[2]);
    cuts += total;
    bad += my_bad;
    CHECK(total > 0 && total < NEW_SIZE / 2); /* fewer than a full write: pages were skipped */
    CHECK_EQ(my_bad, 0);
}

int main(void)
{
    sh_image(old_img, OLD_SIZE, 11);
    sh_image(new_img, NEW_SIZE, 12);
    memcpy(new_img + 1024, old_img + 1024, 2048); /* the new image shares two pages with the old */
    old_crc = proto_crc32(0, old_img, OLD_SIZE);
    new_crc = proto_crc32(0, new_img, NEW_SIZE);
    RUN(power_cut_sweep_first_time_update);
    RUN(power_cut_sweep_replacing_a_valid_app);
    RUN(power_cut_sweep_replacing_with_explicit_erase);
    RUN(power_cut_sweep_of_an_incremental_update);
    printf("power-cut sweep: %ld cut points, %ld bad outcomes\n", cuts, bad);
    return test_summary();
}
