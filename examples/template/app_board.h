/* The board the application is built for: the same profile the bootloader is built with
 * (boot/port/stm32f1/boards/NAME.h, chosen by make BOARD=NAME; the build passes it as
 * APP_BOARD_FILE), read here for its LED and its USART. What the pins and the USART mean in
 * registers is the application's own business (RM0008, as in app_regs.h). */
#ifndef APP_BOARD_H
#define APP_BOARD_H

#include "proto.h" /* the profile names its part class: PROTO_PART_MD ... */

#ifndef APP_BOARD_FILE
#define APP_BOARD_FILE "seed.h"
#endif
#include APP_BOARD_FILE

#define APP_LED_PORT (BOARD_LED_PORT - 'A') /* 0 = GPIOA */
#define APP_LED_PIN  BOARD_LED_PIN
#define APP_LED_ON   BOARD_LED_ACTIVE /* the level that lights it */

/* The USART (RM0008 7.3.7-7.3.8, 9.3.8, table 63): base, interrupt line (37, 38, 39), clock
 * enable (APB2ENR bit 14 for USART1 on APB2; APB1ENR bits 17, 18 for USART2, USART3 on APB1),
 * the AFIO_MAPR value of the remap, and its pins (RX is the pin after TX). */
#define APP_USART_BASE                                                                             \
    (BOARD_USART == 1 ? 0x40013800u : BOARD_USART == 2 ? 0x40004400u : 0x40004800u)
#define APP_USART_IRQ  (36u + BOARD_USART)
#define APP_USART_APB2 (BOARD_USART == 1)
#define APP_USART_EN   (BOARD_USART == 1 ? 1u << 14 : 1u << (15 + BOARD_USART))
#define APP_USART_MAPR ((uint32_t)BOARD_USART_REMAP << (BOARD_USART == 3 ? 4 : BOARD_USART + 1))
#define APP_TX_PORT                                                                                \
    (BOARD_USART == 1   ? (BOARD_USART_REMAP ? 1u : 0u)                                            \
     : BOARD_USART == 2 ? (BOARD_USART_REMAP ? 3u : 0u)                                            \
                        : (BOARD_USART_REMAP == 0 ? 1u : BOARD_USART_REMAP == 1 ? 2u : 3u))
#define APP_TX_PIN                                                                                 \
    (BOARD_USART == 1   ? (BOARD_USART_REMAP ? 6u : 9u)                                            \
     : BOARD_USART == 2 ? (BOARD_USART_REMAP ? 5u : 2u)                                            \
                        : (BOARD_USART_REMAP == 3 ? 8u : 10u))
#define APP_RX_PIN (APP_TX_PIN + 1u)

#endif
