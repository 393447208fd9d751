/* Reset to the application's first instruction, in emulated milliseconds at the clock the
 * bootloader runs, for 1 KB, 48 KB and 500 KB images (500 KB on the parts that hold it), on the
 * real bootloader of each board profile built with the listening window off (BOOT_LISTEN_MS=0:
 * BUILD/boottime, tests/bench/bench.mk). A figure, not a test: docs/DESIGN.md, boot time.
 * Usage: bench_boot BUILD_DIR [BOARD...]; BENCH_QUICK=1: the seed board and the f103ze. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootrun.h"

int main(int argc, char **argv)
{
    static const char *const all[] = {"seed", "bluepill", "nucleo-f103rb", "f103ze", "f103zg",
                                      "f107vc"};
    static const char *const quick[] = {"seed", "f103ze"};
    static const uint32_t kb[] = {1, 48, 500};
    if (argc < 2) {
        fprintf(stderr, "usage: %s BUILD_DIR [BOARD...]\n", argv[0]);
        return 2;
    }
    const char *const *boards = all;
    int nboards = (int)(sizeof all / sizeof all[0]);
    const char *q = getenv("BENCH_QUICK");
    if (argc > 2) {
        boards = (const char *const *)argv + 2;
        nboards = argc - 2;
    } else if (q && strcmp(q, "0") != 0) {
        boards = quick;
        nboards = (int)(sizeof quick / sizeof quick[0]);
    }
    printf("reset to the application's first instruction (listening window off), emulated ms\n");
    printf("| board          | part   | SYSCLK  |   1 KB |  48 KB | 500 KB |\n");
    printf("|----------------|--------|---------|--------|--------|--------|\n");
    int fail = 0;
    for (int i = 0; i < nboards; i++) {
        char dir[400];
        struct br_board b;
        snprintf(dir, sizeof dir, "%s/boottime/boards/%s", argv[1], boards[i]);
        if (br_board_load(&b, dir) != 0)
            return 1;
        printf("| %-14s | %-6s | %3u MHz |", b.name, b.part, b.sysclk_mhz);
        for (unsigned k = 0; k < sizeof kb / sizeof kb[0]; k++) {
            uint32_t size = kb[k] * 1024u;
            if (size > b.flash_size - b.page_size - (BR_APP_START - 0x08000000u)) {
                printf("      - |");
                continue;
            }
            struct br_image img;
            uint64_t ns = 0;
            if (br_image_make(&img, size, 7u + k) != 0)
                return 1;
            int rc = br_boot(&b, &img, -1, 0, 1000, &ns);
            br_image_free(&img);
            if (rc != BR_APP_EXIT) {
                printf("  FAIL  |");
                fail = 1;
                continue;
            }
            printf(" %6.2f |", (double)ns / 1e6);
        }
        printf("\n");
        fflush(stdout);
    }
    return fail;
}
