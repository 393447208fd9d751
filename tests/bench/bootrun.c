#include "bootrun.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu.h"
#include "frame.h"
#include "proto.h"

int br_board_load(struct br_board *b, const char *dir)
{
    char p[480], line[300], glob[32] = "", clock[32] = "";
    unsigned cls = 0;
    memset(b, 0, sizeof *b);
    snprintf(b->dir, sizeof b->dir, "%s", dir);
    snprintf(p, sizeof p, "%s/board.env", dir);
    FILE *f = fopen(p, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s (run make first)\n", p);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *v = strchr(line, '=');
        if (!v)
            continue;
        *v++ = 0;
        v += strspn(v, "'\"");
        v[strcspn(v, "'\"\n")] = 0;
        if (!strcmp(line, "BOARD"))
            snprintf(b->name, sizeof b->name, "%s", v);
        else if (!strcmp(line, "BOARD_EMU_PART_GLOB"))
            snprintf(glob, sizeof glob, "%s", v);
        else if (!strcmp(line, "BOARD_FLASH_KB"))
            b->flash_size = (uint32_t)atoi(v) * 1024u;
        else if (!strcmp(line, "BOARD_PAGE_SIZE"))
            b->page_size = (uint32_t)atoi(v);
        else if (!strcmp(line, "BOARD_SRAM_KB"))
            b->sram_size = (uint32_t)atoi(v) * 1024u;
        else if (!strcmp(line, "BOARD_CLOCK"))
            snprintf(clock, sizeof clock, "%s", v);
        else if (!strcmp(line, "BOARD_PART_CLASS"))
            cls = (unsigned)atoi(v);
    }
    fclose(f);
    for (int i = 0; emu_part_name(i) && !b->part; i++)
        if (fnmatch(glob, emu_part_name(i), 0) == 0)
            b->part = emu_part_name(i);
    if (!b->part || !b->flash_size || !b->page_size) {
        fprintf(stderr, "%s: no part of the virtual board matches '%s'\n", p, glob);
        return -1;
    }
    /* docs/DESIGN.md, Clocks: HSE x 9 = 72 MHz; HSI/2 x 16 = 64 MHz, x 9 = 36 on the CL */
    b->sysclk_mhz = strncmp(clock, "hse", 3) == 0 ? 72 : cls == PROTO_PART_CL ? 36 : 64;
    return 0;
}

int br_image_make(struct br_image *img, uint32_t size, uint32_t seed)
{
    img->size = size;
    img->data = malloc(size);
    if (!img->data || size < 0x110u)
        return -1;
    srand(seed);
    for (uint32_t i = 0; i < size; i++)
        img->data[i] = (uint8_t)rand();
    static const uint8_t code[] = {0x2A, 0x20, 0x00, 0xBE}; /* movs r0, #42; bkpt 0 */
    uint32_t vec[2] = {0x20002000u, BR_APP_START + 0x100u + 1u};
    memcpy(img->data, vec, sizeof vec);
    memcpy(img->data + 0x100, code, sizeof code);
    return 0;
}

void br_image_free(struct br_image *img)
{
    free(img->data);
    img->data = NULL;
}

int br_boot(const struct br_board *b, const struct br_image *img, long flip_at, int flip_bit,
            unsigned limit_ms, uint64_t *ns)
{
    char path[200], elf[480];
    snprintf(path, sizeof path, "%s/br-%d.img",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
    snprintf(elf, sizeof elf, "%s/boot.elf", b->dir);
    uint8_t *flash = malloc(b->flash_size);
    if (!flash)
        return -1;
    memset(flash, 0xFF, b->flash_size);
    uint32_t off = BR_APP_START - PROTO_FLASH_BASE, rec = b->flash_size - b->page_size;
    memcpy(flash + off, img->data, img->size);
    struct proto_record r;
    proto_record_make(&r, img->size, proto_crc32(0, img->data, img->size), 1);
    memcpy(flash + rec, &r, sizeof r);
    if (flip_at >= 0)
        flash[off + (uint32_t)flip_at] ^= (uint8_t)(1u << flip_bit);
    FILE *f = fopen(path, "wb");
    int rc = -1;
    if (f && fwrite(flash, 1, b->flash_size, f) == b->flash_size && fclose(f) == 0) {
        f = NULL;
        struct emu_config cfg = {.part = b->part, .flash_file = path, .npreload = 1,
                                 .stop_on_bkpt = true,
                                 .stop_after_ns = (uint64_t)limit_ms * 1000000u};
        cfg.preload[0].path = elf;
        struct emu *e = emu_create(&cfg);
        if (e) {
            rc = emu_run(e);
            *ns = emu_now_ns(e);
            emu_destroy(e);
        }
    }
    if (f)
        fclose(f);
    free(flash);
    unlink(path);
    return rc;
}
