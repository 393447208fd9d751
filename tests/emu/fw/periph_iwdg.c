/* IWDG: started with a 10 ms timeout, fed a few times, then starved: the board must reset with
 * RCC_CSR.IWDGRSTF, and the watchdog must be stopped after that reset. Prints "IWDG ok". */
#include "fw.h"

#define RCC_CSR REG32(0x40021024)
#define IWDG_KR REG32(0x40003000)
#define IWDG_PR REG32(0x40003004)
#define IWDG_RLR REG32(0x40003008)
#define IWDG_SR REG32(0x4000300C)
#define IWDGRSTF (1u << 29)
#define SFTRSTF (1u << 28)

static void wait(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++)
        ;
}

int main(void)
{
    uint32_t csr = RCC_CSR;
    if (csr & IWDGRSTF) {
        FW_CHECK(!(csr & SFTRSTF));
        RCC_CSR |= 1u << 24;
        FW_CHECK((RCC_CSR & IWDGRSTF) == 0);
        wait(200000); /* > 25 ms at 8 MHz: no second reset, the watchdog stays off */
        fw_uart_init();
        fw_puts("IWDG ok\r\n");
        while (!(REG32(0x40013800) & (1u << 6)))
            ;
        return 0;
    }
    RCC_CSR |= 1u << 24;
    IWDG_KR = 0x5555;
    IWDG_PR = 0;    /* /4: 100 us per tick */
    IWDG_RLR = 99;  /* 10 ms */
    while (IWDG_SR) /* PVU, RVU */
        ;
    IWDG_KR = 0xCCCC;
    IWDG_KR = 0xAAAA;
    for (int i = 0; i < 10; i++) {
        wait(4000); /* ~2 ms at 8 MHz */
        IWDG_KR = 0xAAAA;
    }
    for (;;) { /* starved: reset in 10 ms */
    }
}
