/* Flash manager against the fake F1 flash: range checks, erase-on-first-write, validity rule. */
#include "flashmgr.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "test.h"

#define APP PROTO_APP_START
#define END64 0x0800FC00u

static uint8_t img[8192];

static void setup(uint32_t size)
{
    sim_reset(size);
    session_init();
}

TEST(fake_flash_refuses_programming_a_non_erased_cell)
{
    setup(64 * 1024);
    uint8_t a[2] = {0x12, 0x34}, b[2] = {0x56, 0x78}, z[2] = {0, 0};
    CHECK_EQ(port_flash_program(APP, a, 2), PROTO_OK);
    CHECK_EQ(port_flash_program(APP, b, 2), PROTO_E_FLASH);
    CHECK_EQ(sim_pgerr, 1);
    CHECK_EQ(port_flash_program(APP, z, 2), PROTO_OK); /* 0x0000 always programs on the F1 */
    CHECK_EQ(port_flash_erase_page(APP, SIM_MD_PAGE), PROTO_OK);
    CHECK_EQ(*sim_flash_at(APP), 0xFF);
}

TEST(app_end_follows_flash_size)
{
    setup(64 * 1024);
    CHECK_EQ(fm_app_end(), END64);
    setup(128 * 1024);
    CHECK_EQ(fm_app_end(), 0x0801FC00u);
}

TEST(write_erases_record_page_then_each_page_on_first_touch)
{
    setup(64 * 1024);
    *sim_flash_at(END64) = 0x00;        /* stale record */
    *sim_flash_at(APP + 100) = 0x00;    /* stale data in the page to be written */
    *sim_flash_at(APP + 1024) = 0x00;   /* a page not touched stays */
    uint8_t d[4] = {1, 2, 3, 4};
    CHECK_EQ(fm_write(APP, d, 4), PROTO_OK);
    CHECK_EQ(*sim_flash_at(END64), 0xFF);
    CHECK_EQ(*sim_flash_at(APP + 100), 0xFF);
    CHECK_EQ(*sim_flash_at(APP + 1024), 0x00);
    CHECK_MEM(sim_flash_at(APP), d, 4);
    long ops = sim_ops;
    CHECK_EQ(fm_write(APP + 4, d, 4), PROTO_OK); /* same page: no second erase */
    CHECK_EQ(sim_ops, ops + 2);
}

TEST(write_skips_equal_half_words)
{
    setup(64 * 1024);
    uint8_t d[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_EQ(fm_write(APP + 8, d, 8), PROTO_OK);
    long ops = sim_ops;
    CHECK_EQ(fm_write(APP + 8, d, 8), PROTO_OK);
    CHECK_EQ(sim_ops, ops);
}

TEST(write_onto_different_data_is_not_erased)
{
    setup(64 * 1024);
    uint8_t d[2] = {1, 2}, e[2] = {3, 4};
    CHECK_EQ(fm_write(APP, d, 2), PROTO_OK);
    CHECK_EQ(fm_write(APP, e, 2), PROTO_E_NOT_ERASED);
    CHECK_EQ(sim_pgerr, 0);
    fm_new_session(); /* a new session erases the page again on first write */
    CHECK_EQ(fm_write(APP, e, 2), PROTO_OK);
}

TEST(write_refuses_out_of_range_and_odd)
{
    setup(64 * 1024);
    uint8_t d[4] = {0};
    CHECK_EQ(fm_write(APP - 2, d, 4), PROTO_E_RANGE);
    CHECK_EQ(fm_write(PROTO_FLASH_BASE, d, 2), PROTO_E_RANGE);
    CHECK_EQ(fm_write(END64 - 2, d, 4), PROTO_E_RANGE);
    CHECK_EQ(fm_write(END64, d, 2), PROTO_E_RANGE);
    CHECK_EQ(fm_write(0x08010000u, d, 2), PROTO_E_RANGE);
    CHECK_EQ(fm_write(0xFFFFFFFEu, d, 4), PROTO_E_RANGE);
    CHECK_EQ(fm_write(APP + 1, d, 2), PROTO_E_ALIGN);
    CHECK_EQ(fm_write(APP, d, 3), PROTO_E_ALIGN);
    CHECK_EQ(sim_ops, 0);
    CHECK_EQ(fm_write(END64 - 4, d, 4), PROTO_OK);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(erase_refuses_out_of_range)
{
    setup(64 * 1024);
    CHECK_EQ(fm_erase(APP - SIM_MD_PAGE, SIM_MD_PAGE), PROTO_E_RANGE);
    CHECK_EQ(fm_erase(APP, 0x10000), PROTO_E_RANGE);
    CHECK_EQ(fm_erase(END64, SIM_MD_PAGE), PROTO_E_RANGE);
    CHECK_EQ(fm_erase(0xFFFFFC00u, 0x800), PROTO_E_RANGE);
    CHECK_EQ(fm_erase(APP, 0), PROTO_E_LEN);
    CHECK_EQ(sim_ops, 0);
    CHECK_EQ(fm_erase(APP + 10, 1020), PROTO_OK); /* covers two pages, plus the record page */
    CHECK_EQ(sim_ops, 3);
    CHECK_EQ(fm_erase(APP, END64 - APP), PROTO_OK);
    CHECK_EQ(sim_boot_writes, 0);
}

TEST(flash_failure_is_reported)
{
    setup(64 * 1024);
    uint8_t d[2] = {1, 2};
    sim_fail_at(1); /* the record erase */
    CHECK_EQ(fm_write(APP, d, 2), PROTO_E_FLASH);
    sim_fail_at(3); /* record ok, page ok, program fails */
    CHECK_EQ(fm_write(APP, d, 2), PROTO_E_FLASH);
    CHECK_EQ(fm_write(APP, d, 2), PROTO_OK);
}

TEST(commit_makes_app_valid)
{
    setup(64 * 1024);
    struct proto_record r;
    sh_image(img, 4096, 1);
    CHECK(!fm_app_valid(NULL));
    CHECK_EQ(fm_write(APP, img, 4096), PROTO_OK);
    CHECK(!fm_app_valid(NULL));
    CHECK_EQ(fm_commit(4096, proto_crc32(0, img, 4096), 7), PROTO_OK);
    CHECK(fm_app_valid(&r));
    CHECK_EQ(r.size, 4096);
    CHECK_EQ(r.version, 7);
    CHECK_EQ(r.image_crc, proto_crc32(0, img, 4096));
}

TEST(commit_refuses_wrong_crc_size_vectors)
{
    setup(64 * 1024);
    sh_image(img, 4096, 1);
    uint32_t crc = proto_crc32(0, img, 4096);
    CHECK_EQ(fm_write(APP, img, 4096), PROTO_OK);
    CHECK_EQ(fm_commit(4096, crc ^ 1, 1), PROTO_E_IMAGE_CRC);
    CHECK_EQ(fm_commit(0, crc, 1), PROTO_E_SIZE);
    CHECK_EQ(fm_commit(END64 - APP + 2, crc, 1), PROTO_E_SIZE);
    CHECK_EQ(fm_commit(0xFFFFFFFFu, crc, 1), PROTO_E_SIZE);
    CHECK(!fm_app_valid(NULL));
    CHECK_EQ(*sim_flash_at(END64), 0xFF); /* nothing programmed */
}

static int commit_with_vectors(uint32_t sp, uint32_t pc)
{
    setup(64 * 1024);
    sh_image(img, 2048, 3);
    proto_put32(img, sp);
    proto_put32(img + 4, pc);
    /* the vectors in two writes: only COMMIT sees them whole (a write of the whole vector table
     * is checked before the record page is erased: see below) */
    if (fm_write(APP, img, 4) || fm_write(APP + 4, img + 4, 2044))
        return 99;
    return fm_commit(2048, proto_crc32(0, img, 2048), 1);
}

/* Issue 11: a file that is not firmware erased the working application before COMMIT refused
 * it. The write that carries the vector table is checked before the record page is erased. */
TEST(write_of_vectors_that_are_no_program_is_refused_before_anything_is_erased)
{
    setup(64 * 1024);
    sh_image(img, 2048, 3);
    CHECK_EQ(fm_write(APP, img, 2048), PROTO_OK);
    CHECK_EQ(fm_commit(2048, proto_crc32(0, img, 2048), 1), PROTO_OK);
    static const char text[] = "# stm32-iap\n\nIn-application programming";
    long ops = sim_ops;
    CHECK_EQ(fm_write(APP, (const uint8_t *)text, 16), PROTO_E_VECTOR);
    proto_put32(img, 0x20005000u);
    proto_put32(img + 4, 0x08000101u); /* reset vector in the bootloader */
    CHECK_EQ(fm_write(APP, img, 8), PROTO_E_VECTOR);
    proto_put32(img + 4, 0x0800FC01u); /* reset vector past the application area */
    CHECK_EQ(fm_write(APP, img, 8), PROTO_E_VECTOR);
    CHECK_EQ(sim_ops, ops);
    CHECK(fm_app_valid(NULL));
}

TEST(write_of_plausible_vectors_reaching_past_the_image_is_left_to_commit)
{
    CHECK_EQ(commit_with_vectors(0x20005000u, APP + 0x1001), PROTO_E_VECTOR); /* past 2 KB */
    setup(64 * 1024);
    sh_image(img, 2048, 3);
    proto_put32(img + 4, APP + 0x1001);
    CHECK_EQ(fm_write(APP, img, 2048), PROTO_OK); /* inside the area: the size is not known yet */
}

TEST(commit_checks_initial_sp_and_reset_vector)
{
    CHECK_EQ(commit_with_vectors(0x20005000u, APP + 0x101), PROTO_OK);
    CHECK_EQ(commit_with_vectors(0x20000004u, APP + 0x801 - 2), PROTO_OK);
    CHECK_EQ(commit_with_vectors(0x20000000u, APP + 0x101), PROTO_E_VECTOR);
    CHECK_EQ(commit_with_vectors(0x20005004u, APP + 0x101), PROTO_E_VECTOR);
    CHECK_EQ(commit_with_vectors(0x20004FFEu, APP + 0x101), PROTO_E_VECTOR);
    CHECK_EQ(commit_with_vectors(0xFFFFFFFFu, 0xFFFFFFFFu), PROTO_E_VECTOR);
    CHECK_EQ(commit_with_vectors(0x20005000u, APP + 0x100), PROTO_E_VECTOR); /* no Thumb bit */
    CHECK_EQ(commit_with_vectors(0x20005000u, 0x08000101u), PROTO_E_VECTOR); /* in bootloader */
    CHECK_EQ(commit_with_vectors(0x20005000u, APP + 2048 + 1), PROTO_E_VECTOR); /* past image */
}

TEST(validity_fails_on_any_changed_image_byte)
{
    setup(64 * 1024);
    sh_image(img, 2048, 4);
    CHECK_EQ(fm_write(APP, img, 2048), PROTO_OK);
    CHECK_EQ(fm_commit(2048, proto_crc32(0, img, 2048), 1), PROTO_OK);
    CHECK(fm_app_valid(NULL));
    *sim_flash_at(APP + 1000) ^= 0x10;
    CHECK(!fm_app_valid(NULL));
}

TEST(write_after_commit_invalidates_again)
{
    setup(64 * 1024);
    sh_image(img, 2048, 4);
    CHECK_EQ(fm_write(APP, img, 2048), PROTO_OK);
    CHECK_EQ(fm_commit(2048, proto_crc32(0, img, 2048), 1), PROTO_OK);
    CHECK_EQ(fm_write(APP + 4096, img, 2), PROTO_OK);
    CHECK(!fm_app_valid(NULL));
}

TEST(watchdog_is_fed_during_erase)
{
    setup(128 * 1024);
    long k = sim_kicks;
    CHECK_EQ(fm_erase(APP, fm_app_end() - APP), PROTO_OK);
    CHECK(sim_kicks - k >= 119);
}

int main(void)
{
    RUN(fake_flash_refuses_programming_a_non_erased_cell);
    RUN(app_end_follows_flash_size);
    RUN(write_erases_record_page_then_each_page_on_first_touch);
    RUN(write_skips_equal_half_words);
    RUN(write_onto_different_data_is_not_erased);
    RUN(write_refuses_out_of_range_and_odd);
    RUN(erase_refuses_out_of_range);
    RUN(flash_failure_is_reported);
    RUN(commit_makes_app_valid);
    RUN(commit_refuses_wrong_crc_size_vectors);
    RUN(commit_checks_initial_sp_and_reset_vector);
    RUN(write_of_vectors_that_are_no_program_is_refused_before_anything_is_erased);
    RUN(write_of_plausible_vectors_reaching_past_the_image_is_left_to_commit);
    RUN(validity_fails_on_any_changed_image_byte);
    RUN(write_after_commit_invalidates_again);
    RUN(watchdog_is_fed_during_erase);
    return test_summary();
}
