/* The staged demo (docs/STAGED.md): the demo application (main.c) for a STAGED=1 bootloader, linked
 * at 0x08004000 for the primary slot. It blinks and prints its ticks as the demo does, and
 * meanwhile:
 *  - receives its own next image on the same USART, in the background (stage_rx.c: the native
 *    frames of `iap flash --staged`), through a circular DMA ring, so no byte is lost while a
 *    flash operation stalls the CPU;
 *  - after the install, runs on trial: it kicks the IWDG the bootloader started and confirms
 *    itself after two ticks (app_stage_confirm);
 *  - still reboots into the bootloader on PROTO_APP_UPDATE_CMD (a plain `iap flash`) when no
 *    staged session is open (an image in transfer may contain those bytes).
 * DEMO_FAULT=1 builds a version that hangs after its banner (the IWDG catches it), DEMO_FAULT=2
 * one that crashes (an undefined instruction; the fault handler resets the chip): both fail their
 * trial and the bootloader brings the previous image back. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_board.h"
#include "app_iap.h"
#include "app_regs.h"
#include "app_stage.h"
#include "app_vectors.h"
#include "demo.h"
#include "stage_rx.h"

#ifndef APP_VERSION
#define APP_VERSION 1
#endif
#ifndef APP_BUILD
#define APP_BUILD "unknown"
#endif
#ifndef DEMO_FAULT
#define DEMO_FAULT 0
#endif
#ifndef DEMO_META_PAGES
#define DEMO_META_PAGES 0u /* 2 for a SECURE=1 bootloader's version floor */
#endif
#define STR_(x) #x
#define STR(x)  STR_(x)

#define HCLK 8000000u
#define U    APP_USART_BASE
#define RING 4096u
#define CONFIRM_AFTER_S 2u
/* 1 KB pages up to medium density (and the value line's), 2 KB above (RM0008 3.3.3) */
#define PAGE                                                                                       \
    (BOARD_PART == PROTO_PART_LD || BOARD_PART == PROTO_PART_MD || BOARD_PART == PROTO_PART_VL     \
         ? 1024u                                                                                   \
         : 2048u)

/* DMA1: the channel of the USART's receiver (RM0008 table 78) */
#define DMA_CH        (BOARD_USART == 1 ? 5u : BOARD_USART == 2 ? 6u : 3u)
#define DMA_CNDTR(ch) APP_REG32(0x4002000Cu + 20u * ((ch) - 1u))
#define DMA_CPAR(ch)  APP_REG32(0x40020010u + 20u * ((ch) - 1u))
#define DMA_CMAR(ch)  APP_REG32(0x40020014u + 20u * ((ch) - 1u))
#define DMA_CCR_EN    (1u << 0)
#define DMA_CCR_CIRC  (1u << 5)
#define DMA_CCR_MINC  (1u << 7)
#define USART_CR3_DMAR (1u << 6)
#define IWDG_KR       APP_REG32(0x40003000u)
#define F_SIZE        (*(volatile const uint16_t *)0x1FFFF7E0u)

extern uint32_t _estack[]; /* app.ld: the end of SRAM */
extern void (*const app_vectors[16 + 68])(void);

static volatile uint32_t ms;
static volatile bool second_elapsed;
static uint8_t ring[RING];
static uint32_t ring_pos;
static struct app_stage stage;
static struct app_cmd_matcher matcher;

void systick_handler(void)
{
    uint32_t t = ++ms;
    if (t % 250u == 0)
        GPIO_ODR(APP_LED_PORT) ^= 1u << APP_LED_PIN;
    if (t % 1000u == 0)
        second_elapsed = true;
}

/* A product's fault handler often resets: DEMO_FAULT=2 crashes into it. */
void hardfault_handler(void) { app_stage_reset(); }

static void write_bytes(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        demo_putc((char)p[i]);
}

static void pin_mode(unsigned port, unsigned pin, uint32_t mode)
{
    GPIO_CR(port, pin) = (GPIO_CR(port, pin) & ~(0xFu << GPIO_CR_SHIFT(pin))) |
                         mode << GPIO_CR_SHIFT(pin);
}

static void hw_init(void)
{
    RCC_AHBENR |= RCC_AHBENR_DMA1EN;
    RCC_APB2ENR |= RCC_APB2_IOP(APP_LED_PORT) | RCC_APB2_IOP(APP_TX_PORT) |
                   (APP_USART_MAPR ? RCC_APB2_AFIO : 0u) | (APP_USART_APB2 ? APP_USART_EN : 0u);
    RCC_APB1ENR |= APP_USART_APB2 ? 0u : APP_USART_EN;
    GPIO_BSRR(APP_LED_PORT) = APP_LED_ON ? 1u << (APP_LED_PIN + 16u) : 1u << APP_LED_PIN;
    GPIO_BSRR(APP_TX_PORT) = 1u << APP_RX_PIN;
    pin_mode(APP_LED_PORT, APP_LED_PIN, GPIO_OUT_PP_2MHZ);
    pin_mode(APP_TX_PORT, APP_TX_PIN, GPIO_AF_PP_50MHZ);
    pin_mode(APP_TX_PORT, APP_RX_PIN, GPIO_IN_PULL);
    if (APP_USART_MAPR)
        AFIO_MAPR = APP_USART_MAPR;

    /* reception by DMA into the ring: a page erase stalls the CPU for up to 40 ms, 460 bytes */
    DMA_CPAR(DMA_CH) = U + 0x04u; /* USART_DR */
    DMA_CMAR(DMA_CH) = (uint32_t)ring;
    DMA_CNDTR(DMA_CH) = RING;
    DMA1_CCR(DMA_CH) = DMA_CCR_MINC | DMA_CCR_CIRC | DMA_CCR_EN;
    USART_BRR_R(U) = USART_BRR(HCLK, 115200u);
    USART_CR3(U) = USART_CR3_DMAR;
    USART_CR1(U) = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;

    SYST_RVR = HCLK / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

/* The bytes the DMA wrote since the last call, to the receiver and (outside a staged session) to
 * the update-command matcher. true once the receiver answered an install request. */
static bool receive(void)
{
    uint32_t head = RING - DMA_CNDTR(DMA_CH);
    bool install = false;
    while (ring_pos != head && head < RING) {
        uint32_t end = head > ring_pos ? head : RING;
        for (uint32_t i = ring_pos; i < end && !stage_rx_active(); i++)
            if (app_cmd_feed(&matcher, ring[i]))
                app_request_update();
        install |= stage_rx_feed(ring + ring_pos, end - ring_pos, ms);
        ring_pos = end % RING;
    }
    stage_rx_poll(ms);
    return install;
}

static const char *status_name(int st)
{
    switch (st) {
    case PROTO_E_IMAGE_CRC: return "E_IMAGE_CRC";
    case PROTO_E_VECTOR: return "E_VECTOR";
    case PROTO_E_SIZE: return "E_SIZE";
    case PROTO_E_UNSIGNED: return "E_UNSIGNED (not signed)";
    case PROTO_E_SIG_KEY: return "E_SIG_KEY (another key)";
    case PROTO_E_SIG: return "E_SIG (bad signature)";
    case PROTO_E_ROLLBACK: return "E_ROLLBACK (below the version floor)";
    case PROTO_E_STAGE_CURRENT: return "E_STAGE_CURRENT (already running)";
    case PROTO_E_STAGE_NO_APP: return "E_STAGE_NO_APP";
    default: return "E_FLASH or other";
    }
}

/* What the bootloader did with staged images, once at start. Returns the trial state. */
static bool say_state(void)
{
    struct proto_stage_view v;
    if (!stage.staged) {
        demo_puts("staged: none on this part (direct mode)\r\n");
        return false;
    }
    app_stage_view(&stage, &v);
    demo_puts("staged: ");
    demo_puts(proto_stage_state_name(v.state));
    if (v.state == PROTO_STAGE_TRIAL) {
        demo_puts(", boot ");
        demo_putu(v.boots);
        demo_puts(" of ");
        demo_putu(v.hdr.trial_max);
    } else if (v.state == PROTO_STAGE_ROLLED_BACK) {
        demo_puts(", version ");
        demo_putu(v.hdr.to_staging.version);
        demo_puts(" failed its trial");
    }
    /* a refusal, unless that image runs (a result mark a power cut left half-programmed) */
    if (v.staged == PROTO_STAGED_TAKEN && v.result != 0 && v.rec.image_crc != v.trailer.crc) {
        demo_puts("; the bootloader refused the staged image: ");
        demo_puts(status_name(v.result));
    }
    demo_puts("\r\n");
    return v.state == PROTO_STAGE_TRIAL;
}

int main(void)
{
    uint32_t value = 0;
    const char *wrong = demo_handover(&value);
    hw_init();
    app_stage_init(&stage, (uint32_t)app_vectors, F_SIZE * 1024u, PAGE,
                   (uint32_t)_estack - PROTO_SRAM_BASE, DEMO_META_PAGES);
    stage_rx_init(&stage, write_bytes, RING - PROTO_MAX_FRAME);

    demo_puts("\r\nstm32-iap demo app v" STR(APP_VERSION) " (build " APP_BUILD ", staged receiver)\r\n");
    if (wrong) {
        demo_puts("handover: ");
        demo_puts(wrong);
        demo_puts(", not as after reset\r\n");
    }
    bool trial = say_state();
    if (DEMO_FAULT == 1) {
        demo_puts("demo fault: hanging\r\n");
        for (;;) {
        }
    }
    if (DEMO_FAULT == 2) {
        demo_puts("demo fault: crashing\r\n");
        while (!(USART_SR(U) & USART_SR_TC)) {
        }
        __asm__ volatile("udf #0");
    }

    uint32_t seconds = 0;
    for (;;) {
        IWDG_KR = 0xAAAAu; /* the bootloader's IWDG of a trial boot runs until the next reset */
        if (receive()) {
            while (!(USART_SR(U) & USART_SR_TC)) {
            }
            app_stage_reset();
        }
        if (second_elapsed) {
            second_elapsed = false;
            demo_puts("app v" STR(APP_VERSION) " tick ");
            demo_putu(++seconds);
            demo_puts("\r\n");
            if (trial && seconds >= CONFIRM_AFTER_S) {
                trial = false;
                demo_puts(app_stage_confirm(&stage) == PROTO_OK ? "confirmed: v" STR(APP_VERSION)
                                                                  " stays\r\n"
                                                            : "confirm failed\r\n");
            }
        }
        /* until the next SysTick (1 ms): the DMA keeps receiving meanwhile */
        __asm__ volatile("wfi");
    }
}
