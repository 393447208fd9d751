/* The STM32F1 parts the board can be: one row each, facts from RM0008 (memory organisation,
 * flash module organisation, vector tables), the datasheets (flash and SRAM sizes) and the
 * errata sheets. Everything that differs between parts is a column here, not a branch. */
#include <string.h>

#include "board.h"

static const struct part parts[] = {
    /* name     chip           density                DEV_ID flash page bank1 SRAM WRP IRQ GPIO BKP MAPR2 RCC */
    { "f103c8", "STM32F103C8", "medium density",      0x410,   64, 1024,   0,  20, 4, 60, 5, 10, false, RCC_F10X },
    { "f103cb", "STM32F103CB", "medium density",      0x410,  128, 1024,   0,  20, 4, 60, 5, 10, false, RCC_F10X },
    { "f103rc", "STM32F103RC", "high density",        0x414,  256, 2048,   0,  48, 2, 60, 7, 42, false, RCC_F10X },
    { "f103ze", "STM32F103ZE", "high density",        0x414,  512, 2048,   0,  64, 2, 60, 7, 42, false, RCC_F10X },
    { "f103zg", "STM32F103ZG", "XL density",          0x430, 1024, 2048, 512,  96, 2, 60, 7, 42, true,  RCC_F10X },
    { "f107vc", "STM32F107VC", "connectivity line",   0x418,  256, 2048,   0,  64, 2, 68, 5, 42, false, RCC_CL },
};

const struct part *part_at(int i)
{
    return i >= 0 && i < (int)(sizeof parts / sizeof parts[0]) ? &parts[i] : NULL;
}

const struct part *part_find(const char *name)
{
    for (int i = 0; part_at(i); i++)
        if (strcmp(parts[i].name, name) == 0)
            return &parts[i];
    return NULL;
}

/* --flash-size without --part: the medium-density part of that size (64 or 128 KB). */
const struct part *part_for_flash_kb(uint32_t kb)
{
    for (int i = 0; part_at(i); i++)
        if (parts[i].flash_kb == kb && parts[i].page_size == 1024)
            return &parts[i];
    return NULL;
}

const char *emu_part_name(int i)
{
    const struct part *p = part_at(i);
    return p ? p->name : NULL;
}
