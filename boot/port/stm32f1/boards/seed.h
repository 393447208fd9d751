/* The original scheme's board: STM32F103C8 (medium density), button on PA0 to 3.3 V (internal
 * pull-down, held = high), LED on PA4 (lit when high), USART1 on PA9/PA10, HSI clock. */
#define BOARD_PART PROTO_PART_MD
