/* Benchmark load: 72 MHz, then a register-only loop for ever (stopped by time). */
#include "core_clock.h"

int main(void)
{
    clock_72mhz();
    uint32_t n = 0;
    for (;;) {
        n++;
        __asm__ volatile("" : "+r"(n));
    }
}
