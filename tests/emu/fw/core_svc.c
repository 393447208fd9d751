/* SVC takes SVCall (exception 11) through a vector table in SRAM and returns after the svc;
 * BASEPRI holds back an interrupt of lower or equal priority and lets a higher one through. */
#include "fw.h"

#define VTOR REG32(0xE000ED08)
#define ISER0 REG32(0xE000E100)
#define ISPR0 REG32(0xE000E200)
#define IPR(n) (*(volatile uint8_t *)(0xE000E400u + (n)))

static volatile uint32_t svc_runs, irq_runs;
static void svc(void) { svc_runs++; }
static void irq15(void) { irq_runs++; }
static void hang(void) { fw_exit(254); }

__attribute__((aligned(512))) static void (*ram_vectors[16 + 60])(void);

static void set_basepri(uint32_t v)
{
    __asm__ volatile("msr basepri, %0; isb" ::"r"(v) : "memory");
}

int main(void)
{
    for (int i = 0; i < 16 + 60; i++)
        ram_vectors[i] = hang;
    ram_vectors[11] = svc;
    ram_vectors[16 + 15] = irq15;
    VTOR = (uint32_t)ram_vectors;

    __asm__ volatile("svc #0" ::: "memory");
    FW_CHECK(svc_runs == 1);
    __asm__ volatile("svc #1" ::: "memory");
    FW_CHECK(svc_runs == 2);

    ISER0 = 1u << 15;
    IPR(15) = 0x80;
    set_basepri(0x80);
    ISPR0 = 1u << 15;
    __asm__ volatile("dsb; isb");
    for (volatile int i = 0; i < 50; i++)
        ;
    FW_CHECK(irq_runs == 0);
    set_basepri(0xC0);
    for (volatile int i = 0; i < 50; i++)
        ;
    FW_CHECK(irq_runs == 1);
    set_basepri(0);
    return 0;
}
