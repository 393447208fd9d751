/* The STM32F1 parts the bootloader knows (RM0008 section 3.3.3, the datasheets): one row per part
 * class and flash-size range. The board profile names the class (port_part_class); the
 * flash-size register F_SIZE picks the row. A page size is never guessed from F_SIZE alone: the
 * connectivity line has 2 KB pages at every size. The emulator keeps its own table on purpose. */
#ifndef PART_H
#define PART_H

#include <stdint.h>

#include "proto.h"

struct part {
    uint8_t cls;       /* enum proto_part_class */
    uint8_t banks;     /* 2: bank 2 from PART_BANK2 with its own controller registers (XL) */
    uint16_t dev_id;   /* DBGMCU_IDCODE DEV_ID, answered by AN3155 GET_ID */
    uint16_t kb_min;   /* F_SIZE range of this row, KB */
    uint16_t kb_max;
    uint16_t page_size;
    uint16_t sram_kb;
};

#define PART_BANK2 0x08080000u /* XL density: first address of bank 2 */
#define PART_MAX_PAGES 512u    /* 1 MB of 2 KB pages */

/* The row of class cls that holds a flash of flash_kb, or NULL: F_SIZE contradicts the class
 * (a wrong profile, or the erratum's 0xFFFF), and the bootloader must not write. */
const struct part *part_find(uint8_t cls, uint32_t flash_kb);

#endif
