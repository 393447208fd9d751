/* Application side of stm32-iap: the update request. Self-contained (no CMSIS or HAL needed, and
 * no name clashes with them): the four registers it uses are spelled out from RM0008. */
#include "app_iap.h"

#include "proto.h"

#define APP_RCC_APB1ENR (*(volatile uint32_t *)0x4002101Cu)
#define APP_PWR_CR      (*(volatile uint32_t *)0x40007000u)
#define APP_BKP_DR1     (*(volatile uint32_t *)0x40006C04u)
#define APP_SCB_AIRCR   (*(volatile uint32_t *)0xE000ED0Cu)

void app_request_update(void)
{
    __asm__ volatile("cpsid i" ::: "memory");
    APP_RCC_APB1ENR |= (1u << 28) | (1u << 27); /* PWREN, BKPEN */
    APP_PWR_CR |= 1u << 8;                      /* DBP: backup domain writable */
    APP_BKP_DR1 = PROTO_BKP_REQUEST;
    (void)APP_BKP_DR1;                          /* the write has landed */
    __asm__ volatile("dsb" ::: "memory");
    /* SYSRESETREQ keeps the backup domain (BKP_DR1) */
    APP_SCB_AIRCR = (0x05FAu << 16) | (APP_SCB_AIRCR & (7u << 8)) | (1u << 2);
    __asm__ volatile("dsb" ::: "memory");
    for (;;) {
    }
}
