/* Benchmark load: 72 MHz, then a loop with a load and a store to SRAM per iteration. */
#include "core_clock.h"

int main(void)
{
    clock_72mhz();
    volatile uint32_t n = 0;
    for (;;)
        n++;
}
