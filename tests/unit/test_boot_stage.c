/* STAGED=1 core on the sim port (16 KB layout, the 128 KB medium-density part unless a test says
 * otherwise): the layout, the install of a requested image, the trial, the rollback, the refusals,
 * and what stays as it was (direct updates, the bootloader's pages). The staging slot is written
 * here as the flash would hold it; test_boot_stage_app.c writes it through the application's
 * library. Built by tests/staged.mk (STAGE_TEST_BUILD); unit.mk's rule for test_boot_* builds the
 * stub at the end, which says so. */
#ifdef STAGE_TEST_BUILD
#include "boot.h"
#include "flashmgr.h"
#include "frame.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "stage_sim.h"
#include "test.h"

#include "../../boot/core/stage.h"

static struct proto_stage_layout lay;
static uint8_t v1[5000], v2[7000], v3[3000];
static uint32_t v1_crc, v2_crc, v3_crc;
static uint32_t flash_size = 128u * 1024u;
static bool two_slots; /* the part of board_part has room for them */

static uint32_t record(void) { return PROTO_RECORD_ADDR(flash_size, fm_page_size()); }

/* A powered board of the given part with v1 committed by a direct update (or blank). */
static void board_part(uint8_t cls, uint32_t size, uint32_t page, bool app)
{
    flash_size = size;
    sim_reset_part(cls, size, page);
    sim_wdg_clear();
    session_init();
    two_slots = proto_stage_layout(&lay, BOOT_APP_START, fm_area_end(), page);
    if (app) {
        CHECK_EQ(fm_write(BOOT_APP_START, v1, sizeof v1), PROTO_OK);
        CHECK_EQ(fm_commit(sizeof v1, v1_crc, 1), PROTO_OK);
    }
    sim_power_cycle();
    session_init();
    sh_seq = 0;
}

static void board(bool app) { board_part(PROTO_PART_MD, 128u * 1024u, 1024u, app); }

/* The staging slot as the application leaves it: the image one page up, the trailer's header,
 * the request mark if asked. */
static void stage_raw(const uint8_t *img, uint32_t size, uint32_t version, bool request)
{
    struct proto_stage_trailer t;
    memset(sim_flash_at(lay.image), 0xFF, lay.slot);
    memset(sim_flash_at(lay.trailer), 0xFF, lay.page);
    memcpy(sim_flash_at(lay.image), img, size);
    proto_stage_trailer_make(&t, size, proto_crc32(0, img, size), version);
    if (request)
        t.request = 0;
    memcpy(sim_flash_at(lay.trailer), &t, sizeof t);
}

static const uint8_t *rd(uint32_t a) { return sim_flash_at(a); }

static void view(struct proto_stage_view *v) { proto_stage_view(v, &lay, rd, record()); }

struct boot_result {
    enum sim_exit exit;
    bool acted;
    enum boot_decision d;
};

static void boot_fn(void *arg)
{
    struct boot_result *r = arg;
    r->acted = stage_boot();
    r->d = boot_decide(0);
    if (r->d == BOOT_APP)
        boot_start_app();
}

/* A reset: what boot_main does, without the IAP loop. */
static struct boot_result reset_board(void)
{
    struct boot_result r = {SIM_RETURNED, false, BOOT_APP};
    sim_power_cycle();
    session_init();
    sim_jump_addr = 0;
    r.exit = sim_run(boot_fn, &r);
    return r;
}

/* The primary slot holds img whole under a valid record. */
static bool runs(const uint8_t *img, uint32_t size, uint32_t crc)
{
    struct proto_record rec;
    return fm_app_valid(&rec) && rec.size == size && rec.image_crc == crc &&
           memcmp(sim_flash_at(BOOT_APP_START), img, size) == 0;
}

static void confirm(void)
{
    struct proto_stage_view v;
    view(&v);
    uint32_t at = lay.status + (uint32_t)v.cur * lay.page + PROTO_STAGE_CONFIRM(lay.page);
    sim_flash_at(at)[0] = 0;
    sim_flash_at(at)[1] = 0;
}

TEST(a_128k_part_gets_two_53k_slots_and_two_status_pages)
{
    board(false);
    CHECK(two_slots);
    CHECK_EQ(lay.primary, 0x08004000u);
    CHECK_EQ(lay.slot, 53u * 1024u);
    CHECK_EQ(lay.staging, 0x08004000u + 53u * 1024u);
    CHECK_EQ(lay.image, lay.staging + 1024u);
    CHECK_EQ(lay.trailer, lay.image + lay.slot);
    CHECK_EQ(lay.status, record() - 2u * 1024u);
    CHECK(lay.trailer + lay.page <= lay.status);
    CHECK_EQ(fm_app_end(), lay.primary + lay.slot); /* direct updates: the primary slot */
}

TEST(a_64k_part_keeps_the_direct_mode)
{
    board_part(PROTO_PART_MD, 64u * 1024u, 1024u, false);
    CHECK(!two_slots);
    CHECK_EQ(fm_app_end(), fm_area_end());
    CHECK_EQ(fm_app_end(), record());
    struct boot_result r = reset_board();
    CHECK(!r.acted);
}

TEST(a_256k_part_with_2k_pages_gets_two_slots_of_57_pages)
{
    board_part(PROTO_PART_HD, 256u * 1024u, 2048u, false);
    CHECK_EQ(lay.slot, 57u * 2048u);
    CHECK_EQ(lay.status, record() - 2u * 2048u);
}

TEST(info_announces_staged_updates_and_the_primary_slot)
{
    struct sh_rsp r;
    struct proto_info info;
    board(true);
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(proto_info_decode(&info, r.data, r.len), PROTO_OK);
    CHECK(info.features & PROTO_FEAT_STAGED);
    CHECK_EQ(info.app_start, 0x08004000u);
    CHECK_EQ(info.app_end, lay.primary + lay.slot);
}

TEST(a_direct_update_still_works_and_stays_inside_the_primary_slot)
{
    board(true);
    CHECK_EQ(sh_update(v2, sizeof v2, 2, 1024, 4), PROTO_OK);
    CHECK(runs(v2, sizeof v2, v2_crc));
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, lay.staging, 1024, NULL), PROTO_E_RANGE);
    CHECK_EQ(sh_cmd2(PROTO_CMD_ERASE, lay.status, 1024, NULL), PROTO_E_RANGE);
    struct boot_result b = reset_board();
    CHECK(!b.acted);
    CHECK_EQ(b.exit, SIM_JUMPED);
    CHECK_EQ(sim_wdg_starts, 0);
}

TEST(a_requested_image_is_installed_and_boots_on_trial_with_the_watchdog)
{
    struct proto_stage_view v;
    board(true);
    stage_raw(v2, sizeof v2, 2, true);
    struct boot_result b = reset_board();
    CHECK(b.acted);
    CHECK_EQ(b.exit, SIM_JUMPED);
    CHECK_EQ(sim_jump_addr, BOOT_APP_START);
    CHECK(runs(v2, sizeof v2, v2_crc));
    /* the way back: v1 at the start of the staging slot */
    CHECK_MEM(sim_flash_at(lay.staging), v1, sizeof v1);
    view(&v);
    CHECK_EQ(v.state, PROTO_STAGE_TRIAL);
    CHECK_EQ(v.boots, 1);
    CHECK_EQ(v.staged, PROTO_STAGED_TAKEN);
    CHECK_EQ(v.result, 0);
    CHECK_EQ(v.hdr.to_staging.crc, v1_crc);
    CHECK_EQ(sim_wdg_starts, 1);
    CHECK_EQ(sim_wdg_ms, STAGE_WDG_MS);
    CHECK_EQ(sim_boot_writes, 0);
    CHECK_EQ(sim_pgerr, 0);
}

TEST(a_confirmed_image_stays_across_resets_without_the_watchdog)
{
    struct proto_stage_view v;
    board(true);
    stage_raw(v2, sizeof v2, 2, true);
    reset_board();
    confirm();
    sim_wdg_clear();
    for (int i = 0; i < 5; i++) {
        struct boot_result b = reset_board();
        CHECK(!b.acted);
        CHECK_EQ(b.exit, SIM_JUMPED);
    }
    CHECK(runs(v2, sizeof v2, v2_crc));
    CHECK_EQ(sim_wdg_starts, 0);
    view(&v);
    CHECK_EQ(v.state, PROTO_STAGE_CONFIRMED);
}

TEST(an_image_that_never_confirms_is_rolled_back_after_its_boots)
{
    struct proto_stage_view v;
    board(true);
    stage_raw(v2, sizeof v2, 2, true);
    for (unsigned i = 0; i < STAGE_TRIAL_BOOTS; i++) {
        struct boot_result b = reset_board();
        CHECK_EQ(b.exit, SIM_JUMPED);
        CHECK(runs(v2, sizeof v2, v2_crc));
    }
    struct boot_result b = reset_board();
    CHECK(b.acted);
    CHECK_EQ(b.exit, SIM_JUMPED);
    CHECK(runs(v1, sizeof v1, v1_crc));
    CHECK_MEM(sim_flash_at(lay.image), v2, sizeof v2); /* back where it was staged */
    view(&v);
    CHECK_EQ(v.state, PROTO_STAGE_ROLLED_BACK);
    CHECK_EQ(v.hdr.to_staging.version, 2u); /* the rejected one */
    CHECK_EQ(v.hdr.to_primary.version, 1u);
    /* it stays: no second install of the rejected image, no trial */
    sim_wdg_clear();
    for (int i = 0; i < 3; i++) {
        b = reset_board();
        CHECK(!b.acted);
        CHECK(runs(v1, sizeof v1, v1_crc));
    }
    CHECK_EQ(sim_wdg_starts, 0);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(a_corrupt_staged_image_is_refused_and_the_old_one_runs)
{
    struct proto_stage_view v;
    board(true);
    stage_raw(v2, sizeof v2, 2, true);
    sim_flash_at(lay.image + 3000)[0] ^= 0x10;
    long ops = sim_ops;
    struct boot_result b = reset_board();
    CHECK(b.acted);
    CHECK_EQ(b.exit, SIM_JUMPED);
    CHECK(runs(v1, sizeof v1, v1_crc));
    CHECK_EQ(sim_ops - ops, 1); /* the result mark, nothing else */
    view(&v);
    CHECK_EQ(v.staged, PROTO_STAGED_TAKEN);
    CHECK_EQ(v.result, PROTO_E_IMAGE_CRC);
    CHECK_EQ(v.state, PROTO_STAGE_NONE);
    b = reset_board();
    CHECK(!b.acted);
}

TEST(a_staged_image_with_implausible_vectors_is_refused)
{
    struct proto_stage_view v;
    uint8_t bad[2048];
    board(true);
    sh_image(bad, sizeof bad, 9);
    proto_put32(bad + 4, 0x08002101u); /* linked for the 8 KB layout */
    stage_raw(bad, sizeof bad, 2, true);
    reset_board();
    view(&v);
    CHECK_EQ(v.result, PROTO_E_VECTOR);
    CHECK(runs(v1, sizeof v1, v1_crc));
}

TEST(the_running_image_staged_again_is_not_installed)
{
    struct proto_stage_view v;
    board(true);
    stage_raw(v1, sizeof v1, 1, true);
    reset_board();
    view(&v);
    CHECK_EQ(v.result, PROTO_E_STAGE_CURRENT);
    CHECK_EQ(v.state, PROTO_STAGE_NONE);
}

TEST(without_a_valid_image_to_keep_the_install_is_refused)
{
    struct proto_stage_view v;
    board(false);
    stage_raw(v2, sizeof v2, 2, true);
    struct boot_result b = reset_board();
    CHECK_EQ(b.exit, SIM_RETURNED);
    CHECK_EQ(b.d, BOOT_IAP_NO_APP);
    view(&v);
    CHECK_EQ(v.result, PROTO_E_STAGE_NO_APP);
}

TEST(a_finished_image_without_a_request_is_not_installed)
{
    struct proto_stage_view v;
    board(true);
    stage_raw(v2, sizeof v2, 2, false);
    struct boot_result b = reset_board();
    CHECK(!b.acted);
    CHECK(runs(v1, sizeof v1, v1_crc));
    view(&v);
    CHECK_EQ(v.staged, PROTO_STAGED_READY);
}

TEST(a_direct_update_during_a_trial_ends_the_trial)
{
    struct proto_stage_view v;
    board(true);
    stage_raw(v2, sizeof v2, 2, true);
    reset_board();
    sim_power_cycle();
    session_init();
    sh_seq = 0;
    CHECK_EQ(sh_update(v3, sizeof v3, 3, 1024, 4), PROTO_OK);
    view(&v);
    CHECK_EQ(v.state, PROTO_STAGE_NONE);
    sim_wdg_clear();
    for (unsigned i = 0; i < STAGE_TRIAL_BOOTS + 2; i++) {
        struct boot_result b = reset_board();
        CHECK(!b.acted);
        CHECK(runs(v3, sizeof v3, v3_crc));
    }
    CHECK_EQ(sim_wdg_starts, 0);
}

static void start_app(void *arg)
{
    (void)arg;
    boot_start_app();
}

TEST(a_jump_with_the_trial_out_of_boots_resets_into_the_rollback)
{
    board(true);
    stage_raw(v2, sizeof v2, 2, true);
    for (unsigned i = 0; i < STAGE_TRIAL_BOOTS; i++)
        reset_board();
    /* an IAP session's RESET or its idle timeout starts the application */
    sim_power_cycle();
    session_init();
    CHECK_EQ(sim_run(start_app, NULL), SIM_RESET);
    struct boot_result b = reset_board();
    CHECK(b.acted);
    CHECK(runs(v1, sizeof v1, v1_crc));
}

TEST(an_old_image_larger_than_the_new_one_comes_back_whole)
{
    board(true);
    stage_raw(v3, sizeof v3, 3, true); /* 3 pages over 5 */
    reset_board();
    CHECK(runs(v3, sizeof v3, v3_crc));
    CHECK_MEM(sim_flash_at(lay.staging), v1, sizeof v1);
    for (unsigned i = 0; i < STAGE_TRIAL_BOOTS; i++)
        reset_board();
    CHECK(runs(v1, sizeof v1, v1_crc));
    CHECK_MEM(sim_flash_at(lay.image), v3, sizeof v3);
}

TEST(install_and_rollback_on_2k_pages)
{
    board_part(PROTO_PART_HD, 256u * 1024u, 2048u, true);
    stage_raw(v2, sizeof v2, 2, true);
    reset_board();
    CHECK(runs(v2, sizeof v2, v2_crc));
    for (unsigned i = 0; i < STAGE_TRIAL_BOOTS; i++)
        reset_board();
    CHECK(runs(v1, sizeof v1, v1_crc));
    CHECK_EQ(sim_erase_size_wrong, 0);
}

TEST(the_slot_functions_refuse_the_bootloader_the_record_and_beyond)
{
    static const uint8_t zero[2];
    board(true);
    CHECK_EQ(fm_slot_erase(PROTO_FLASH_BASE), PROTO_E_RANGE);
    CHECK_EQ(fm_slot_erase(BOOT_APP_START - 1024u), PROTO_E_RANGE);
    CHECK_EQ(fm_slot_erase(record()), PROTO_E_RANGE);
    CHECK_EQ(fm_slot_erase(lay.status + 1u), PROTO_E_ALIGN);
    CHECK_EQ(fm_slot_program(record(), zero, 2), PROTO_E_RANGE);
    CHECK_EQ(fm_slot_program(BOOT_APP_START - 2u, zero, 2), PROTO_E_RANGE);
    CHECK_EQ(fm_slot_program(0xFFFFFFFEu, zero, 4), PROTO_E_RANGE);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(stage_status_reports_the_trial_then_the_rejected_version)
{
    struct sh_rsp r;
    struct proto_stage_status st;
    board(true);
    stage_raw(v2, sizeof v2, 2, true);
    reset_board();
    sim_power_cycle();
    session_init();
    sh_seq = 0;
    CHECK_EQ(sh_cmd(PROTO_CMD_STAGE_STATUS, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(proto_stage_status_decode(&st, r.data, r.len), PROTO_OK);
    CHECK_EQ(st.role, PROTO_STAGE_ROLE_BOOT);
    CHECK_EQ(st.mode, 1);
    CHECK_EQ(st.state, PROTO_STAGE_TRIAL);
    CHECK_EQ(st.trial_boots, 1);
    CHECK_EQ(st.trial_max, STAGE_TRIAL_BOOTS);
    CHECK_EQ(st.running.version, 2u);
    CHECK_EQ(st.previous.version, 1u);
    CHECK_EQ(st.image, lay.image);
    CHECK_EQ(st.slot_size, lay.slot);
    for (unsigned i = 0; i < STAGE_TRIAL_BOOTS; i++)
        reset_board();
    sim_power_cycle();
    session_init();
    sh_seq = 0;
    CHECK_EQ(sh_cmd(PROTO_CMD_STAGE_STATUS, NULL, 0, &r), PROTO_OK);
    CHECK_EQ(proto_stage_status_decode(&st, r.data, r.len), PROTO_OK);
    CHECK_EQ(st.state, PROTO_STAGE_ROLLED_BACK);
    CHECK_EQ(st.previous.version, 2u);
    CHECK_EQ(st.previous.crc, v2_crc);
    CHECK_EQ(st.running.version, 1u);
    CHECK_EQ(sh_cmd(PROTO_CMD_STAGE_BEGIN, NULL, 0, &r), PROTO_E_CMD); /* the application's */
}

TEST(a_new_staged_image_after_a_rollback_is_installed)
{
    board(true);
    stage_raw(v2, sizeof v2, 2, true);
    for (unsigned i = 0; i <= STAGE_TRIAL_BOOTS; i++)
        reset_board();
    CHECK(runs(v1, sizeof v1, v1_crc));
    stage_raw(v3, sizeof v3, 3, true);
    struct boot_result b = reset_board();
    CHECK(b.acted);
    CHECK(runs(v3, sizeof v3, v3_crc));
    confirm();
    for (int i = 0; i < 4; i++)
        reset_board();
    CHECK(runs(v3, sizeof v3, v3_crc));
}

int main(void)
{
    sh_image(v1, sizeof v1, 1);
    sh_image(v2, sizeof v2, 2);
    sh_image(v3, sizeof v3, 3);
    v1_crc = proto_crc32(0, v1, sizeof v1);
    v2_crc = proto_crc32(0, v2, sizeof v2);
    v3_crc = proto_crc32(0, v3, sizeof v3);
    RUN(a_128k_part_gets_two_53k_slots_and_two_status_pages);
    RUN(a_64k_part_keeps_the_direct_mode);
    RUN(a_256k_part_with_2k_pages_gets_two_slots_of_57_pages);
    RUN(info_announces_staged_updates_and_the_primary_slot);
    RUN(a_direct_update_still_works_and_stays_inside_the_primary_slot);
    RUN(a_requested_image_is_installed_and_boots_on_trial_with_the_watchdog);
    RUN(a_confirmed_image_stays_across_resets_without_the_watchdog);
    RUN(an_image_that_never_confirms_is_rolled_back_after_its_boots);
    RUN(a_corrupt_staged_image_is_refused_and_the_old_one_runs);
    RUN(a_staged_image_with_implausible_vectors_is_refused);
    RUN(the_running_image_staged_again_is_not_installed);
    RUN(without_a_valid_image_to_keep_the_install_is_refused);
    RUN(a_finished_image_without_a_request_is_not_installed);
    RUN(a_direct_update_during_a_trial_ends_the_trial);
    RUN(a_jump_with_the_trial_out_of_boots_resets_into_the_rollback);
    RUN(an_old_image_larger_than_the_new_one_comes_back_whole);
    RUN(install_and_rollback_on_2k_pages);
    RUN(the_slot_functions_refuse_the_bootloader_the_record_and_beyond);
    RUN(stage_status_reports_the_trial_then_the_rejected_version);
    RUN(a_new_staged_image_after_a_rollback_is_installed);
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
