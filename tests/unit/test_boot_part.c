/* The part table and the geometry the core derives from it (the board's class + F_SIZE): page
 * size, record page, SRAM bound of the vectors, and the refusal when F_SIZE contradicts the class.
 * On the fake flash, which erases the chip's page whatever size the caller asks for. */
#include "boot.h"
#include "flashmgr.h"
#include "frame.h"
#include "native.h"
#include "part.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "test.h"

#define APP PROTO_APP_START
#define KB 1024u

static uint8_t img[12 * 1024];

static void setup(uint8_t cls, uint32_t flash, uint32_t page)
{
    sim_reset_part(cls, flash, page);
    session_init();
    sh_seq = 0;
}

/* A plausible image for a part with sram bytes of SRAM. */
static void make_image(size_t size, uint32_t sram, uint32_t seed)
{
    sh_image(img, size, seed);
    proto_put32(img, PROTO_SRAM_BASE + sram);
}

TEST(table_gives_each_class_its_page_size_sram_and_device_id)
{
    const struct part *p = part_find(PROTO_PART_MD, 64);
    CHECK(p && p->page_size == 1024 && p->sram_kb == 20 && p->dev_id == 0x410);
    p = part_find(PROTO_PART_HD, 256);
    CHECK(p && p->page_size == 2048 && p->sram_kb == 48 && p->dev_id == 0x414);
    p = part_find(PROTO_PART_HD, 512);
    CHECK(p && p->sram_kb == 64);
    p = part_find(PROTO_PART_XL, 1024);
    CHECK(p && p->banks == 2 && p->sram_kb == 96 && p->dev_id == 0x430);
    p = part_find(PROTO_PART_CL, 64); /* 2 KB pages at every size */
    CHECK(p && p->page_size == 2048 && p->dev_id == 0x418);
}

TEST(flash_size_outside_the_class_has_no_row)
{
    CHECK(part_find(PROTO_PART_MD, 256) == NULL);
    CHECK(part_find(PROTO_PART_HD, 128) == NULL);
    CHECK(part_find(PROTO_PART_MD, 0xFFFF) == NULL); /* the erratum's F_SIZE */
}

TEST(high_density_record_is_the_last_2k_page)
{
    setup(PROTO_PART_HD, 512 * KB, 2048);
    CHECK_EQ(fm_page_size(), 2048);
    CHECK_EQ(fm_app_end(), 0x0807F800u);
    CHECK_EQ(fm_sram_size(), 64 * KB);
}

/* The defect of the fixed 1 KB page: each 1 KB WRITE erased the 2 KB page holding the previous
 * kilobyte, so no image over 1 KB could pass its CRC. */
TEST(an_image_of_several_kilobytes_commits_on_2k_pages)
{
    setup(PROTO_PART_HD, 256 * KB, 2048);
    make_image(sizeof img, 48 * KB, 3);
    CHECK_EQ(sh_update(img, sizeof img, 2, PROTO_MAX_DATA, 4), PROTO_OK);
    CHECK(fm_app_valid(NULL));
    CHECK_MEM(sim_flash_at(APP), img, sizeof img);
    CHECK_EQ(sim_erase_size_wrong, 0);
}

TEST(connectivity_line_uses_2k_pages_at_64k)
{
    setup(PROTO_PART_CL, 64 * KB, 2048);
    make_image(5000, 64 * KB, 4);
    CHECK_EQ(sh_update(img, 5000, 1, PROTO_MAX_DATA, 2), PROTO_OK);
    CHECK(fm_app_valid(NULL));
    CHECK_EQ(fm_app_end(), 0x0800F800u);
    CHECK_EQ(sim_erase_size_wrong, 0);
}

TEST(an_sp_at_the_top_of_64k_sram_is_accepted_on_a_64k_part)
{
    setup(PROTO_PART_HD, 512 * KB, 2048);
    make_image(4096, 64 * KB, 5);
    CHECK_EQ(sh_update(img, 4096, 1, PROTO_MAX_DATA, 2), PROTO_OK);
}

TEST(an_sp_past_20k_is_refused_on_a_medium_density_part)
{
    setup(PROTO_PART_MD, 64 * KB, 1024);
    make_image(4096, 48 * KB, 6);
    CHECK_EQ(sh_update(img, 4096, 1, PROTO_MAX_DATA, 2), PROTO_E_VECTOR);
    CHECK(!fm_app_valid(NULL));
}

TEST(flash_size_contradicting_the_class_refuses_writes_without_touching_flash)
{
    setup(PROTO_PART_MD, 512 * KB, 2048); /* a medium-density build on a high-density chip */
    uint8_t d[4] = {1, 2, 3, 4};
    CHECK(fm_part() == NULL);
    CHECK_EQ(fm_write(APP, d, 4), PROTO_E_PART);
    CHECK_EQ(fm_erase(APP, 4), PROTO_E_PART);
    CHECK_EQ(fm_commit(4, 0, 0), PROTO_E_PART);
    CHECK_EQ(sim_ops, 0);
    CHECK(!fm_app_valid(NULL));
}

TEST(contradiction_is_reported_by_info_and_the_error_led)
{
    setup(PROTO_PART_MD, 512 * KB, 2048);
    struct sh_rsp r;
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &r), PROTO_OK);
    struct proto_info info;
    CHECK_EQ(proto_info_decode(&info, r.data, r.len), PROTO_OK);
    CHECK_EQ(info.flash_size, 0);
    CHECK_EQ(info.part_class, PROTO_PART_MD);
    uint8_t w[10] = {0};
    proto_put32(w, APP);
    CHECK_EQ(sh_cmd(PROTO_CMD_WRITE, w, sizeof w, NULL), PROTO_E_PART);
    session_enter_iap();
    int on = 0, off = 0;
    for (sim_ms = 0; sim_ms < 800; sim_ms += 10) { /* the error pattern blinks */
        session_poll();
        sim_led ? on++ : off++;
    }
    CHECK(on > 0 && off > 0);
}

TEST(info_reports_the_geometry_of_the_part)
{
    setup(PROTO_PART_XL, 1024 * KB, 2048);
    struct sh_rsp r;
    CHECK_EQ(sh_cmd(PROTO_CMD_INFO, NULL, 0, &r), PROTO_OK);
    struct proto_info info;
    CHECK_EQ(proto_info_decode(&info, r.data, r.len), PROTO_OK);
    CHECK_EQ(info.flash_size, 1024 * KB);
    CHECK_EQ(info.page_size, 2048);
    CHECK_EQ(info.sram_size, 96 * KB);
    CHECK_EQ(info.banks, 2);
    CHECK_EQ(info.chip_id, 0x430);
    CHECK_EQ(info.app_end, 0x080FF800u);
}

TEST(an_image_crossing_the_xl_bank_boundary_commits)
{
    static uint8_t big[0x08081000u - APP];
    setup(PROTO_PART_XL, 1024 * KB, 2048);
    sh_image(big, sizeof big, 7);
    proto_put32(big, PROTO_SRAM_BASE + 96 * KB);
    CHECK_EQ(sh_update(big, sizeof big, 3, PROTO_MAX_DATA, 4), PROTO_OK);
    CHECK(fm_app_valid(NULL));
}

int main(void)
{
    RUN(table_gives_each_class_its_page_size_sram_and_device_id);
    RUN(flash_size_outside_the_class_has_no_row);
    RUN(high_density_record_is_the_last_2k_page);
    RUN(an_image_of_several_kilobytes_commits_on_2k_pages);
    RUN(connectivity_line_uses_2k_pages_at_64k);
    RUN(an_sp_at_the_top_of_64k_sram_is_accepted_on_a_64k_part);
    RUN(an_sp_past_20k_is_refused_on_a_medium_density_part);
    RUN(flash_size_contradicting_the_class_refuses_writes_without_touching_flash);
    RUN(contradiction_is_reported_by_info_and_the_error_led);
    RUN(info_reports_the_geometry_of_the_part);
    RUN(an_image_crossing_the_xl_bank_boundary_commits);
    return test_summary();
}
