/* The board profile (boards/NAME.h, chosen by make BOARD=NAME) and what the port derives from it:
 * which GPIO ports, USART, DMA channel and AFIO remap the bootloader uses. Everything here is a
 * constant expression, so the port's code uses it as constants and a profile that cannot work is a
 * build error. How to write a profile: docs/BOARDS.md. */
#ifndef F1_BOARD_H
#define F1_BOARD_H

#include "proto.h"

/* BOARD_CLOCK: what drives the PLL. HSE is 8 MHz; if it does not start the port falls back to HSI. */
#define BOARD_CLOCK_HSI        0 /* internal 8 MHz RC, no crystal needed */
#define BOARD_CLOCK_HSE_XTAL   1 /* 8 MHz crystal on OSC_IN/OSC_OUT */
#define BOARD_CLOCK_HSE_BYPASS 2 /* 8 MHz clock into OSC_IN (a Nucleo's ST-LINK MCO) */
/* BOARD_ENTRY_PULL: the internal resistor on the entry input. */
#define BOARD_PULL_NONE 0 /* the board drives the pin (a jumper through a resistor) */
#define BOARD_PULL_DOWN 1
#define BOARD_PULL_UP   2

#include BOARD_FILE /* boards/NAME.h: make BOARD=NAME */

/* Ports as indexes (0 = GPIOA), from the profile's letters. */
#define F1_PORT(letter)  ((letter) - 'A')
#define F1_ENTRY_PORT    F1_PORT(BOARD_ENTRY_PORT)
#define F1_LED_PORT      F1_PORT(BOARD_LED_PORT)

/* The USART (RM0008 sections 7.3.7-7.3.8, 9.3.8, table 78): base address, bus, enable bit (the
 * same bit resets it in RCC_APBxRSTR), the DMA1 channel of its receiver, and the AFIO_MAPR value
 * of the remap. USART1 is on APB2 (PCLK2), USART2 and USART3 on APB1 (PCLK1). */
#define F1_USART_BASE (BOARD_USART == 1 ? 0x40013800u : BOARD_USART == 2 ? 0x40004400u : 0x40004800u)
#define F1_USART_APB2 (BOARD_USART == 1)
#define F1_USART_EN   (BOARD_USART == 1 ? 1u << 14 : 1u << (15 + BOARD_USART)) /* 14; 17, 18 */
#define F1_USART_DMA_RX (BOARD_USART == 1 ? 5u : BOARD_USART == 2 ? 6u : 3u)
#define F1_USART_MAPR ((uint32_t)BOARD_USART_REMAP << (BOARD_USART == 3 ? 4 : BOARD_USART + 1))
/* TX pin per remap; RX is always the next pin of the same port. USART1: PA9, remap PB6. USART2:
 * PA2, remap PD5. USART3: PB10, partial remap (1) PC10, full remap (3) PD8. */
#define F1_TX_PORT                                                                                 \
    (BOARD_USART == 1   ? (BOARD_USART_REMAP ? 1 : 0)                                              \
     : BOARD_USART == 2 ? (BOARD_USART_REMAP ? 3 : 0)                                              \
                        : (BOARD_USART_REMAP == 0 ? 1 : BOARD_USART_REMAP == 1 ? 2 : 3))
#define F1_TX_PIN                                                                                  \
    (BOARD_USART == 1   ? (BOARD_USART_REMAP ? 6 : 9)                                              \
     : BOARD_USART == 2 ? (BOARD_USART_REMAP ? 5 : 2)                                              \
                        : (BOARD_USART_REMAP == 3 ? 8 : 10))
#define F1_RX_PIN (F1_TX_PIN + 1)

/* RCC enable (and reset) bits of everything the profile uses: its GPIO ports, AFIO when the USART
 * is remapped, the USART. The deinit before the jump resets exactly these. */
#define F1_APB2_USED                                                                               \
    (1u << (2 + F1_ENTRY_PORT) | 1u << (2 + F1_LED_PORT) | 1u << (2 + F1_TX_PORT) |               \
     (BOARD_USART_REMAP ? 1u : 0u) | (F1_USART_APB2 ? F1_USART_EN : 0u))
#define F1_APB1_USED (F1_USART_APB2 ? 0u : F1_USART_EN)

/* ---- a profile that cannot work does not build ---- */
#define F1_PIN_IS(port, pin, p, n) (F1_PORT(port) == (p) && (pin) == (n))
#define F1_IS_USART_PIN(port, pin)                                                                 \
    (F1_PIN_IS(port, pin, F1_TX_PORT, F1_TX_PIN) || F1_PIN_IS(port, pin, F1_TX_PORT, F1_RX_PIN))
#define F1_IS_SWD_PIN(port, pin) (F1_PIN_IS(port, pin, 0, 13) || F1_PIN_IS(port, pin, 0, 14))

_Static_assert(BOARD_PART >= PROTO_PART_LD && BOARD_PART <= PROTO_PART_VLHD,
               "BOARD_PART: one of enum proto_part_class");
_Static_assert(BOARD_CLOCK >= BOARD_CLOCK_HSI && BOARD_CLOCK <= BOARD_CLOCK_HSE_BYPASS,
               "BOARD_CLOCK: BOARD_CLOCK_HSI, _HSE_XTAL or _HSE_BYPASS");
_Static_assert(BOARD_USART >= 1 && BOARD_USART <= 3, "BOARD_USART: 1, 2 or 3");
_Static_assert(BOARD_USART_REMAP == 0 || BOARD_USART_REMAP == 1 ||
                   (BOARD_USART == 3 && BOARD_USART_REMAP == 3),
               "BOARD_USART_REMAP: 0 or 1 (USART3: 0, 1 partial or 3 full; RM0008 9.3.8)");
_Static_assert(BOARD_ENTRY_PORT >= 'A' && BOARD_ENTRY_PORT <= 'G' && BOARD_ENTRY_PIN >= 0 &&
                   BOARD_ENTRY_PIN <= 15 && BOARD_LED_PORT >= 'A' && BOARD_LED_PORT <= 'G' &&
                   BOARD_LED_PIN >= 0 && BOARD_LED_PIN <= 15,
               "pins: port 'A'..'G', pin 0..15");
_Static_assert((BOARD_ENTRY_ACTIVE == 0 || BOARD_ENTRY_ACTIVE == 1) &&
                   (BOARD_LED_ACTIVE == 0 || BOARD_LED_ACTIVE == 1),
               "active levels: 0 (low) or 1 (high)");
_Static_assert(BOARD_ENTRY_PULL >= BOARD_PULL_NONE && BOARD_ENTRY_PULL <= BOARD_PULL_UP,
               "BOARD_ENTRY_PULL: BOARD_PULL_NONE, _DOWN or _UP");
_Static_assert(!F1_PIN_IS(BOARD_LED_PORT, BOARD_LED_PIN, F1_ENTRY_PORT, BOARD_ENTRY_PIN),
               "the entry input and the LED are the same pin");
_Static_assert(!F1_IS_USART_PIN(BOARD_ENTRY_PORT, BOARD_ENTRY_PIN),
               "the entry input is one of the USART's pins");
_Static_assert(!F1_IS_USART_PIN(BOARD_LED_PORT, BOARD_LED_PIN), "the LED is one of the USART's pins");
_Static_assert(!F1_IS_SWD_PIN(BOARD_ENTRY_PORT, BOARD_ENTRY_PIN) &&
                   !F1_IS_SWD_PIN(BOARD_LED_PORT, BOARD_LED_PIN),
               "PA13/PA14 are SWDIO/SWCLK: taking them locks the debugger out");

#endif
