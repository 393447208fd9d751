/* A backup register survives SYSRESETREQ: the first boot (power-on) sets BKP_DR1 and resets;
 * the second sees the flag and the software reset flag. Prints "BKP ok". */
#include "fw.h"

#define RCC_APB1ENR REG32(0x4002101C)
#define RCC_CSR REG32(0x40021024)
#define PWR_CR REG32(0x40007000)
#define BKP_DR1 REG32(0x40006C04)
#define SCB_AIRCR REG32(0xE000ED0C)
#define PORRSTF (1u << 27)
#define SFTRSTF (1u << 28)
#define FLAG 0xB007u

int main(void)
{
    RCC_APB1ENR |= (1u << 27) | (1u << 28); /* BKPEN, PWREN */
    uint32_t csr = RCC_CSR;
    if (BKP_DR1 != FLAG) {
        FW_CHECK(csr & PORRSTF);
        FW_CHECK(BKP_DR1 == 0);
        BKP_DR1 = FLAG; /* DBP = 0: ignored */
        FW_CHECK(BKP_DR1 == 0);
        PWR_CR |= 1u << 8; /* DBP */
        BKP_DR1 = FLAG;
        FW_CHECK(BKP_DR1 == FLAG);
        RCC_CSR |= 1u << 24; /* RMVF */
        SCB_AIRCR = 0x05FA0004u;
        for (;;) {
        }
    }
    FW_CHECK(csr & SFTRSTF);
    FW_CHECK(!(csr & PORRSTF));
    FW_CHECK((PWR_CR & (1u << 8)) == 0); /* DBP is reset by a system reset */
    PWR_CR |= 1u << 8;
    BKP_DR1 = 0;
    fw_uart_init();
    fw_puts("BKP ok\r\n");
    while (!(REG32(0x40013800) & (1u << 6)))
        ;
    return 0;
}
