/* Demo application for the stm32-iap bootloader, linked at 0x08002000 (template/app.ld).
 *  - prints a banner with its version on USART1 (115200 8N1) and a line every second;
 *  - blinks the LED on PA4 at 2 Hz from the SysTick interrupt, taken through its own vector
 *    table (VTOR = 0x08002000);
 *  - receives on USART1 through its own RXNE interrupt; on PROTO_APP_UPDATE_CMD it reboots into
 *    the bootloader (app_request_update), which is how `iap flash` updates it without a button.
 * It runs on the reset clock, HSI 8 MHz: a readable banner also shows that the bootloader
 * handed over the clock tree as after reset (on its 64 MHz PLL the baud rate would be 8x off). */
#include <stdbool.h>
#include <stdint.h>

#include "app_iap.h"
#include "app_regs.h"
#include "app_vectors.h"

#ifndef APP_VERSION
#define APP_VERSION 1
#endif
#ifndef APP_BUILD
#define APP_BUILD "unknown"
#endif
#define STR_(x) #x
#define STR(x)  STR_(x)

#define HCLK      8000000u
#define PIN_LED   4u

static volatile uint32_t ms;
static volatile bool second_elapsed, update_requested;
static struct app_cmd_matcher matcher;

void systick_handler(void)
{
    uint32_t t = ++ms;
    if (t % 250u == 0) /* toggle every 250 ms: 2 Hz */
        GPIO_ODR(0) ^= 1u << PIN_LED;
    if (t % 1000u == 0)
        second_elapsed = true;
}

void usart1_handler(void)
{
    uint32_t sr = USART_SR(USART1_BASE);
    if (sr & (USART_SR_RXNE | USART_SR_ORE)) {
        uint8_t c = (uint8_t)USART_DR(USART1_BASE); /* also clears ORE */
        if (app_cmd_feed(&matcher, c))
            update_requested = true;
    }
}

static void putc_(char c)
{
    while (!(USART_SR(USART1_BASE) & USART_SR_TXE)) {
    }
    USART_DR(USART1_BASE) = (uint8_t)c;
}

static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

static void putu(uint32_t v)
{
    char buf[11];
    int i = sizeof buf - 1;
    buf[i] = '\0';
    do
        buf[--i] = (char)('0' + v % 10u);
    while (v /= 10u);
    puts_(&buf[i]);
}

static void puthex(uint32_t v)
{
    puts_("0x");
    for (int s = 28; s >= 0; s -= 4)
        putc_("0123456789abcdef"[(v >> s) & 15u]);
}

int main(void)
{
    RCC_APB2ENR |= RCC_APB2_IOP(0) | RCC_APB2_USART1;
    GPIO_ODR(0) = 1u << 10; /* PA10 pull-up, LED off */
    GPIO_CRL(0) = (GPIO_CRL(0) & ~(0xFu << GPIO_CR_SHIFT(PIN_LED))) |
                GPIO_OUT_PP_2MHZ << GPIO_CR_SHIFT(PIN_LED);
    GPIO_CRH(0) = (GPIO_CRH(0) & ~(0xFFu << GPIO_CR_SHIFT(9))) |
                GPIO_AF_PP_50MHZ << GPIO_CR_SHIFT(9) | GPIO_IN_PULL << GPIO_CR_SHIFT(10);

    USART_BRR_R(USART1_BASE) = USART_BRR(HCLK, 115200u); /* 69: 115942 baud, +0.6 % */
    USART_CR1(USART1_BASE) = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    NVIC_ISER(IRQ_USART1 / 32u) = 1u << (IRQ_USART1 % 32u);

    SYST_RVR = HCLK / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;

    puts_("\r\nstm32-iap demo app v" STR(APP_VERSION) " (build " APP_BUILD ")\r\n");
    puts_("vector table at ");
    puthex(SCB_VTOR);
    puts_(", send \"\\r#iap-update\\r\" to update\r\n");

    uint32_t seconds = 0;
    for (;;) {
        if (second_elapsed) {
            second_elapsed = false;
            puts_("app v" STR(APP_VERSION) " tick ");
            putu(++seconds);
            puts_("\r\n");
        }
        if (update_requested) {
            puts_("rebooting into the bootloader\r\n");
            while (!(USART_SR(USART1_BASE) & USART_SR_TC)) {
            }
            app_request_update();
        }
    }
}
