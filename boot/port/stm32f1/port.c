/* STM32F103 port: clocks, GPIO, SysTick, backup register, identity, reset and the jump to the
 * application. USART1 is in uart.c, the flash controller in flash.c. */
#include "f1.h"
#include "proto.h"
#include "port.h"
#include "regs.h"

#define PLL_WAIT_LOOPS 100000u
#define PIN_BUTTON 0u /* PA0: button to 3.3 V, internal pull-down: held = high */
#define PIN_LED    4u /* PA4: LED lit when the pin is high */

uint32_t f1_hclk = 8000000u;
static volatile uint32_t millis;

void systick_handler(void)
{
    millis++;
}

static int wait_rcc(volatile uint32_t *reg, uint32_t mask, uint32_t value)
{
    for (uint32_t n = PLL_WAIT_LOOPS; n; n--)
        if ((*reg & mask) == value)
            return 0;
    return -1;
}

/* HSI/2 x 16 = 64 MHz, AHB and APB2 /1, APB1 /2 (max 36 MHz), 2 flash wait states. If the PLL does
 * not lock, the chip stays on HSI 8 MHz and USART1/SysTick are set up for that. */
static void clock_init(void)
{
    FLASH_ACR = FLASH_ACR_PRFTBE | FLASH_ACR_LATENCY(2);
    RCC_CFGR = RCC_CFGR_PLLMUL(16) | RCC_CFGR_PPRE1_DIV2;
    RCC_CR |= RCC_CR_PLLON;
    if (wait_rcc(&RCC_CR, RCC_CR_PLLRDY, RCC_CR_PLLRDY) != 0)
        return;
    RCC_CFGR |= RCC_CFGR_SW_PLL;
    if (wait_rcc(&RCC_CFGR, RCC_CFGR_SWS_MASK, RCC_CFGR_SWS_PLL) == 0)
        f1_hclk = 64000000u;
}

/* Back to the reset clock tree: HSI, PLL off, no prescalers, zero wait states. */
static void clock_deinit(void)
{
    RCC_CFGR &= ~RCC_CFGR_SW_MASK;
    (void)wait_rcc(&RCC_CFGR, RCC_CFGR_SWS_MASK, 0);
    RCC_CR &= ~RCC_CR_PLLON;
    (void)wait_rcc(&RCC_CR, RCC_CR_PLLRDY, 0);
    RCC_CFGR = 0;
    RCC_CIR = RCC_CIR_CLEAR_ALL;
    FLASH_ACR = FLASH_ACR_RESET;
    f1_hclk = 8000000u;
}

void port_init(void)
{
    f1_flash_init();
    clock_init();
    RCC_AHBENR |= RCC_AHBENR_DMA1EN;
    RCC_APB2ENR |= RCC_APB2_IOPA | RCC_APB2_USART1;
    RCC_APB1ENR |= RCC_APB1_PWR | RCC_APB1_BKP;

    /* GPIO before SysTick and USART: the pull-down settles long before the button is read. */
    GPIOA_ODR = 1u << 10; /* PA0 pull-down, PA4 low (LED off), PA10 pull-up */
    uint32_t crl_mask = 0xFu << GPIO_CR_SHIFT(PIN_BUTTON) | 0xFu << GPIO_CR_SHIFT(PIN_LED);
    GPIOA_CRL = (GPIOA_CRL & ~crl_mask) | GPIO_IN_PULL << GPIO_CR_SHIFT(PIN_BUTTON) |
                GPIO_OUT_PP_2MHZ << GPIO_CR_SHIFT(PIN_LED);
    GPIOA_CRH = (GPIOA_CRH & ~(0xFFu << GPIO_CR_SHIFT(9))) |
                GPIO_AF_PP_50MHZ << GPIO_CR_SHIFT(9) | GPIO_IN_PULL << GPIO_CR_SHIFT(10);

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
    /* USART1, GPIOA and PWR (DBP) have reset bits; BKP is left alone (it holds the app's data) */
    RCC_APB2RSTR = RCC_APB2_IOPA | RCC_APB2_USART1;
    RCC_APB2RSTR = 0;
    RCC_APB1RSTR = RCC_APB1_PWR;
    RCC_APB1RSTR = 0;
    clock_deinit();
    RCC_AHBENR = RCC_AHBENR_RESET;
    RCC_APB2ENR = 0;
    RCC_APB1ENR = 0;

    for (unsigned i = 0; i < 2; i++) {
        NVIC_ICER(i) = 0xFFFFFFFFu;
        NVIC_ICPR(i) = 0xFFFFFFFFu;
    }
    /* RCC_CSR reset flags are kept: the application may want to know why the chip reset. */
}

bool port_button_held(void)
{
    return (GPIOA_IDR >> PIN_BUTTON) & 1u;
}

void port_led(bool on)
{
    GPIOA_BSRR = on ? 1u << PIN_LED : 1u << (PIN_LED + 16u);
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
