/* The high-density "textbook" board: STM32F103ZE (512 KB, 2 KB pages, 64 KB SRAM), 8 MHz crystal,
 * a KEY_UP/WK_UP button on PA0 to 3.3 V (internal pull-down: held = high), USART1 on PA9/PA10
 * through the board's USB-serial chip. LED: PB5 lit when low (the LED0 of the common ALIENTEK-style
 * boards; our choice, change it to your board's). */
#define BOARD_CHIP         "STM32F103ZE"
#define BOARD_FLASH_KB     512
#define BOARD_PART         PROTO_PART_HD
#define BOARD_CLOCK        BOARD_CLOCK_HSE_XTAL

#define BOARD_USART        1 /* PA9 TX, PA10 RX */
#define BOARD_USART_REMAP  0

#define BOARD_ENTRY_PORT   'A'
#define BOARD_ENTRY_PIN    0
#define BOARD_ENTRY_ACTIVE 1
#define BOARD_ENTRY_PULL   BOARD_PULL_DOWN

#define BOARD_LED_PORT     'B'
#define BOARD_LED_PIN      5
#define BOARD_LED_ACTIVE   0
