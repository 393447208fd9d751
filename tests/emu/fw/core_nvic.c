/* NVIC: an interrupt pended while disabled runs once enabled; PRIMASK holds it; a higher
 * priority interrupt preempts a running lower priority handler (SysTick). IRQ 15 is used
 * through ISPR only (its DMA channel is never enabled). */
#include "fw.h"

#define ISER0 REG32(0xE000E100)
#define ICER0 REG32(0xE000E180)
#define ISPR0 REG32(0xE000E200)
#define IPR(n) (*(volatile uint8_t *)(0xE000E400u + (n)))
#define SHPR3 REG32(0xE000ED20)
#define ICSR REG32(0xE000ED04)
#define STIR REG32(0xE000EF00)

static volatile uint32_t irq_runs, order, in_systick;

void dma1_ch5_handler(void)
{
    irq_runs++;
    if (in_systick)
        order = 1; /* nested inside SysTick */
}

void systick_handler(void)
{
    in_systick = 1;
    ICSR = 1u << 25; /* PENDSTCLR: just once */
    ISPR0 = 1u << 15;
    __asm__ volatile("dsb; isb"); /* the pended interrupt is taken before what follows */
    in_systick = 0;
}

int main(void)
{
    ISPR0 = 1u << 15;
    for (volatile int i = 0; i < 100; i++)
        ;
    FW_CHECK(irq_runs == 0);
    FW_CHECK(ISPR0 & (1u << 15));
    ISER0 = 1u << 15;
    __asm__ volatile("dsb; isb");
    FW_CHECK(irq_runs == 1);
    FW_CHECK(!(ISPR0 & (1u << 15)));

    __asm__ volatile("cpsid i");
    STIR = 15;
    for (volatile int i = 0; i < 100; i++)
        ;
    FW_CHECK(irq_runs == 1);
    __asm__ volatile("cpsie i");
    for (volatile int i = 0; i < 10; i++)
        ;
    FW_CHECK(irq_runs == 2);

    /* Preemption: SysTick at the lowest priority, IRQ 15 at the highest. */
    SHPR3 = 0xF0u << 24;
    IPR(15) = 0x00;
    ICSR = 1u << 26; /* PENDSTSET */
    for (volatile int i = 0; i < 100; i++)
        ;
    FW_CHECK(irq_runs == 3);
    FW_CHECK(order == 1);

    /* Same priority does not preempt: IRQ 15 runs after SysTick returns. */
    order = 0;
    IPR(15) = 0xF0;
    ICSR = 1u << 26;
    for (volatile int i = 0; i < 100; i++)
        ;
    FW_CHECK(irq_runs == 4);
    FW_CHECK(order == 0);
    ICER0 = 1u << 15;
    return 0;
}
