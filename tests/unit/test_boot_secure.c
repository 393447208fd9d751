/* The SECURE=1 core (boot/core/secure.c with boot/crypto) on the sim port, 16 KB layout: COMMIT
 * takes only images signed with the built-in key (the test key, $(BUILD)/keys/test-key.pem) and
 * not below the version floor; the floor rises power-safely. Images are signed by host/sign.c,
 * iap's own signer. */
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "flashmgr.h"
#include "frame.h"
#include "port.h"
#include "secure.h"
#include "session.h"
#include "sign.h"
#include "sim.h"
#include "simhost.h"
#include "test.h"

#define APP BOOT_APP_START
static uint8_t raw[24 * 1024];
static uint8_t *img;
static uint32_t img_len;
static struct iap_err err;

static void setup(void)
{
    sim_reset(64 * 1024);
    session_init();
    sh_seq = 0;
}

/* A plausible application of len bytes, signed with key at version. */
static int make(uint32_t len, uint32_t version, const char *key, uint32_t seed)
{
    sh_image(raw, len, seed);
    free(img);
    img = NULL;
    return sign_image(key, version, raw, len, APP, &img, &img_len, &err);
}

static int update(void) { return sh_update(img, img_len, 0, 1024, 4); }

static uint32_t floor_now(void)
{
    struct sh_rsp r;
    struct proto_info info;
    if (sh_cmd(PROTO_CMD_INFO, NULL, 0, &r) != PROTO_OK ||
        proto_info_decode(&info, r.data, r.len) != PROTO_OK)
        return 0xDEADu;
    return info.version_floor;
}

TEST(layout_leaves_16k_to_the_bootloader_and_two_floor_pages)
{
    setup();
    CHECK_EQ(APP, 0x08004000u);
    CHECK_EQ(fm_record_addr(), 0x0800FC00u);
    CHECK_EQ(fm_app_end(), 0x0800F400u);
}

TEST(a_signed_image_commits_with_its_own_version)
{
    setup();
    CHECK_EQ(make(5000, 3, TEST_KEY, 1), 0);
    CHECK_EQ(update(), PROTO_OK);
    struct proto_record r;
    CHECK(fm_app_valid(&r));
    CHECK_EQ(r.version, 3);
    CHECK_EQ(r.size, img_len);
    CHECK_EQ(floor_now(), 3);
}

TEST(an_unsigned_image_is_refused)
{
    setup();
    sh_image(raw, 4096, 2);
    CHECK_EQ(sh_update(raw, 4096, 9, 1024, 4), PROTO_E_UNSIGNED);
    CHECK(!fm_app_valid(NULL));
}

TEST(an_image_signed_with_another_key_is_refused)
{
    setup();
    CHECK_EQ(make(4096, 1, OTHER_KEY, 3), 0);
    CHECK_EQ(update(), PROTO_E_SIG_KEY);
    CHECK(!fm_app_valid(NULL));
}

TEST(one_flipped_bit_anywhere_is_refused)
{
    static const uint32_t at[] = {0, 9, 2000, 4095, 4096 + 4, 4096 + 40, 4096 + 95};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        setup();
        CHECK_EQ(make(4096, 1, TEST_KEY, 4), 0);
        img[at[k]] ^= 0x10;
        int rc = update();
        CHECK(rc == PROTO_E_SIG || rc == PROTO_E_UNSIGNED || rc == PROTO_E_SIG_KEY ||
              rc == PROTO_E_VECTOR);
        CHECK(!fm_app_valid(NULL));
    }
}

TEST(a_truncated_image_is_refused)
{
    setup();
    CHECK_EQ(make(4096, 1, TEST_KEY, 5), 0);
    CHECK_EQ(sh_update(img, img_len - 2, 0, 1024, 4), PROTO_E_UNSIGNED);
    CHECK(!fm_app_valid(NULL));
}

TEST(a_version_below_the_floor_is_refused_and_equal_is_taken)
{
    setup();
    CHECK_EQ(make(4096, 7, TEST_KEY, 6), 0);
    CHECK_EQ(update(), PROTO_OK);
    CHECK_EQ(make(4096, 6, TEST_KEY, 7), 0);
    CHECK_EQ(update(), PROTO_E_ROLLBACK);
    CHECK(!fm_app_valid(NULL));
    CHECK_EQ(make(4096, 7, TEST_KEY, 8), 0);
    CHECK_EQ(update(), PROTO_OK);
    CHECK_EQ(floor_now(), 7);
}

TEST(the_floor_survives_filling_both_pages)
{
    setup();
    for (uint32_t v = 1; v <= 300; v++) { /* 128 entries a page: two rollovers */
        CHECK_EQ(make(1024, v, TEST_KEY, v), 0);
        CHECK_EQ(update(), PROTO_OK);
    }
    CHECK_EQ(floor_now(), 300);
    CHECK_EQ(make(1024, 299, TEST_KEY, 9), 0);
    CHECK_EQ(update(), PROTO_E_ROLLBACK);
}

TEST(garbage_in_the_floor_pages_is_not_a_floor)
{
    setup();
    for (uint32_t a = 0x0800F400u; a < 0x0800FC00u; a++)
        *sim_flash_at(a) = (uint8_t)(a * 7 + 3); /* an old application's bytes */
    CHECK_EQ(floor_now(), 0);
    CHECK_EQ(make(2048, 1, TEST_KEY, 10), 0);
    CHECK_EQ(update(), PROTO_OK);
    CHECK_EQ(floor_now(), 1);
}

static int commit_rc;
static void do_commit(void *arg)
{
    (void)arg;
    commit_rc = sh_commit(img_len, proto_crc32(0, img, img_len), 0);
}

/* A cut at every flash operation of a rise leaves the old floor or the new one. */
TEST(a_power_cut_anywhere_in_a_rise_leaves_the_old_or_the_new_floor)
{
    static uint8_t saved[64 * 1024];
    for (uint32_t before = 127; before <= 128; before++) { /* a plain rise and a rollover */
        setup();
        for (uint32_t v = 1; v <= before; v++) {
            CHECK_EQ(make(1024, v, TEST_KEY, v), 0);
            CHECK_EQ(update(), PROTO_OK);
        }
        CHECK_EQ(make(1024, 500, TEST_KEY, 11), 0);
        CHECK_EQ(sh_write(APP, img, img_len), PROTO_OK);
        memcpy(saved, sim_flash, sizeof saved);
        long cuts = 0;
        for (long cut = 1; cut < 200; cut++) {
            sim_power_cycle();
            memcpy(sim_flash, saved, sizeof saved);
            session_init();
            session_enter_iap();
            sh_seq = 0;
            CHECK_EQ(sh_cmd(PROTO_CMD_SYNC, NULL, 0, NULL), PROTO_OK);
            CHECK_EQ(sh_write(APP, img, img_len), PROTO_OK); /* already there: no operation */
            sim_cut_at(cut);
            enum sim_exit e = sim_run(do_commit, NULL);
            sim_cut_at(0);
            sim_power_cycle();
            session_init();
            sh_seq = 0;
            uint32_t f = floor_now();
            CHECK(f == before || f == 500);
            if (e == SIM_RETURNED) {
                CHECK_EQ(commit_rc, PROTO_OK);
                CHECK_EQ(f, 500);
                break;
            }
            cuts++;
        }
        CHECK(cuts >= 4); /* the floor's entry and the record's half-words were all cut */
        printf("   rise after %u entries: %ld cut points, floor old or new after each\n", before,
               cuts);
    }
}

int main(void)
{
    RUN(layout_leaves_16k_to_the_bootloader_and_two_floor_pages);
    RUN(a_signed_image_commits_with_its_own_version);
    RUN(an_unsigned_image_is_refused);
    RUN(an_image_signed_with_another_key_is_refused);
    RUN(one_flipped_bit_anywhere_is_refused);
    RUN(a_truncated_image_is_refused);
    RUN(a_version_below_the_floor_is_refused_and_equal_is_taken);
    RUN(the_floor_survives_filling_both_pages);
    RUN(garbage_in_the_floor_pages_is_not_a_floor);
    RUN(a_power_cut_anywhere_in_a_rise_leaves_the_old_or_the_new_floor);
    free(img);
    return test_summary();
}
