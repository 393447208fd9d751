/* The original scheme's board: an STM32F103C8 (medium density, 64 KB), a button on PA0 to 3.3 V
 * (internal pull-down: held = high), an LED on PA4 lit when the pin is high, USART1 on PA9/PA10,
 * no crystal (HSI). */
#define BOARD_CHIP         "STM32F103C8"
#define BOARD_FLASH_KB     64
#define BOARD_PART         PROTO_PART_MD
#define BOARD_CLOCK        BOARD_CLOCK_HSI

#define BOARD_USART        1 /* PA9 TX, PA10 RX */
#define BOARD_USART_REMAP  0

#define BOARD_ENTRY_PORT   'A'
#define BOARD_ENTRY_PIN    0
#define BOARD_ENTRY_ACTIVE 1
#define BOARD_ENTRY_PULL   BOARD_PULL_DOWN

#define BOARD_LED_PORT     'A'
#define BOARD_LED_PIN      4
#define BOARD_LED_ACTIVE   1
