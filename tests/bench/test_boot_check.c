/* The real bootloader never starts an image with one flipped bit, wherever the bit is: the first
 * word, the middle, the last byte, the 1-3 tail bytes after the last whole word (where its CRC
 * continues in software from the CRC unit's state); on a 1 KB-page part (the default build's
 * f103c8) and a 2 KB-page part (the f103ze profile). The images keep valid vectors, so only the
 * image CRC can refuse them (but for a few bits of the initial SP); the same image unflipped
 * starts, and a flip past its end does not matter. First, the CRC code alone on the board
 * (tests/bench/crc_fw.c). Usage: test_boot_check BUILD_DIR (its boot.elf, boards/f103ze and
 * bench-fw/crc_fw.elf). */
#include <stdio.h>
#include <unistd.h>

#include "bootrun.h"
#include "emu.h"
#include "test.h"

static struct br_board board;
#define LIMIT_MS 500 /* the default build's listening window is 300 ms */

static int boot(uint32_t size, long flip_at, int bit)
{
    struct br_image img;
    uint64_t ns;
    if (br_image_make(&img, size, size) != 0)
        return -1;
    int rc = br_boot(&board, &img, flip_at, bit, LIMIT_MS, &ns);
    br_image_free(&img);
    return rc;
}

/* Every bit of the bytes [from, from + n) of an image of size bytes, one at a time. */
static int flips_started(uint32_t size, long from, long n)
{
    int started = 0;
    for (long at = from; at < from + n; at++)
        for (int bit = 0; bit < 8; bit++)
            started += boot(size, at, bit) == BR_APP_EXIT;
    return started;
}

TEST(an_intact_image_starts)
{
    for (uint32_t size = 1024; size < 1028; size++) /* 0 to 3 tail bytes */
        CHECK_EQ(boot(size, -1, 0), BR_APP_EXIT);
}

TEST(a_flipped_bit_in_the_first_word_never_starts)
{
    /* the initial SP, 0x20002000: most flips leave it a valid SP, and only the CRC refuses */
    CHECK_EQ(flips_started(1024, 0, 4), 0);
}

TEST(a_flipped_bit_in_the_middle_never_starts)
{
    CHECK_EQ(flips_started(4096, 2048, 4), 0);
}

TEST(a_flipped_bit_in_the_last_byte_never_starts)
{
    CHECK_EQ(flips_started(4096, 4095, 1), 0);
}

TEST(a_flipped_bit_in_the_tail_bytes_of_an_odd_length_image_never_starts)
{
    CHECK_EQ(flips_started(4096 + 3, 4096, 3), 0); /* three bytes after the last word */
    CHECK_EQ(flips_started(4096 + 1, 4096, 1), 0); /* one */
    CHECK_EQ(flips_started(4096 + 2, 4095, 3 - 1), 0); /* two, and the word's last byte */
}

TEST(a_flipped_bit_past_the_end_of_the_image_does_not_matter)
{
    CHECK_EQ(boot(1027, 1027, 0), BR_APP_EXIT);
}

static const char *build;

/* tests/bench/crc_fw.c: crc.c alone on the board, every length, alignment and kind of chain */
TEST(the_crc_unit_version_of_proto_crc32_matches_a_bitwise_crc32)
{
    char elf[300], img[100];
    snprintf(elf, sizeof elf, "%s/bench-fw/crc_fw.elf", build);
    snprintf(img, sizeof img, "/tmp/crc_fw-%d.img", (int)getpid());
    unlink(img);
    struct emu_config cfg = {.flash_file = img, .npreload = 1, .stop_on_bkpt = true,
                             .stop_after_ns = 5000000000u};
    cfg.preload[0].path = elf;
    struct emu *e = emu_create(&cfg);
    CHECK(e != NULL);
    int rc = emu_run(e);
    emu_destroy(e);
    unlink(img);
    CHECK_EQ(rc, 0); /* 16 + line of crc_fw.c's failing check */
}

static int run_board(const char *dir)
{
    if (br_board_load(&board, dir) != 0)
        return -1;
    printf("# %s (%s, %u-byte pages)\n", board.name, board.part, board.page_size);
    RUN(an_intact_image_starts);
    RUN(a_flipped_bit_in_the_first_word_never_starts);
    RUN(a_flipped_bit_in_the_middle_never_starts);
    RUN(a_flipped_bit_in_the_last_byte_never_starts);
    RUN(a_flipped_bit_in_the_tail_bytes_of_an_odd_length_image_never_starts);
    RUN(a_flipped_bit_past_the_end_of_the_image_does_not_matter);
    return 0;
}

int main(int argc, char **argv)
{
    build = argc > 1 ? argv[1] : "build";
    char dir[300];
    RUN(the_crc_unit_version_of_proto_crc32_matches_a_bitwise_crc32);
    if (run_board(build) != 0)
        return 1;
    snprintf(dir, sizeof dir, "%s/boards/f103ze", build);
    if (run_board(dir) != 0)
        return 1;
    return test_summary();
}
