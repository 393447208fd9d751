/* The sparse image: merging, overlaps, the fit rule and flattening with 0xFF gaps. */
#include <stdlib.h>

#include "image.h"
#include "proto.h"
#include "test.h"

#define APP 0x08002000u
#define END 0x0800FC00u

static struct image img;
static struct iap_err err;
static const uint8_t d4[4] = {1, 2, 3, 4};

TEST(adjacent_additions_merge_into_one_segment)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, APP, d4, 4, &err), 0);
    CHECK_EQ(image_add(&img, APP + 4, d4, 4, &err), 0);
    CHECK_EQ(image_add(&img, APP - 4, d4, 4, &err), 0);
    CHECK_EQ(img.nseg, 1);
    CHECK_EQ(image_start(&img), APP - 4);
    CHECK_EQ(image_end(&img), APP + 8);
    image_free(&img);
}

TEST(a_gap_keeps_segments_apart_and_filling_it_joins_them)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, APP + 8, d4, 4, &err), 0);
    CHECK_EQ(image_add(&img, APP, d4, 4, &err), 0);
    CHECK_EQ(img.nseg, 2);
    CHECK_EQ(img.seg[0].addr, APP);
    CHECK_EQ(image_add(&img, APP + 4, d4, 4, &err), 0);
    CHECK_EQ(img.nseg, 1);
    CHECK_EQ(img.seg[0].len, 12);
    CHECK_EQ(image_bytes(&img), 12);
    image_free(&img);
}

TEST(overlapping_data_is_an_error_naming_the_address)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, APP, d4, 4, &err), 0);
    CHECK_EQ(image_add(&img, APP + 2, d4, 4, &err), IAP_ERR_FORMAT);
    CHECK(strstr(err.msg, "0x08002002") != NULL);
    image_free(&img);
}

TEST(data_past_4_gb_is_an_error)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, 0xFFFFFFFEu, d4, 4, &err), IAP_ERR_FORMAT);
    image_free(&img);
}

TEST(an_image_at_the_application_start_fits)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, APP, d4, 4, &err), 0);
    CHECK_EQ(image_check_fit(&img, APP, END, &err), 0);
    image_free(&img);
}

TEST(an_app_linked_at_the_start_of_flash_gets_the_relink_advice)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, 0x08000000u, d4, 4, &err), 0);
    CHECK_EQ(image_check_fit(&img, APP, END, &err), IAP_ERR_FIT);
    CHECK(strstr(err.msg, "linked for 0x08000000: relink at 0x08002000") != NULL);
    CHECK(strstr(err.msg, "examples/README.md") != NULL);
    image_free(&img);
}

TEST(an_image_below_flash_is_refused)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, 0, d4, 4, &err), 0);
    CHECK_EQ(image_check_fit(&img, APP, END, &err), IAP_ERR_FIT);
    CHECK(strstr(err.msg, "below the application area") != NULL);
    image_free(&img);
}

TEST(an_image_starting_after_the_application_start_is_refused)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, APP + 0x100, d4, 4, &err), 0);
    CHECK_EQ(image_check_fit(&img, APP, END, &err), IAP_ERR_FIT);
    CHECK(strstr(err.msg, "vector table") != NULL);
    image_free(&img);
}

TEST(an_image_past_the_application_end_is_refused_with_the_excess)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, APP, d4, 4, &err), 0);
    CHECK_EQ(image_add(&img, END - 2, d4, 4, &err), 0);
    CHECK_EQ(image_check_fit(&img, APP, END, &err), IAP_ERR_FIT);
    CHECK(strstr(err.msg, "2 bytes too big") != NULL);
    image_free(&img);
}

TEST(one_byte_too_big_is_said_in_the_singular)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, APP, d4, 4, &err), 0);
    CHECK_EQ(image_add(&img, END - 3, d4, 4, &err), 0);
    CHECK_EQ(image_check_fit(&img, APP, END, &err), IAP_ERR_FIT);
    CHECK(strstr(err.msg, "1 byte too big") != NULL);
    image_free(&img);
}

TEST(an_image_below_flash_does_not_print_a_wrapped_area_end)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, 0x07FFFFFFu, d4, 4, &err), 0);
    CHECK_EQ(image_check_fit(&img, APP, UINT32_MAX, &err), IAP_ERR_FIT);
    CHECK(strstr(err.msg, "below flash (0x08000000)") != NULL);
    CHECK(strstr(err.msg, "fffffffe") == NULL);
    image_free(&img);
}

static uint8_t vec[64];
static int vectors(uint32_t sp, uint32_t pc, uint32_t len, uint32_t sram)
{
    proto_put32(vec, sp);
    proto_put32(vec + 4, pc);
    return image_check_vectors(vec, len, APP, sram, "app.bin", &err);
}

TEST(vectors_of_an_application_pass)
{
    CHECK_EQ(vectors(0x20005000u, APP + 0x21, 64, 0x5000), 0);
    CHECK_EQ(vectors(0x20010000u, APP + 0x21, 64, 0x10000), 0);
}

TEST(an_sp_beyond_the_devices_sram_is_refused_naming_its_size)
{
    CHECK_EQ(vectors(0x2000C000u, APP + 0x21, 64, 0x5000), IAP_ERR_FIT);
    CHECK(strstr(err.msg, "app.bin is not an application for this device") != NULL);
    CHECK(strstr(err.msg, "0x2000c000") != NULL);
    CHECK(strstr(err.msg, "20 KB") != NULL);
    CHECK_EQ(vectors(0x20000000u, APP + 0x21, 64, 0x5000), IAP_ERR_FIT);
    CHECK_EQ(vectors(0x20004FFEu, APP + 0x21, 64, 0x5000), IAP_ERR_FIT); /* not word aligned */
}

TEST(a_reset_vector_outside_the_image_or_without_the_thumb_bit_is_refused)
{
    CHECK_EQ(vectors(0x20005000u, APP + 0x20, 64, 0x5000), IAP_ERR_FIT);
    CHECK(strstr(err.msg, "reset vector 0x08002020") != NULL);
    CHECK_EQ(vectors(0x20005000u, APP + 65, 64, 0x5000), IAP_ERR_FIT);
    CHECK_EQ(vectors(0x20005000u, 0x08000101u, 64, 0x5000), IAP_ERR_FIT);
}

TEST(a_file_too_short_for_vectors_is_refused)
{
    CHECK_EQ(vectors(0x20005000u, APP + 1, 1, 0x5000), IAP_ERR_FIT);
    CHECK(strstr(err.msg, "1 byte, too short for a vector table") != NULL);
}

TEST(an_image_ending_exactly_at_the_end_fits)
{
    image_init(&img);
    CHECK_EQ(image_add(&img, APP, d4, 4, &err), 0);
    CHECK_EQ(image_add(&img, END - 4, d4, 4, &err), 0);
    CHECK_EQ(image_check_fit(&img, APP, END, &err), 0);
    image_free(&img);
}

TEST(an_empty_image_is_refused)
{
    image_init(&img);
    CHECK_EQ(image_check_fit(&img, APP, END, &err), IAP_ERR_FORMAT);
}

TEST(flatten_fills_gaps_with_ff_and_pads_to_even)
{
    uint8_t *buf;
    uint32_t len;
    image_init(&img);
    CHECK_EQ(image_add(&img, APP, d4, 2, &err), 0);
    CHECK_EQ(image_add(&img, APP + 6, d4, 3, &err), 0);
    CHECK_EQ(image_flatten(&img, APP, &buf, &len, &err), 0);
    CHECK_EQ(len, 10);
    static const uint8_t want[10] = {1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 0xFF};
    CHECK_MEM(buf, want, 10);
    free(buf);
    image_free(&img);
}

int main(void)
{
    RUN(adjacent_additions_merge_into_one_segment);
    RUN(a_gap_keeps_segments_apart_and_filling_it_joins_them);
    RUN(overlapping_data_is_an_error_naming_the_address);
    RUN(data_past_4_gb_is_an_error);
    RUN(an_image_at_the_application_start_fits);
    RUN(an_app_linked_at_the_start_of_flash_gets_the_relink_advice);
    RUN(an_image_below_flash_is_refused);
    RUN(an_image_starting_after_the_application_start_is_refused);
    RUN(an_image_past_the_application_end_is_refused_with_the_excess);
    RUN(one_byte_too_big_is_said_in_the_singular);
    RUN(an_image_below_flash_does_not_print_a_wrapped_area_end);
    RUN(vectors_of_an_application_pass);
    RUN(an_sp_beyond_the_devices_sram_is_refused_naming_its_size);
    RUN(a_reset_vector_outside_the_image_or_without_the_thumb_bit_is_refused);
    RUN(a_file_too_short_for_vectors_is_refused);
    RUN(an_image_ending_exactly_at_the_end_fits);
    RUN(an_empty_image_is_refused);
    RUN(flatten_fills_gaps_with_ff_and_pads_to_even);
    return test_summary();
}
