/* STM32F1 port: clocks, GPIO, SysTick, backup register, identity, reset and the jump to the
 * application, for the board profile the build chose (board.h). The USART is in uart.c, the flash
 * controller in flash.c. */
#include "f1.h"
#include "proto.h"
#include "port.h"
#include "regs.h"

#define RCC_AHBENR_CRCEN (1u << 6)
#define CRC_CR           REG32(0x40023008u)
#define CRC_CR_RESET     1u
#define RCC_WAIT_LOOPS 100000u /* > 50 ms at 8 MHz: an HSE crystal starts in 2 ms (datasheet) */
#define HSE_HZ         8000000u
#define PLL_HSE_MUL    9u /* 8 MHz x 9 = 72 MHz, the F1's maximum */
/* HSI/2 x 16 = 64 MHz; the connectivity line's PLL stops at x9 (RM0008 8.3.2): 36 MHz. */
#define PLL_HSI_MUL    (BOARD_PART == PROTO_PART_CL ? 9u : 16u)
/* NVIC words of interrupt lines: 60 lines, 68 on the connectivity line (RM0008 tables 61, 63) */
#define NVIC_WORDS     (BOARD_PART == PROTO_PART_CL ? 3u : 2u)

uint32_t f1_hclk = 8000000u;
static volatile uint32_t millis;

void systick_handler(void)
{
    millis++;
}

static int wait_rcc(volatile uint32_t *reg, uint32_t mask, uint32_t value)
{
    for (uint32_t n = RCC_WAIT_LOOPS; n; n--)
        if ((*reg & mask) == value)
            return 0;
    return -1;
}

/* HSEBYP is writable only while HSE is off: two writes. */
static void hse_off(void)
{
    RCC_CR &= ~RCC_CR_HSEON;
    RCC_CR &= ~RCC_CR_HSEBYP;
}

/* The PLL from the profile's 8 MHz HSE (crystal or external clock, x9 = 72 MHz) or from HSI/2;
 * AHB and APB2 /1, APB1 /2 (max 36 MHz), 2 flash wait states. An HSE that does not start (no
 * crystal fitted, an ST-LINK without MCO) is switched off again and the PLL runs from HSI: the
 * board stays reachable. If the PLL does not lock, the chip stays on HSI 8 MHz and the USART and
 * SysTick are set up for that. */
static void clock_init(void)
{
    uint32_t cfgr = RCC_CFGR_PLLMUL(PLL_HSI_MUL) | RCC_CFGR_PPRE1_DIV2;
    uint32_t hz = HSE_HZ / 2u * PLL_HSI_MUL; /* HSI / 2 = 4 MHz */
    if (BOARD_CLOCK != BOARD_CLOCK_HSI) {
        /* reset_handler started the HSE (HSEBYP, HSEON) before clearing .bss */
        if (wait_rcc(&RCC_CR, RCC_CR_HSERDY, RCC_CR_HSERDY) == 0) {
            cfgr = RCC_CFGR_PLLMUL(PLL_HSE_MUL) | RCC_CFGR_PPRE1_DIV2 | RCC_CFGR_PLLSRC_HSE;
            hz = HSE_HZ * PLL_HSE_MUL;
        } else {
            hse_off();
        }
    }
    FLASH_ACR = FLASH_ACR_PRFTBE | FLASH_ACR_LATENCY(2);
    RCC_CFGR = cfgr;
    RCC_CR |= RCC_CR_PLLON;
    if (wait_rcc(&RCC_CR, RCC_CR_PLLRDY, RCC_CR_PLLRDY) != 0)
        return;
    RCC_CFGR |= RCC_CFGR_SW_PLL;
    if (wait_rcc(&RCC_CFGR, RCC_CFGR_SWS_MASK, RCC_CFGR_SWS_PLL) == 0)
        f1_hclk = hz;
}

/* Back to the reset clock tree: HSI, PLL and HSE off, no prescalers, zero wait states. */
static void clock_deinit(void)
{
    RCC_CFGR &= ~RCC_CFGR_SW_MASK;
    (void)wait_rcc(&RCC_CFGR, RCC_CFGR_SWS_MASK, 0);
    RCC_CR &= ~RCC_CR_PLLON;
    (void)wait_rcc(&RCC_CR, RCC_CR_PLLRDY, 0);
    if (BOARD_CLOCK != BOARD_CLOCK_HSI) /* an HSI profile never starts it */
        hse_off();
    RCC_CFGR = 0;
    RCC_CIR = RCC_CIR_CLEAR_ALL;
    FLASH_ACR = FLASH_ACR_RESET;
    /* f1_hclk keeps its value: only the jump follows (port_jump) */
}

static void pin_mode(unsigned port, unsigned pin, uint32_t mode)
{
    GPIO_CR(port, pin) = (GPIO_CR(port, pin) & ~(0xFu << GPIO_CR_SHIFT(pin))) |
                         mode << GPIO_CR_SHIFT(pin);
}

/* GPIOx_BSRR value that drives pin to level */
#define PIN_LEVEL(pin, level) ((level) ? 1u << (pin) : 1u << ((pin) + 16u))

void port_init(void)
{
    f1_flash_init();
    clock_init();
    RCC_AHBENR |= RCC_AHBENR_DMA1EN | RCC_AHBENR_CRCEN; /* the CRC unit: crc.c */
    RCC_APB2ENR |= F1_APB2_USED;
    RCC_APB1ENR |= RCC_APB1_PWR | RCC_APB1_BKP | F1_APB1_USED;

    /* GPIO before SysTick and USART: the entry input's pull settles long before it is read.
     * Output levels first (the pull's direction, the LED off, RX pulled up), then the modes. */
    if (BOARD_ENTRY_PULL != BOARD_PULL_NONE)
        GPIO_BSRR(F1_ENTRY_PORT) = PIN_LEVEL(BOARD_ENTRY_PIN, BOARD_ENTRY_PULL == BOARD_PULL_UP);
    GPIO_BSRR(F1_LED_PORT) = PIN_LEVEL(BOARD_LED_PIN, !BOARD_LED_ACTIVE);
    GPIO_BSRR(F1_TX_PORT) = PIN_LEVEL(F1_RX_PIN, 1);
    pin_mode(F1_ENTRY_PORT, BOARD_ENTRY_PIN,
             BOARD_ENTRY_PULL == BOARD_PULL_NONE ? GPIO_IN_FLOATING : GPIO_IN_PULL);
    pin_mode(F1_LED_PORT, BOARD_LED_PIN, GPIO_OUT_PP_2MHZ);
    pin_mode(F1_TX_PORT, F1_TX_PIN, GPIO_AF_PP_50MHZ);
    pin_mode(F1_TX_PORT, F1_RX_PIN, GPIO_IN_PULL);
    if (F1_USART_MAPR)
        AFIO_MAPR = F1_USART_MAPR;

    SYST_RVR = f1_hclk / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;

    f1_uart_init();
}

void port_deinit(void)
{
    SYST_CSR = 0;
    SYST_RVR = 0;
    SYST_CVR = 0;
    SCB_ICSR = SCB_ICSR_PENDSTCLR | SCB_ICSR_PENDSVCLR;

    f1_uart_deinit();
    /* Everything the profile used has a reset bit (the same bit as its clock enable): its GPIO
     * ports, AFIO (the remap), the USART, PWR (DBP). BKP is left alone (it holds the app's data);
     * DMA1 has no reset bit: f1_uart_deinit put its channel back. */
    RCC_APB2RSTR = F1_APB2_USED;
    RCC_APB2RSTR = 0;
    RCC_APB1RSTR = RCC_APB1_PWR | F1_APB1_USED;
    RCC_APB1RSTR = 0;
    CRC_CR = CRC_CR_RESET; /* DR back to 0xFFFFFFFF (the AHB has no reset bit for the unit) */
    clock_deinit();
    RCC_AHBENR = RCC_AHBENR_RESET;
    RCC_APB2ENR = 0;
    RCC_APB1ENR = 0;

    for (unsigned i = 0; i < NVIC_WORDS; i++) {
        NVIC_ICER(i) = 0xFFFFFFFFu;
        NVIC_ICPR(i) = 0xFFFFFFFFu;
    }
    /* RCC_CSR reset flags are kept: the application may want to know why the chip reset. */
}

bool port_button_held(void)
{
    return ((GPIO_IDR(F1_ENTRY_PORT) >> BOARD_ENTRY_PIN) & 1u) == BOARD_ENTRY_ACTIVE;
}

void port_led(bool on)
{
    GPIO_BSRR(F1_LED_PORT) = PIN_LEVEL(BOARD_LED_PIN, on == BOARD_LED_ACTIVE);
}

/* A page erase stalls the CPU (and so this interrupt) for up to 40 ms: time runs a little slow
 * during an update, which only lengthens the inactivity timeout. */
uint32_t port_millis(void)
{
    return millis;
}

/* RM0008 19.3: 0xAAAA only reloads the counter; it does not start a stopped IWDG. So the kick is
 * harmless when no one started the watchdog, and there is no need to find out whether someone did
 * (the F1 cannot tell: the IWDG has no status bit for "running"). */
void port_watchdog_kick(void)
{
    IWDG_KR = IWDG_KEY_RELOAD;
}

uint16_t port_boot_request_get(void)
{
    return (uint16_t)BKP_DR1;
}

void port_boot_request_clear(void)
{
    PWR_CR |= PWR_CR_DBP;
    BKP_DR1 = 0;
    PWR_CR &= ~PWR_CR_DBP;
}

/* The board profile's part class. (DBGMCU_IDCODE reads 0 from software on F1 parts, errata
 * ES0340 2.3: the class cannot be read from the chip.) */
uint8_t port_part_class(void)
{
    return BOARD_PART;
}

void port_uid(uint8_t uid[12])
{
    const volatile uint8_t *p = (const volatile uint8_t *)UID_BASE;
    for (unsigned i = 0; i < 12; i++)
        uid[i] = p[i];
}

void port_reset(void)
{
    __asm__ volatile("dsb" ::: "memory");
    SCB_AIRCR = SCB_AIRCR_VECTKEY | (SCB_AIRCR & SCB_AIRCR_PRIGROUP) | SCB_AIRCR_SYSRESETREQ;
    __asm__ volatile("dsb" ::: "memory");
    for (;;) {
    }
}

void port_jump(uint32_t vector_table)
{
    __asm__ volatile("cpsid i" ::: "memory");
    port_deinit();
    SCB_VTOR = vector_table;
    /* From here on no stack: load the application's MSP and branch to its reset vector. The
     * interrupts are enabled again as after reset (PRIMASK = 0); nothing is enabled or pending. */
    __asm__ volatile("dsb\n\t"
                     "isb\n\t"
                     "ldr r1, [%0]\n\t"
                     "ldr r2, [%0, #4]\n\t"
                     "msr msp, r1\n\t"
                     "cpsie i\n\t"
                     "bx r2"
                     :
                     : "r"(vector_table)
                     : "r1", "r2", "memory");
    __builtin_unreachable();
}
