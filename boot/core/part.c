#include "part.h"

#include <stddef.h>

/* SRAM per row from the datasheets of the F101/F103 lines (the F103's where they differ). */
static const struct part parts[] = {
    {PROTO_PART_LD, 1, 0x412, 16, 16, 1024, 6},     /* F103x4 */
    {PROTO_PART_LD, 1, 0x412, 32, 32, 1024, 10},    /* F103x6 */
    {PROTO_PART_MD, 1, 0x410, 64, 128, 1024, 20},   /* F103x8, F103xB */
    {PROTO_PART_HD, 1, 0x414, 256, 256, 2048, 48},  /* F103xC */
    {PROTO_PART_HD, 1, 0x414, 384, 512, 2048, 64},  /* F103xD, F103xE */
    {PROTO_PART_XL, 2, 0x430, 768, 1024, 2048, 96}, /* F103xF, F103xG */
    {PROTO_PART_CL, 1, 0x418, 64, 256, 2048, 64},   /* F105, F107 */
    {PROTO_PART_VL, 1, 0x420, 16, 32, 1024, 4},     /* F100x4, F100x6 */
    {PROTO_PART_VL, 1, 0x420, 64, 128, 1024, 8},    /* F100x8, F100xB */
    {PROTO_PART_VLHD, 1, 0x428, 256, 256, 2048, 24}, /* F100xC */
    {PROTO_PART_VLHD, 1, 0x428, 384, 512, 2048, 32}, /* F100xD, F100xE */
};

const struct part *part_find(uint8_t cls, uint32_t flash_kb)
{
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i].cls == cls && flash_kb >= parts[i].kb_min && flash_kb <= parts[i].kb_max)
            return &parts[i];
    return NULL;
}
