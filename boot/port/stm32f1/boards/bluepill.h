/* "Blue Pill": STM32F103C8 (64 KB; many carry 128 KB, which F_SIZE reports), 8 MHz crystal, the
 * LED on PC13 lit when the pin is low (LED and resistor from 3.3 V to PC13).
 * Entry: the BOOT1 jumper, which drives PB2 through a 100 kOhm resistor to GND (0, the default) or
 * 3.3 V (1). Set it to 1 and reset to stay in the bootloader (BOOT0 at 0: the chip boots from
 * flash; BOOT1 only matters to the chip when BOOT0 is 1). No internal pull: a 40 kOhm pull-down
 * against the jumper's 100 kOhm would hold the pin at 0.9 V, read as low.
 * USART1 on PA9 (TX) / PA10 (RX), the pins a USB-serial adapter is wired to for ST's own ROM
 * bootloader. */
#define BOARD_CHIP         "STM32F103C8"
#define BOARD_FLASH_KB     64
#define BOARD_PART         PROTO_PART_MD
#define BOARD_CLOCK        BOARD_CLOCK_HSE_XTAL

#define BOARD_USART        1 /* PA9 TX, PA10 RX */
#define BOARD_USART_REMAP  0

#define BOARD_ENTRY_PORT   'B'
#define BOARD_ENTRY_PIN    2
#define BOARD_ENTRY_ACTIVE 1
#define BOARD_ENTRY_PULL   BOARD_PULL_NONE

#define BOARD_LED_PORT     'C'
#define BOARD_LED_PIN      13
#define BOARD_LED_ACTIVE   0
