/* Reset entry and vector table of the bootloader. It takes no peripheral interrupt (reception is
 * DMA, everything else is polled), so the table holds the 16 system exceptions only. */
#include <stdint.h>

#include "boot.h"
#include "f1.h"
#include "port.h"
#include "regs.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];

/* Boot time (docs/DESIGN.md): the 13 KB of .bss are cleared at the reset clock (8 MHz: F_SIZE
 * must be read before the clock rises, port_init), four words a turn; an HSE crystal starts
 * meanwhile (about 2 ms, datasheet), so port_init seldom waits for it. */
void reset_handler(void)
{
    if (BOARD_CLOCK == BOARD_CLOCK_HSE_BYPASS)
        RCC_CR |= RCC_CR_HSEBYP; /* writable only while HSE is off: before HSEON */
    if (BOARD_CLOCK != BOARD_CLOCK_HSI)
        RCC_CR |= RCC_CR_HSEON;
    /* lengths from addresses: the linker symbols are distinct objects to C, not one array */
    uint32_t ndata = ((uintptr_t)_edata - (uintptr_t)_sdata) / 4u;
    uint32_t nbss = ((uintptr_t)_ebss - (uintptr_t)_sbss) / 4u;
    for (uint32_t i = 0; i < ndata; i++)
        _sdata[i] = _sidata[i];
    /* up to 3 words past _ebss: free SRAM far below the stack (link.ld keeps 2 KB) */
    for (uint32_t i = 0; i < nbss; i += 4u) {
        _sbss[i] = 0;
        _sbss[i + 1u] = 0;
        _sbss[i + 2u] = 0;
        _sbss[i + 3u] = 0;
    }
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
