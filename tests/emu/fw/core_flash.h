/* FPEC registers (RM0008 3.4) for the core_* test images. */
#ifndef CORE_FLASH_H
#define CORE_FLASH_H
#include "fw.h"

#define FLASH_ACR REG32(0x40022000)
#define FLASH_KEYR REG32(0x40022004)
#define FLASH_SR REG32(0x4002200C)
#define FLASH_CR REG32(0x40022010)
#define FLASH_AR REG32(0x40022014)
#define SR_BSY (1u << 0)
#define SR_PGERR (1u << 2)
#define SR_WRPRTERR (1u << 4)
#define SR_EOP (1u << 5)
#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER (1u << 2)
#define CR_STRT (1u << 6)
#define CR_LOCK (1u << 7)
#define AIRCR REG32(0xE000ED0C)
#define RESET_FLAG REG32(0x20004000) /* above .data/.bss, below the stack; kept by system reset */

static inline void flash_unlock(void)
{
    FLASH_KEYR = 0x45670123u;
    FLASH_KEYR = 0xCDEF89ABu;
}

static inline void flash_wait(void)
{
    while (FLASH_SR & SR_BSY)
        ;
}

static inline void flash_erase_page(uint32_t addr)
{
    FLASH_CR = CR_PER;
    FLASH_AR = addr;
    FLASH_CR = CR_PER | CR_STRT;
    flash_wait();
    FLASH_CR = 0;
}

static inline uint32_t flash_program(uint32_t addr, uint16_t v)
{
    FLASH_SR = SR_PGERR | SR_WRPRTERR | SR_EOP;
    FLASH_CR = CR_PG;
    REG16(addr) = v;
    flash_wait();
    FLASH_CR = 0;
    return FLASH_SR;
}

static inline __attribute__((noreturn)) void system_reset(void)
{
    __asm__ volatile("dsb");
    AIRCR = 0x05FA0004u;
    for (;;) {
    }
}
#endif
