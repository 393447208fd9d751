/* The sparse image: merging, overlaps, the fit rule and flattening with 0xFF gaps. */
#include <stdlib.h>

#include "image.h"
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
    RUN(an_image_ending_exactly_at_the_end_fits);
    RUN(an_empty_image_is_refused);
    RUN(flatten_fills_gaps_with_ff_and_pads_to_even);
    return test_summary();
}
