/* The facts of one board profile for the build and the tests, as shell variable assignments
 * (boot.mk writes them to $(BUILD)/boards/NAME/board.env): the chip, its geometry from the part
 * table (boot/core/part.c, the one the bootloader uses), the application's link symbols, the pins,
 * and the virtual board's options. A host program built with the same profile as the bootloader,
 * so a profile that does not build does not describe anything either.
 *   boardinfo NAME   (compiled with -DBOARD_FILE='"boards/NAME.h"') */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "part.h"

/* The flash size an STM32F1's name encodes (RM0008 / datasheets ordering information). */
static unsigned chip_flash_kb(char c)
{
    static const char code[] = "468BCDEFG";
    static const unsigned kb[] = {16, 32, 64, 128, 256, 384, 512, 768, 1024};
    const char *p = strchr(code, c);
    return c && p ? kb[p - code] : 0;
}

int main(int argc, char **argv)
{
    static const char *const clocks[] = {"hsi", "hse-xtal", "hse-bypass"};
    static const char *const pulls[] = {"none", "down", "up"};
    const char *chip = BOARD_CHIP;
    if (argc != 2 || strlen(chip) != 11 || strncmp(chip, "STM32F10", 8) != 0) {
        fprintf(stderr, "boardinfo: BOARD_CHIP \"%s\": want the chip's name, e.g. \"STM32F103C8\"\n",
                chip);
        return 1;
    }
    if (chip_flash_kb(chip[10]) != BOARD_FLASH_KB) {
        fprintf(stderr, "boardinfo: %s: BOARD_FLASH_KB %u, but an %s has %u KB\n", argv[1],
                (unsigned)BOARD_FLASH_KB, chip, chip_flash_kb(chip[10]));
        return 1;
    }
    const struct part *p = part_find(BOARD_PART, BOARD_FLASH_KB);
    if (!p) {
        fprintf(stderr, "boardinfo: %s: no %u KB part in class %d (boot/core/part.c)\n", argv[1],
                (unsigned)BOARD_FLASH_KB, BOARD_PART);
        return 1;
    }
    uint32_t flash = BOARD_FLASH_KB * 1024u, sram = p->sram_kb * 1024u;
    /* The virtual board models dies, named after one chip each: any package of the same line and
     * flash size is the same die (f103rb -> f103cb). The tests pick the part this pattern
     * matches among those stm32emu --help lists. */
    char emu_glob[7];
    for (int i = 0; i < 6; i++)
        emu_glob[i] = (char)tolower((unsigned char)chip[5 + i]);
    emu_glob[4] = '?';
    emu_glob[6] = 0;

    printf("BOARD=%s\n", argv[1]);
    printf("BOARD_CHIP=%s\n", chip);
    printf("BOARD_EMU_PART_GLOB='%s'\n", emu_glob); /* stm32emu --part */
    printf("BOARD_PART_CLASS=%d\n", BOARD_PART);
    printf("BOARD_DEV_ID=0x%03x\n", p->dev_id);
    printf("BOARD_FLASH_KB=%u\n", (unsigned)BOARD_FLASH_KB);
    printf("BOARD_PAGE_SIZE=%u\n", p->page_size);
    printf("BOARD_SRAM_KB=%u\n", p->sram_kb);
    printf("BOARD_BANKS=%u\n", p->banks);
    printf("BOARD_APP_START=0x%08x\n", PROTO_APP_START);
    printf("BOARD_APP_END=0x%08x\n", PROTO_APP_END(flash, p->page_size));
    printf("BOARD_CLOCK=%s\n", clocks[BOARD_CLOCK]);
    printf("BOARD_USART=%d\n", BOARD_USART);
    printf("BOARD_USART_PINS=P%c%d/P%c%d\n", 'A' + F1_TX_PORT, F1_TX_PIN, 'A' + F1_TX_PORT,
           F1_RX_PIN);
    const char *remap = !BOARD_USART_REMAP ? "" : BOARD_USART != 3 ? ":remap"
                      : BOARD_USART_REMAP == 1 ? ":partial" : ":full";
    printf("BOARD_EMU_USART=%d%s\n", BOARD_USART, remap); /* stm32emu --usart */
    printf("BOARD_ENTRY=P%c%d\n", BOARD_ENTRY_PORT, BOARD_ENTRY_PIN);
    printf("BOARD_ENTRY_ON=%d\n", BOARD_ENTRY_ACTIVE);
    printf("BOARD_ENTRY_PULL=%s\n", pulls[BOARD_ENTRY_PULL]);
    printf("BOARD_LED=P%c%d\n", BOARD_LED_PORT, BOARD_LED_PIN);
    printf("BOARD_LED_ON=%d\n", BOARD_LED_ACTIVE);
    /* the application's linker script (examples/template/app.ld) */
    printf("BOARD_APP_LDFLAGS=\"-Wl,--defsym=APP_FLASH_SIZE=0x%x -Wl,--defsym=APP_PAGE_SIZE=0x%x "
           "-Wl,--defsym=APP_SRAM_SIZE=0x%x\"\n",
           flash, p->page_size, sram);
    return 0;
}
