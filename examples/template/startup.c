/* Startup of an application linked at 0x08002000 (app.ld): vector table and reset handler.
 * The bootloader already sets VTOR before the jump; the reset handler sets it again so the
 * application also runs when started another way (a debugger loading it, a different
 * bootloader). This is the NVIC_SetVectorTable(NVIC_VectTab_FLASH, 0x2000) of the old
 * StdPeriph library, SCB->VTOR = 0x08002000 in CMSIS terms. */
#include <stdint.h>

#include "app_vectors.h"

#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];

/* Handlers the application may define; the default one stops in a loop a debugger can find. */
void nmi_handler(void) __attribute__((weak, alias("default_handler")));
void hardfault_handler(void) __attribute__((weak, alias("default_handler")));
void memmanage_handler(void) __attribute__((weak, alias("default_handler")));
void busfault_handler(void) __attribute__((weak, alias("default_handler")));
void usagefault_handler(void) __attribute__((weak, alias("default_handler")));
void svc_handler(void) __attribute__((weak, alias("default_handler")));
void pendsv_handler(void) __attribute__((weak, alias("default_handler")));
void systick_handler(void) __attribute__((weak, alias("default_handler")));
void usart1_handler(void) __attribute__((weak, alias("default_handler")));
void usart2_handler(void) __attribute__((weak, alias("default_handler")));
void usart3_handler(void) __attribute__((weak, alias("default_handler")));

extern void (*const app_vectors[16 + 68])(void);

void reset_handler(void)
{
    SCB_VTOR = (uint32_t)app_vectors; /* 0x08002000: the first thing in FLASH (app.ld) */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    /* lengths from addresses: the linker symbols are distinct objects to C, not one array */
    uint32_t ndata = ((uintptr_t)_edata - (uintptr_t)_sdata) / 4u;
    uint32_t nbss = ((uintptr_t)_ebss - (uintptr_t)_sbss) / 4u;
    for (uint32_t i = 0; i < ndata; i++)
        _sdata[i] = _sidata[i];
    for (uint32_t i = 0; i < nbss; i++)
        _sbss[i] = 0;
    main();
    for (;;) {
    }
}

void default_handler(void)
{
    for (;;) {
    }
}

/* 16 system exceptions + the interrupts: 60 on the F101/F103 (RM0008 table 63), 68 on the
 * connectivity line (table 61; the 8 more entries are unused elsewhere). Add the handlers your
 * application uses; the others fall into default_handler. */
__attribute__((section(".vectors"), used)) void (*const app_vectors[16 + 68])(void) = {
    [0] = (void (*)(void))_estack,
    [1] = reset_handler,
    [2] = nmi_handler,
    [3] = hardfault_handler,
    [4] = memmanage_handler,
    [5] = busfault_handler,
    [6] = usagefault_handler,
    [7 ... 10] = default_handler,
    [11] = svc_handler,
    [12] = default_handler,
    [13] = default_handler,
    [14] = pendsv_handler,
    [15] = systick_handler,
    [16 ... 16 + 36] = default_handler,
    [16 + 37] = usart1_handler,
    [16 + 38] = usart2_handler,
    [16 + 39] = usart3_handler,
    [16 + 40 ... 16 + 67] = default_handler,
};
