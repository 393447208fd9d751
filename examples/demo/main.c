/* Demo application for the stm32-iap bootloader, linked at 0x08002000 (template/app.ld), built for
 * every board profile (template/app_board.h: its LED and USART):
 *  - checks the bootloader's hand-over (handover.c) and prints a banner with its version, the
 *    result and the vector table on the board's USART (115200 8N1), then a line every second;
 *  - blinks the board's LED at 2 Hz from the SysTick interrupt, taken through its own vector
 *    table (VTOR = 0x08002000);
 *  - receives on the USART through its own RXNE interrupt; on PROTO_APP_UPDATE_CMD it reboots
 *    into the bootloader (app_request_update), which is how `iap flash` updates it without a
 *    button.
 * It runs on the reset clock, HSI 8 MHz, whatever the bootloader ran on: a readable banner also
 * shows that the bootloader handed over the clock tree as after reset (on its 64 or 72 MHz PLL
 * the baud rate would be 8 or 9 times off). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_board.h"
#include "app_iap.h"
#include "app_regs.h"
#include "app_vectors.h"
#include "demo.h"

#ifndef APP_VERSION
#define APP_VERSION 1
#endif
#ifndef APP_BUILD
#define APP_BUILD "unknown"
#endif
#define STR_(x) #x
#define STR(x)  STR_(x)

#define HCLK 8000000u /* PCLK1 = PCLK2 = HCLK after reset */
#define U    APP_USART_BASE

static volatile uint32_t ms;
static volatile bool second_elapsed, update_requested;
static struct app_cmd_matcher matcher;

void systick_handler(void)
{
    uint32_t t = ++ms;
    if (t % 250u == 0) /* toggle every 250 ms: 2 Hz */
        GPIO_ODR(APP_LED_PORT) ^= 1u << APP_LED_PIN;
    if (t % 1000u == 0)
        second_elapsed = true;
}

static void usart_irq(void)
{
    uint32_t sr = USART_SR(U);
    if (sr & (USART_SR_RXNE | USART_SR_ORE)) {
        uint8_t c = (uint8_t)USART_DR(U); /* also clears ORE */
        if (app_cmd_feed(&matcher, c))
            update_requested = true;
    }
}

/* Only the board's USART has its interrupt enabled. */
void usart1_handler(void) { usart_irq(); }
void usart2_handler(void) { usart_irq(); }
void usart3_handler(void) { usart_irq(); }

static void pin_mode(unsigned port, unsigned pin, uint32_t mode)
{
    GPIO_CR(port, pin) = (GPIO_CR(port, pin) & ~(0xFu << GPIO_CR_SHIFT(pin))) |
                         mode << GPIO_CR_SHIFT(pin);
}

int main(void)
{
    uint32_t value = 0;
    const char *wrong = demo_handover(&value);

    RCC_APB2ENR |= RCC_APB2_IOP(APP_LED_PORT) | RCC_APB2_IOP(APP_TX_PORT) |
                   (APP_USART_MAPR ? RCC_APB2_AFIO : 0u) | (APP_USART_APB2 ? APP_USART_EN : 0u);
    RCC_APB1ENR |= APP_USART_APB2 ? 0u : APP_USART_EN;
    GPIO_BSRR(APP_LED_PORT) = APP_LED_ON ? 1u << (APP_LED_PIN + 16u) : 1u << APP_LED_PIN; /* off */
    GPIO_BSRR(APP_TX_PORT) = 1u << APP_RX_PIN;                                          /* pull-up */
    pin_mode(APP_LED_PORT, APP_LED_PIN, GPIO_OUT_PP_2MHZ);
    pin_mode(APP_TX_PORT, APP_TX_PIN, GPIO_AF_PP_50MHZ);
    pin_mode(APP_TX_PORT, APP_RX_PIN, GPIO_IN_PULL);
    if (APP_USART_MAPR)
        AFIO_MAPR = APP_USART_MAPR;

    USART_BRR_R(U) = USART_BRR(HCLK, 115200u); /* 69: 115942 baud, +0.6 % */
    USART_CR1(U) = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    NVIC_ISER(APP_USART_IRQ / 32u) = 1u << (APP_USART_IRQ % 32u);

    SYST_RVR = HCLK / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;

    demo_puts("\r\nstm32-iap demo app v" STR(APP_VERSION) " (build " APP_BUILD ")\r\n");
    demo_puts("vector table at ");
    demo_puthex(SCB_VTOR);
    demo_puts(", send \"\\r#iap-update\\r\" to update\r\n");
    if (wrong) {
        demo_puts("handover: ");
        demo_puts(wrong);
        demo_puts(" = ");
        demo_puthex(value);
        demo_puts(", not as after reset\r\n");
    } else {
        demo_puts("handover: as after reset\r\n");
    }
    if (demo_bank2) {
        demo_puts(demo_bank2());
        demo_puts("\r\n");
    }

    uint32_t seconds = 0;
    for (;;) {
        if (second_elapsed) {
            second_elapsed = false;
            demo_puts("app v" STR(APP_VERSION) " tick ");
            demo_putu(++seconds);
            demo_puts("\r\n");
        }
        if (update_requested) {
            demo_puts("rebooting into the bootloader\r\n");
            while (!(USART_SR(U) & USART_SR_TC)) {
            }
            app_request_update();
        }
    }
}
