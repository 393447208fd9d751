/* The real bootloader from reset to the application on an in-process virtual board: a flash
 * image holding an application of any size and its record (as a finished update leaves them),
 * run until the application's first instruction or a time limit. Used by the boot-time bench and
 * the corrupted-image tests. Prefix br_. */
#ifndef BOOTRUN_H
#define BOOTRUN_H

#include <stdbool.h>
#include <stdint.h>

#define BR_APP_START 0x08002000u
#define BR_APP_EXIT  42 /* the application's first instructions: movs r0, #42; bkpt */

/* A board profile's build products: DIR/boot.elf and DIR/board.env (boardinfo). */
struct br_board {
    char dir[400];
    char name[32];
    const char *part;        /* the virtual board's part */
    uint32_t flash_size, page_size, sram_size;
    unsigned sysclk_mhz;     /* the clock the bootloader runs at (docs/DESIGN.md, Clocks) */
};
int br_board_load(struct br_board *b, const char *dir); /* 0, or -1 with a message */

/* An application of size bytes: its vector table (SP 8 KB into SRAM, so most of its bits can flip
 * and leave it valid; the reset vector on movs r0, #42; bkpt), then bytes from seed. The record says size and the image's CRC-32. */
struct br_image {
    uint8_t *data;
    uint32_t size;
};
int br_image_make(struct br_image *img, uint32_t size, uint32_t seed);
void br_image_free(struct br_image *img);

/* Boots b's bootloader over img and its record (the record's CRC computed before flip_at's bit
 * flip_bit is flipped; flip_at < 0: no flip) until the application's first instruction or
 * limit_ms. Returns the board's exit status (BR_APP_EXIT: the application started) and the
 * emulated time in *ns. */
int br_boot(const struct br_board *b, const struct br_image *img, long flip_at, int flip_bit,
            unsigned limit_ms, uint64_t *ns);

#endif
