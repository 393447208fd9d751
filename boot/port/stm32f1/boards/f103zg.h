/* An XL-density board: STM32F103ZG (1 MB in two banks of 512 KB, 2 KB pages, 96 KB SRAM), 8 MHz
 * crystal, USART3 on PB10/PB11, a button on PA0 to 3.3 V (pull-down: held = high), an LED on PB5
 * lit when low. A profile of our own (no particular product) that covers USART3 and its DMA
 * channel 3; the application area crosses into bank 2 at 0x08080000. */
#define BOARD_CHIP         "STM32F103ZG"
#define BOARD_FLASH_KB     1024
#define BOARD_PART         PROTO_PART_XL
#define BOARD_CLOCK        BOARD_CLOCK_HSE_XTAL

#define BOARD_USART        3 /* PB10 TX, PB11 RX */
#define BOARD_USART_REMAP  0

#define BOARD_ENTRY_PORT   'A'
#define BOARD_ENTRY_PIN    0
#define BOARD_ENTRY_ACTIVE 1
#define BOARD_ENTRY_PULL   BOARD_PULL_DOWN

#define BOARD_LED_PORT     'B'
#define BOARD_LED_PIN      5
#define BOARD_LED_ACTIVE   0
