/* Internal interface between the board core (board.c, cpu.c, scs.c, flash.c) and the peripheral
 * models (rcc.c, gpio.c, usart.c, dma.c, bkp.c, crc.c, iwdg.c). Not used outside emu/. */
#ifndef EMU_BOARD_H
#define EMU_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu.h"

struct board;

/* One STM32F1 part (emu/part.c): everything that differs between the parts the board can be. */
enum rcc_kind {
    RCC_F10X, /* low/medium/high/XL density: PLL from HSI/2 or HSE (/2), x2..x16 */
    RCC_CL,   /* connectivity line: PREDIV1/PREDIV2, PLL2, PLL3 (RCC_CFGR2), PLL x4..x9 or x6.5 */
};
struct part {
    const char *name;    /* --part NAME */
    const char *chip;    /* "STM32F103C8" */
    const char *density; /* "medium density" */
    uint16_t dev_id;     /* DBGMCU_IDCODE DEV_ID as a debugger reads it (software reads 0) */
    uint16_t flash_kb;   /* main flash, also the F_SIZE register */
    uint16_t page_size;  /* flash page, bytes */
    uint16_t bank1_kb;   /* dual bank (XL): size of bank 1, bank 2 follows; 0 = one bank */
    uint16_t sram_kb;
    uint8_t wrp_pages;   /* pages per option-byte WRP bit; bit 31 also covers every later page */
    uint8_t nirq;        /* NVIC interrupt lines */
    uint8_t gpio_ports;  /* GPIOA, GPIOB, ... */
    uint8_t bkp_dr;      /* backup data registers BKP_DR1..n */
    bool afio_mapr2;     /* AFIO_MAPR2 exists */
    enum rcc_kind rcc_kind;
};
const struct part *part_at(int i);            /* the table, NULL past the end */
const struct part *part_find(const char *name);
const struct part *part_for_flash_kb(uint32_t kb);

enum reset_kind {
    RESET_POWER,   /* power-on: everything resets, SRAM and backup domain lost (flash kept) */
    RESET_SYSTEM,  /* SYSRESETREQ, IWDG, NRST: SRAM and backup domain kept */
};

/* A memory-mapped peripheral. Register accesses are 1, 2 or 4 bytes at an offset from base.
 * read/write return false for an address the model does not implement: the board then stops
 * with a message naming address, access size and PC (faults are loud, never silent zeros). */
struct periph {
    const char *name;
    uint32_t base, size;
    void *ctx;
    bool (*read)(void *ctx, uint32_t off, unsigned size, uint32_t *val);
    bool (*write)(void *ctx, uint32_t off, unsigned size, uint32_t val);
    void (*reset)(void *ctx, enum reset_kind kind);
    /* Emulated time moved to now_ns. Returns the absolute time of this model's next event
     * (byte completes, timer expires), or UINT64_MAX. The core runs the CPU no further than the
     * earliest next event before calling advance again. May be NULL. */
    uint64_t (*advance)(void *ctx, uint64_t now_ns);
    /* Host-side file descriptor to poll for input (uart bridge), -1 if none; poll_in is called
     * when it is readable. May be NULL. */
    int (*poll_fd)(void *ctx);
    void (*poll_in)(void *ctx);
    /* Its writes never start anything with a time of its own (no advance, no interrupt): they
     * need not end the CPU's slice. A loop of such writes (the CRC unit's DR) then runs at the
     * CPU's speed in real time instead of one slice, and one host poll, per write. */
    bool writes_schedule_nothing;
    /* Frees ctx and closes host resources (fds, terminal modes); called by emu_destroy. May be
     * NULL. poll_fd may change between calls (pty reconnect, tcp accept): query it each loop. */
    void (*destroy)(void *ctx);
};

/* ---- Services of the core, for the models ---- */
void board_add_periph(struct board *b, const struct periph *p);  /* copied */
const struct emu_config *board_config(struct board *b);
const struct part *board_part(struct board *b);
uint64_t board_now_ns(struct board *b);
void board_irq(struct board *b, int irqn, bool pending);  /* NVIC external interrupt line (level) */
void board_reset_request(struct board *b, enum reset_kind kind, const char *why);
void board_stop(struct board *b, int exit_code, const char *why);
/* Stops the board with EMU_EXIT_FAULT and a message (and the CPU registers): for what the model
 * refuses to guess, e.g. a setting RM0008 calls reserved. */
void board_fault(struct board *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bus access for DMA: goes through the same map as the CPU (SRAM, flash read, peripherals). */
bool board_bus_read(struct board *b, uint32_t addr, unsigned size, uint32_t *val);
bool board_bus_write(struct board *b, uint32_t addr, unsigned size, uint32_t val);
void board_log(struct board *b, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
uint32_t board_pc(struct board *b);
/* The CPU's bus access being served takes `cycles` more SYSCLK cycles (a slave that holds the bus:
 * the CRC unit). Only CPU accesses are timed; a DMA access is not (DMA is instantaneous). */
void board_stall(struct board *b, uint32_t cycles);
/* A peripheral-visible reset of the core's own state when the backup domain matters, etc. */

/* ---- Cross-model queries, implemented by the peripheral models ---- */
enum clk { CLK_SYSCLK, CLK_HCLK, CLK_PCLK1, CLK_PCLK2 };
uint32_t rcc_clock_hz(struct board *b, enum clk which);
/* Peripheral clock gates: the enable bit in RCC_AHBENR/APB1ENR/APB2ENR (reg 0x14/0x1C/0x18). */
bool rcc_clock_enabled(struct board *b, uint32_t enr_offset, unsigned bit);
void dma_request(struct board *b, int channel);   /* DMA1 channel 1..7 request line asserted */
void gpio_set_input(struct board *b, int port, int pin, int level); /* 1, 0, -1 released */
bool bkp_backup_writable(struct board *b);        /* PWR_CR.DBP */
bool flash_hw_watchdog(struct board *b);          /* option byte WDG_SW = 0: IWDG on at reset */

/* Peripheral constructors: each allocates its state and calls board_add_periph. */
void rcc_attach(struct board *b);
void gpio_attach(struct board *b);     /* the part's GPIO ports and AFIO */
void usart_attach(struct board *b);    /* USART1..3 and the host bridge (pty/stdio/tcp/fd) */
void dma_attach(struct board *b);      /* DMA1 */
void bkp_attach(struct board *b);      /* PWR and BKP */
void crc_attach(struct board *b);      /* CRC unit */
void iwdg_attach(struct board *b);     /* IWDG */

/* Where a model keeps a pointer to its state so cross-model queries can find it. */
struct board_models {
    struct rcc *rcc;
    struct gpio *gpio;
    struct usart *usart[3]; /* USART1..3 */
    struct dma *dma1;
    struct bkp *bkp;
    struct crcu *crc;
    struct iwdg *iwdg;
};
struct board_models *board_models(struct board *b);

#define NUSART 3

#endif
