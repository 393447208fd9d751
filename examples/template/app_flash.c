/* The flash controller for app_stage.c, from the running application (RM0008 3.3.3, PM0075):
 * unlocked for each operation and locked again, bank 2 of an XL part (from 0x08080000) through its
 * own registers. The code runs from flash: during an operation the CPU's fetches stall until the
 * controller is done (PM0075: "any attempt to read the Flash memory will stall the bus"), so the
 * BSY loops see the end at once; interrupts are served late, DMA keeps running. Self-contained
 * like app_iap.c: its registers spelled out. */
#include "app_stage.h"

#define APP_FLASH_REG(off)   (*(volatile uint32_t *)(0x40022000u + (off)))
#define APP_FLASH_KEYR(bank) APP_FLASH_REG((bank) * 0x40u + 0x04u)
#define APP_FLASH_SR(bank)   APP_FLASH_REG((bank) * 0x40u + 0x0Cu)
#define APP_FLASH_CR(bank)   APP_FLASH_REG((bank) * 0x40u + 0x10u)
#define APP_FLASH_AR(bank)   APP_FLASH_REG((bank) * 0x40u + 0x14u)
#define APP_F_SIZE           (*(volatile const uint16_t *)0x1FFFF7E0u)
#define APP_SCB_AIRCR        (*(volatile uint32_t *)0xE000ED0Cu)
#define SR_BSY   (1u << 0)
#define SR_PGERR (1u << 2)
#define SR_WRPRT (1u << 4)
#define SR_EOP   (1u << 5)
#define CR_PG    (1u << 0)
#define CR_PER   (1u << 1)
#define CR_STRT  (1u << 6)
#define CR_LOCK  (1u << 7)
#define KEY1     0x45670123u
#define KEY2     0xCDEF89ABu
#define BANK2    0x08080000u
#define WAIT_LOOPS 0x400000u /* far beyond 40 ms at 8..72 MHz: only a hung controller gets there */

static unsigned bank_of(uint32_t addr)
{
    return addr >= BANK2 && APP_F_SIZE > 512u ? 1u : 0u;
}

static int unlock(unsigned b)
{
    if (APP_FLASH_CR(b) & CR_LOCK) {
        APP_FLASH_KEYR(b) = KEY1;
        APP_FLASH_KEYR(b) = KEY2;
    }
    APP_FLASH_SR(b) = SR_EOP | SR_PGERR | SR_WRPRT;
    return (APP_FLASH_CR(b) & CR_LOCK) ? PROTO_E_FLASH : PROTO_OK;
}

static int wait_done(unsigned b)
{
    for (uint32_t n = WAIT_LOOPS; n; n--) {
        uint32_t sr = APP_FLASH_SR(b);
        if (!(sr & SR_BSY)) {
            APP_FLASH_SR(b) = SR_EOP | SR_PGERR | SR_WRPRT;
            return (sr & (SR_PGERR | SR_WRPRT)) ? PROTO_E_FLASH : PROTO_OK;
        }
    }
    return PROTO_E_FLASH;
}

int app_flash_erase(uint32_t page_addr, uint32_t page_size)
{
    unsigned b = bank_of(page_addr);
    int rc = unlock(b);
    if (rc == PROTO_OK) {
        APP_FLASH_CR(b) = CR_PER;
        APP_FLASH_AR(b) = page_addr;
        APP_FLASH_CR(b) = CR_PER | CR_STRT;
        rc = wait_done(b);
    }
    APP_FLASH_CR(b) = CR_LOCK;
    const volatile uint32_t *w = (const volatile uint32_t *)page_addr;
    for (uint32_t i = 0; rc == PROTO_OK && i < page_size / 4u; i++)
        if (w[i] != 0xFFFFFFFFu)
            rc = PROTO_E_FLASH;
    return rc;
}

int app_flash_program(uint32_t addr, uint16_t value)
{
    unsigned b = bank_of(addr);
    int rc = unlock(b);
    if (rc == PROTO_OK) {
        APP_FLASH_CR(b) = CR_PG;
        *(volatile uint16_t *)addr = value;
        rc = wait_done(b);
    }
    APP_FLASH_CR(b) = CR_LOCK;
    if (rc == PROTO_OK && *(volatile const uint16_t *)addr != value)
        rc = PROTO_E_VERIFY;
    return rc;
}

const uint8_t *app_flash_ptr(uint32_t addr)
{
    return (const uint8_t *)addr;
}

void app_stage_reset(void)
{
    __asm__ volatile("cpsid i\n\tdsb" ::: "memory");
    APP_SCB_AIRCR = (0x05FAu << 16) | (APP_SCB_AIRCR & (7u << 8)) | (1u << 2);
    __asm__ volatile("dsb" ::: "memory");
    for (;;) {
    }
}
