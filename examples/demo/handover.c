/* The demo checks the bootloader's hand-over (examples/README.md): the chip as after a reset, but
 * for VTOR. A table of registers and the values RM0008 gives after reset; the peripherals the
 * board profile uses are read with their clocks switched on for the look, and off again after. */
#include "demo.h"

#include <stddef.h>

#include "app_board.h"
#include "app_regs.h"

struct reg_check {
    const char *name;
    uint32_t addr, mask, want;
};

#define CR_ONS (RCC_CR_HSION | RCC_CR_HSEON | RCC_CR_HSEBYP | RCC_CR_CSSON | RCC_CR_PLLON)
#define CL     (BOARD_PART == PROTO_PART_CL)

static const struct reg_check core[] = {
    {"RCC_CR", 0x40021000u, CR_ONS | (CL ? RCC_CR_PLL2ON | RCC_CR_PLL3ON : 0u), RCC_CR_HSION},
    {"RCC_CFGR", 0x40021004u, 0xFFFFFFFFu, 0},
    {"RCC_CIR", 0x40021008u, 0xFFFFFFFFu, 0},
    {"RCC_CFGR2", CL ? 0x4002102Cu : 0u, 0xFFFFFFFFu, 0}, /* connectivity line only */
    {"RCC_AHBENR", 0x40021014u, 0xFFFFFFFFu, RCC_AHBENR_RESET},
    {"RCC_APB2ENR", 0x40021018u, 0xFFFFFFFFu, 0},
    {"RCC_APB1ENR", 0x4002101Cu, 0xFFFFFFFFu, 0},
    {"FLASH_ACR", 0x40022000u, 0x1Fu, FLASH_ACR_RESET & 0x1Fu},
    {"SYST_CSR", 0xE000E010u, 0x7u, 0},
    {"NVIC_ISER0", 0xE000E100u, 0xFFFFFFFFu, 0},
    {"NVIC_ISER1", 0xE000E104u, 0xFFFFFFFFu, 0},
    {"SCB_VTOR", 0xE000ED08u, 0xFFFFFFFFu, 0x08002000u},
};

/* The GPIO ports of the entry input, the LED and the USART, with CRL, CRH, ODR. */
#define PORT_REGS(what, port)                                                                      \
    {what " GPIO CRL", GPIO_BASE(port) + 0x00u, 0xFFFFFFFFu, GPIO_CR_RESET},                      \
        {what " GPIO CRH", GPIO_BASE(port) + 0x04u, 0xFFFFFFFFu, GPIO_CR_RESET},                  \
        {what " GPIO ODR", GPIO_BASE(port) + 0x0Cu, 0xFFFFu, 0}
static const struct reg_check periph[] = {
    PORT_REGS("entry", BOARD_ENTRY_PORT - 'A'),
    PORT_REGS("LED", APP_LED_PORT),
    PORT_REGS("USART", APP_TX_PORT),
    {"AFIO_MAPR", 0x40010004u, 0xFFFFFFFFu, 0},
    {"USART_CR1", APP_USART_BASE + 0x0Cu, 0xFFFFFFFFu, 0},
    {"USART_BRR", APP_USART_BASE + 0x08u, 0xFFFFFFFFu, 0},
    {"USART_CR3", APP_USART_BASE + 0x14u, 0xFFFFFFFFu, 0},
    {"DMA1_CCR3", 0x40020030u, 0xFFFFFFFFu, 0}, /* the USART receivers' channels 3, 5, 6 */
    {"DMA1_CCR5", 0x40020058u, 0xFFFFFFFFu, 0},
    {"DMA1_CCR6", 0x4002006Cu, 0xFFFFFFFFu, 0},
};

static const char *first_wrong(const struct reg_check *c, size_t n, uint32_t *value)
{
    for (size_t i = 0; i < n; i++) {
        if (!c[i].addr)
            continue;
        *value = APP_REG32(c[i].addr);
        if ((*value & c[i].mask) != c[i].want)
            return c[i].name;
    }
    return NULL;
}

const char *demo_handover(uint32_t *value)
{
    const char *wrong = first_wrong(core, sizeof core / sizeof core[0], value);
    if (wrong)
        return wrong;
    RCC_AHBENR |= RCC_AHBENR_DMA1EN;
    RCC_APB2ENR |= RCC_APB2_AFIO | RCC_APB2_IOP(BOARD_ENTRY_PORT - 'A') |
                   RCC_APB2_IOP(APP_LED_PORT) | RCC_APB2_IOP(APP_TX_PORT) |
                   (APP_USART_APB2 ? APP_USART_EN : 0u);
    RCC_APB1ENR |= APP_USART_APB2 ? 0u : APP_USART_EN;
    wrong = first_wrong(periph, sizeof periph / sizeof periph[0], value);
    RCC_AHBENR = RCC_AHBENR_RESET;
    RCC_APB2ENR = 0;
    RCC_APB1ENR = 0;
    return wrong;
}
