/* ST NUCLEO-F103RB (UM1724): STM32F103RB (medium density, 128 KB). USART2 on PA2/PA3 goes to the
 * ST-LINK's virtual COM port (solder bridges SB13/SB14 as shipped): the USB cable is the serial
 * line. B1 (blue button) on PC13, low when pressed, with its own pull-up on the board (the internal
 * one is enabled as well: harmless, and it keeps the pin high on a board without it). LD2 (green)
 * on PA5, lit when high. Clock: the ST-LINK's MCO, 8 MHz into OSC_IN (HSE bypass); on a board
 * revision without that link HSE does not start and the port falls back to HSI. */
#define BOARD_CHIP         "STM32F103RB"
#define BOARD_FLASH_KB     128
#define BOARD_PART         PROTO_PART_MD
#define BOARD_CLOCK        BOARD_CLOCK_HSE_BYPASS

#define BOARD_USART        2 /* PA2 TX, PA3 RX */
#define BOARD_USART_REMAP  0

#define BOARD_ENTRY_PORT   'C'
#define BOARD_ENTRY_PIN    13
#define BOARD_ENTRY_ACTIVE 0
#define BOARD_ENTRY_PULL   BOARD_PULL_UP

#define BOARD_LED_PORT     'A'
#define BOARD_LED_PIN      5
#define BOARD_LED_ACTIVE   1
