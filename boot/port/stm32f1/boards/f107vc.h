/* A connectivity-line board: STM32F107VC (256 KB, 2 KB pages, 64 KB SRAM), no crystal used (the
 * usual 25 MHz crystal of F107 boards is not one this port programs: HSI, the PLL at 36 MHz),
 * USART1 remapped to PB6 (TX) / PB7 (RX), a button on PE3 to GND (pull-up: held = low), an LED on
 * PD7 lit when high. A profile of our own (no particular product) that covers the USART1 remap and
 * the connectivity line's PLL. */
#define BOARD_CHIP         "STM32F107VC"
#define BOARD_FLASH_KB     256
#define BOARD_PART         PROTO_PART_CL
#define BOARD_CLOCK        BOARD_CLOCK_HSI

#define BOARD_USART        1 /* remapped: PB6 TX, PB7 RX */
#define BOARD_USART_REMAP  1

#define BOARD_ENTRY_PORT   'E'
#define BOARD_ENTRY_PIN    3
#define BOARD_ENTRY_ACTIVE 0
#define BOARD_ENTRY_PULL   BOARD_PULL_UP

#define BOARD_LED_PORT     'D'
#define BOARD_LED_PIN      7
#define BOARD_LED_ACTIVE   1
