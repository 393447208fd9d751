/* Instruction counting: 1 instruction = 1 cycle, measured with DWT_CYCCNT over loops of known
 * length, one of them ending a slice at every iteration (a peripheral write). */
#include "fw.h"

#define DWT_CTRL REG32(0xE0001000)
#define DWT_CYCCNT REG32(0xE0001004)

static uint32_t measure(uint32_t iterations, int with_write)
{
    uint32_t t0, t1, n = iterations;
    volatile uint32_t *apb2enr = (volatile uint32_t *)0x40021018u;
    uint32_t v = *apb2enr;
    if (with_write)
        __asm__ volatile("ldr %0, [%3]\n"
                         "1: str %4, [%5]\n"
                         "subs %1, #1\n"
                         "bne 1b\n"
                         "ldr %2, [%3]\n"
                         : "=&r"(t0), "+r"(n), "=&r"(t1)
                         : "r"(&DWT_CYCCNT), "r"(v), "r"(apb2enr)
                         : "cc", "memory");
    else
        __asm__ volatile("ldr %0, [%3]\n"
                         "1: subs %1, #1\n"
                         "bne 1b\n"
                         "ldr %2, [%3]\n"
                         : "=&r"(t0), "+r"(n), "=&r"(t1)
                         : "r"(&DWT_CYCCNT)
                         : "cc", "memory");
    return t1 - t0;
}

int main(void)
{
    DWT_CTRL = 1;
    uint32_t plain = measure(10000, 0);     /* 2 instructions per iteration */
    uint32_t written = measure(1000, 1);    /* 3 per iteration, a slice ends at each write */
    FW_CHECK(plain >= 20000 - 8 && plain <= 20000 + 8);
    FW_CHECK(written >= 3000 - 8 && written <= 3000 + 8);
    return 0;
}
