/* Interrupt-driven echo on USART n at the pins of an AFIO remap (FW_ARGS: n = 1..3, the remap
 * value, extra CR1 bits for the frame (M, PCE, PS), the baud rate; defaults USART1, no remap,
 * 8N1, 115200). A '!' received without an error flag ends the run with a report of the flags
 * seen, "FE=n PE=n NE=n ORE=n" (hex). PA4, PA5, PA6 go high at the first FE, PE, NE: the board's
 * log shows them even when the line garbles the report. Everything runs from the 8 MHz HSI. */
#include "fw.h"

#define RCC_APB2ENR REG32(0x40021018)
#define RCC_APB1ENR REG32(0x4002101C)
#define AFIO_MAPR REG32(0x40010004)
#define GPIO_CR(port, pin) REG32(0x40010800u + 0x400u * (port) + ((pin) >= 8 ? 4u : 0u))
#define GPIOA_BSRR REG32(0x40010810)
#define NVIC_ISER1 REG32(0xE000E104)

#define SR_PE (1u << 0)
#define SR_FE (1u << 1)
#define SR_NE (1u << 2)
#define SR_ORE (1u << 3)
#define SR_RXNE (1u << 5)
#define SR_TC (1u << 6)
#define SR_TXE (1u << 7)

/* RM0008: USART bases, APB enable bits, interrupt lines; pins per remap (9.3.8), port 0 = A. */
static const uint32_t base[3] = { 0x40013800u, 0x40004400u, 0x40004800u };
static const struct { uint8_t tx_port, tx_pin, rx_port, rx_pin; } pins[3][4] = {
    { { 0, 9, 0, 10 }, { 1, 6, 1, 7 } },
    { { 0, 2, 0, 3 }, { 3, 5, 3, 6 } },
    { { 1, 10, 1, 11 }, { 2, 10, 2, 11 }, { 0, 0, 0, 0 }, { 3, 8, 3, 9 } },
};

static uint32_t ub; /* the USART's base */
static volatile uint16_t ring[256];
static volatile uint8_t head, tail;
static volatile uint32_t count_fe, count_pe, count_ne, count_ore;

#define SR REG32(ub)
#define DR REG32(ub + 4u)

static void pin_cfg(unsigned port, unsigned pin, uint32_t cfg)
{
    unsigned sh = 4u * (pin % 8u);
    GPIO_CR(port, pin) = (GPIO_CR(port, pin) & ~(0xFu << sh)) | (cfg << sh);
}

static void on_irq(void)
{
    uint32_t sr = SR;
    if (sr & (SR_RXNE | SR_ORE)) {
        uint16_t c = (uint16_t)DR; /* SR then DR: clears the error flags SR showed */
        uint16_t f = (uint16_t)(sr & (SR_PE | SR_FE | SR_NE | SR_ORE));
        count_fe += (f & SR_FE) != 0;
        count_pe += (f & SR_PE) != 0;
        count_ne += (f & SR_NE) != 0;
        count_ore += (f & SR_ORE) != 0;
        GPIOA_BSRR = (f & SR_FE ? 1u << 4 : 0u) | (f & SR_PE ? 1u << 5 : 0u) |
                     (f & SR_NE ? 1u << 6 : 0u);
        ring[head++] = (uint16_t)((c & 0x1FFu) | (f ? 0x8000u : 0u));
    }
}

void usart1_handler(void) { on_irq(); }
void usart2_handler(void) { on_irq(); }
void usart3_handler(void) { on_irq(); }

static void put(uint16_t c)
{
    while (!(SR & SR_TXE))
        ;
    DR = c;
}

static void puthex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        put((uint16_t)"0123456789abcdef"[(v >> i) & 15u]);
}

static void report(const char *name, uint32_t v)
{
    while (*name)
        put((uint16_t)*name++);
    puthex(v);
}

int main(void)
{
    unsigned n = 1, remap = 0;
    uint32_t cr1 = 0, baud = 115200;
    if (FW_HAVE_ARGS()) {
        n = FW_ARG(0);
        remap = FW_ARG(1);
        cr1 = FW_ARG(2);
        baud = FW_ARG(3) ? FW_ARG(3) : 115200u;
    }
    FW_CHECK(n >= 1 && n <= 3 && remap <= 3);
    ub = base[n - 1];
    /* GPIOA..E and AFIO clocks; PA4..PA6 push-pull outputs, low */
    RCC_APB2ENR |= 0x7Du;
    pin_cfg(0, 4, 0x3u);
    pin_cfg(0, 5, 0x3u);
    pin_cfg(0, 6, 0x3u);
    GPIOA_BSRR = 0x70u << 16;
    AFIO_MAPR = n == 1 ? remap << 2 : n == 2 ? remap << 3 : remap << 4;
    pin_cfg(pins[n - 1][remap].tx_port, pins[n - 1][remap].tx_pin, 0xBu); /* AF push-pull */
    pin_cfg(pins[n - 1][remap].rx_port, pins[n - 1][remap].rx_pin, 0x4u); /* floating input */
    if (n == 1)
        RCC_APB2ENR |= 1u << 14;
    else
        RCC_APB1ENR |= 1u << (15 + n); /* USART2EN 17, USART3EN 18 */
    REG32(ub + 8u) = (8000000u + baud / 2u) / baud;
    REG32(ub + 12u) = (1u << 13) | (1u << 5) | (1u << 3) | (1u << 2) | cr1; /* UE RXNEIE TE RE */
    NVIC_ISER1 = 1u << (37 + n - 1 - 32);

    for (;;) {
        while (tail == head)
            __asm__ volatile("wfi");
        uint16_t c = ring[tail++];
        put(c & 0x1FFu);
        if ((c & 0xFFu) == '!' && !(c & 0x8000u))
            break;
    }
    report("\r\nFE=", count_fe);
    report(" PE=", count_pe);
    report(" NE=", count_ne);
    report(" ORE=", count_ore);
    put('\r');
    put('\n');
    while (!(SR & SR_TC))
        ;
    return 0;
}
