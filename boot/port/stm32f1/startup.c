/* Reset entry and vector table of the bootloader. It takes no peripheral interrupt (reception is
 * DMA, everything else is polled), so the table holds the 16 system exceptions only. */
#include <stdint.h>

#include "boot.h"
#include "f1.h"
#include "port.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];

void reset_handler(void)
{
    /* lengths from addresses: the linker symbols are distinct objects to C, not one array */
    uint32_t ndata = ((uintptr_t)_edata - (uintptr_t)_sdata) / 4u;
    uint32_t nbss = ((uintptr_t)_ebss - (uintptr_t)_sbss) / 4u;
    for (uint32_t i = 0; i < ndata; i++)
        _sdata[i] = _sidata[i];
    for (uint32_t i = 0; i < nbss; i++)
        _sbss[i] = 0;
    boot_main();
}

/* A fault in the bootloader resets the chip: the boot decision then runs again, and a board
 * without a valid application comes back to IAP mode. */
void fault_handler(void)
{
    port_reset();
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    [0] = (void (*)(void))_estack,
    [1] = reset_handler,
    [2] = fault_handler,  /* NMI */
    [3] = fault_handler,  /* HardFault */
    [4] = fault_handler,  /* MemManage */
    [5] = fault_handler,  /* BusFault */
    [6] = fault_handler,  /* UsageFault */
    [11] = fault_handler, /* SVCall */
    [12] = fault_handler, /* DebugMon */
    [14] = fault_handler, /* PendSV */
    [15] = systick_handler,
};
