/* The profile's USART (board.h: USART1, 2 or 3 at the pins of its remap). Reception: its DMA1
 * channel (5, 6 or 3) writes every byte into a circular ring in SRAM, with no CPU involvement, so nothing is lost while a flash erase stalls the CPU
 * (up to 40 ms = 460 bytes at 115200 baud). The ring also holds the frames the host keeps in
 * flight (INFO.rx_window = ring - one frame). The line stays busy while the answer to a frame
 * comes back before the frames behind it have been sent: with 8 KB, six 1041-byte frames (450 ms
 * of line time) cover a page erase and its programming (up to 76 ms) plus the turnaround of a
 * USB-serial adapter or a TCP bridge; 4 KB (two frames: 14 ms of slack) did not.
 * Transmission: polled. */
#include "f1.h"
#include "port.h"
#include "regs.h"

#define BAUD          115200u
#define RX_RING_SIZE  8192u /* power of two */
#define RX_DMA_CH     F1_USART_DMA_RX
#define U             F1_USART_BASE
#define TX_WAIT_LOOPS 0x100000u /* a byte takes ~6300 cycles at 72 MHz; this is far beyond */

static uint8_t rx_ring[RX_RING_SIZE];
static uint32_t rx_tail; /* next byte to hand to the core */

static void usart_enable(uint32_t extra)
{
    USART_CR1(U) = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | extra;
}

void f1_uart_init(void)
{
    rx_tail = 0;
    DMA1_CPAR(RX_DMA_CH) = (uint32_t)&USART_DR(U);
    DMA1_CMAR(RX_DMA_CH) = (uint32_t)rx_ring;
    DMA1_CNDTR(RX_DMA_CH) = RX_RING_SIZE;
    DMA1_CCR(RX_DMA_CH) = DMA_CCR_PL_HIGH | DMA_CCR_MINC | DMA_CCR_CIRC | DMA_CCR_EN;
    USART_BRR(U) = USART_BRR_VALUE(F1_USART_APB2 ? f1_hclk : f1_hclk / 2u, BAUD);
    USART_CR3(U) = USART_CR3_DMAR;
    usart_enable(0);
}

void f1_uart_deinit(void)
{
    /* the DMA clock may already be off (port_deinit called twice): switch it on to clear */
    RCC_AHBENR |= RCC_AHBENR_DMA1EN;
    if ((F1_USART_APB2 ? RCC_APB2ENR : RCC_APB1ENR) & F1_USART_EN)
        port_uart_flush();
    /* DMA1 has no reset bit on the F1: disable the channel, then its registers to reset values */
    DMA1_CCR(RX_DMA_CH) = 0;
    DMA1_CNDTR(RX_DMA_CH) = 0;
    DMA1_CPAR(RX_DMA_CH) = 0;
    DMA1_CMAR(RX_DMA_CH) = 0;
    DMA1_IFCR = DMA_IFCR_ALL(RX_DMA_CH);
}

static uint32_t rx_head(void)
{
    return (RX_RING_SIZE - DMA1_CNDTR(RX_DMA_CH)) & (RX_RING_SIZE - 1u);
}

size_t port_uart_read(uint8_t *buf, size_t max)
{
    /* With DMA an overrun means the DMA missed a byte; the frame CRC catches the loss. Clear the
     * flag (SR then DR read) only while no byte waits in DR, so the read cannot take the DMA's. */
    if ((USART_SR(U) & (USART_SR_ORE | USART_SR_RXNE)) == USART_SR_ORE)
        (void)USART_DR(U);
    uint32_t head = rx_head();
    if (head == rx_tail) {
        /* Nothing waiting: sleep until the next interrupt (SysTick, at most 1 ms; the DMA keeps
         * filling the ring meanwhile). Callers poll in a loop, so this is their idle time: less
         * power, and on the virtual board no busy loop (its stack stores are slow to emulate,
         * which made the emulated line run at about half speed in real-time mode). */
        __asm__ volatile("wfi");
        head = rx_head();
    }
    size_t n = 0;
    while (n < max && rx_tail != head) {
        buf[n++] = rx_ring[rx_tail];
        rx_tail = (rx_tail + 1u) & (RX_RING_SIZE - 1u);
    }
    return n;
}

static void wait_sr(uint32_t flag)
{
    for (uint32_t n = TX_WAIT_LOOPS; n && !(USART_SR(U) & flag); n--) {
    }
}

void port_uart_write(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len--) {
        wait_sr(USART_SR_TXE);
        USART_DR(U) = *p++;
    }
}

void port_uart_flush(void)
{
    wait_sr(USART_SR_TC);
}

/* AN3155 speaks 8E1. On the F1 the parity bit takes the place of the MSB of the word, so 8 data
 * bits with parity need the 9-bit word length (M = 1, PCE = 1, PS = 0 even). */
void port_uart_set_even_parity(bool even)
{
    port_uart_flush();
    usart_enable(even ? USART_CR1_M | USART_CR1_PCE : 0);
}

/* Bytes the ring holds unread: one slot stays empty to tell a full ring from an empty one. */
size_t port_uart_rx_capacity(void)
{
    return RX_RING_SIZE - 1u;
}
