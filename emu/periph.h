/* Private to the peripheral models (rcc, gpio, usart, dma, bkp, crc, iwdg): register access
 * helpers and the cross-model hooks that board.h does not need to expose to the core. */
#ifndef EMU_PERIPH_H
#define EMU_PERIPH_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"

/* RCC enable registers (offset from RCC base) and the bits the models use. */
#define RCC_AHBENR 0x14u
#define RCC_APB2ENR 0x18u
#define RCC_APB1ENR 0x1Cu
#define RCC_AHB_DMA1 0u
#define RCC_AHB_CRC 6u
#define RCC_APB2_AFIO 0u
#define RCC_APB2_IOPA 2u
#define RCC_APB2_USART1 14u
#define RCC_APB1_USART2 17u
#define RCC_APB1_USART3 18u
#define RCC_APB1_BKP 27u
#define RCC_APB1_PWR 28u

/* RCC_CSR reset flags. */
#define RCC_CSR_PINRSTF (1u << 26)
#define RCC_CSR_PORRSTF (1u << 27)
#define RCC_CSR_SFTRSTF (1u << 28)
#define RCC_CSR_IWDGRSTF (1u << 29)

/* Registers are modelled as 32-bit words; narrower accesses read the word and shift, and write
 * through a byte-lane mask. An access must not cross a word. */
static inline bool reg_split(uint32_t off, unsigned size, uint32_t *word, unsigned *shift)
{
    if ((size != 1 && size != 2 && size != 4) || (off & (size - 1u)))
        return false;
    *word = off & ~3u;
    *shift = (off & 3u) * 8u;
    return true;
}

static inline uint32_t lane_mask(unsigned size, unsigned shift)
{
    return (size == 4 ? 0xFFFFFFFFu : ((1u << (size * 8u)) - 1u)) << shift;
}

/* old with the written lanes replaced, restricted to the writable bits. */
static inline uint32_t reg_merge(uint32_t old, uint32_t val, uint32_t lanes, uint32_t writable)
{
    uint32_t m = lanes & writable;
    return (old & ~m) | (val & m);
}

/* GPIO pins and the USART pin remaps of AFIO_MAPR. */
struct pin {
    int8_t port; /* 0 = A */
    int8_t pin;
};
unsigned gpio_pin_cfg(struct board *b, int port, int pin);   /* CNF[1:0] MODE[1:0] nibble */
static inline bool gpio_cfg_af_output(unsigned cfg) { return (cfg & 3u) && (cfg & 8u); }
static inline bool gpio_cfg_digital_input(unsigned cfg) { return !(cfg & 3u) && (cfg & 0xCu); }
/* The pins of USART n (1..3) for a remap value; false for a value RM0008 marks "not used". */
bool afio_usart_map(int usart, unsigned remap, struct pin *tx, struct pin *rx);
unsigned afio_usart_remap(struct board *b, int usart);       /* its field in AFIO_MAPR now */

/* Cross-model hooks. */
/* IWDG: the RCC_CSR flag the next system reset sets (default SFTRSTF). */
void rcc_note_reset_cause(struct board *b, uint32_t csr_flag);
void gpio_rcc_reset(struct board *b, int port);                /* port 0 = A.., or -1 for AFIO */
void usart_rcc_reset(struct board *b, int usart);              /* USART1..3 */
bool usart_dma_line(struct board *b, int channel);             /* request line level (any USART) */
void pwr_rcc_reset(struct board *b);
void bkp_backup_domain_reset(struct board *b);                 /* RCC_BDCR.BDRST */

#endif
