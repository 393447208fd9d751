/* Private to the board core (board.c, cpu.c, scs.c, flash.c, sysmem.c): the board state and the
 * calls between those files. The peripheral models see only board.h. */
#ifndef EMU_CORE_H
#define EMU_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

#include "board.h"

#define FLASH_BASE 0x08000000u
#define SRAM_BASE 0x20000000u
#define SRAM_MAX (96u * 1024u) /* the largest part's; the part's own size is mapped */
#define PERIPH_BASE 0x40000000u
#define PERIPH_SIZE 0x30000u /* APB1, APB2, AHB up to the CRC unit */
#define MAX_PERIPHS 32

/* Exception numbers (PM0056 2.3.2). */
enum { EXC_NMI = 2, EXC_HARDFAULT = 3, EXC_MEMMANAGE = 4, EXC_BUSFAULT = 5, EXC_USAGEFAULT = 6,
       EXC_SVCALL = 11, EXC_PENDSV = 14, EXC_SYSTICK = 15, EXC_IRQ0 = 16, NUM_IRQ = 96,
       NUM_EXC = EXC_IRQ0 + NUM_IRQ };

struct scs;
struct flash;

/* Instructions per translated block, cached by start address (cpu.c). */
#define ICACHE 4096
struct icache_entry {
    uint32_t addr, size, n;
};

struct board {
    struct emu_config cfg;
    const struct part *part;
    uc_engine *uc;
    uint32_t sram_size;
    uint8_t sram[SRAM_MAX];

    struct periph periphs[MAX_PERIPHS];
    int nperiph;
    int8_t periph_at[PERIPH_SIZE / 0x400]; /* 1 KB slot -> index in periphs, -1 none */

    struct scs *scs;
    struct flash *flash;
    struct board_models models;
    struct icache_entry icache[ICACHE];

    /* Time: now = base_ns + slice_cycles * 1e9 / hz while a slice runs. */
    uint64_t base_ns;
    uint64_t base_rem;       /* sub-nanosecond remainder, in units of 1/hz ns */
    uint32_t hz;             /* SYSCLK during the current slice */
    uint64_t slice_cycles;   /* instructions executed in this slice (block granular) */
    uint64_t slice_budget;   /* stop the slice after this many */
    uint64_t total_insns;
    uint64_t idle_cycles;    /* clock cycles skipped while sleeping or stalled */
    uint32_t stop_block, stop_block_n; /* block at which the block hook stopped the slice */
    bool intr_stop;          /* the interrupt hook stopped the slice */
    bool in_uc;              /* inside uc_emu_start */
    bool kick;               /* end the slice early: pending exception, reset, clock change */
    bool irq_masked_wait;    /* an exception waits for PRIMASK/BASEPRI: check them per block */
    bool sleeping;           /* WFI/WFE */

    /* Stop. */
    bool stopped;
    int exit_code;
    bool reset_pending;
    enum reset_kind reset_kind;

    uint32_t pin_done;       /* cfg.pins already applied */
    bool dbgmcu_cr_logged;

    unsigned long host_inputs; /* poll_in calls so far */

    /* Wall clock (realtime mode). */
    uint64_t wall_start_ns;
};

/* board.c */
uint64_t wall_ns(void);
void board_kick(struct board *b);     /* end the current slice at the next block boundary */
bool board_mem_read(struct board *b, uint32_t addr, unsigned size, uint32_t *val);
bool board_mem_write(struct board *b, uint32_t addr, unsigned size, uint32_t val);

/* cpu.c */
int m3_init(struct board *b);
void m3_reset(struct board *b);
int m3_run_slice(struct board *b);   /* runs until the budget, a stop or an event */
void m3_take_exceptions(struct board *b);
void m3_invalidate(struct board *b, uint32_t addr, uint32_t len);
void m3_dump(struct board *b);

/* scs.c: NVIC, SCB, SysTick, DWT, DBGMCU */
struct scs *scs_create(struct board *b);
void scs_destroy(struct scs *s);
void scs_reset(struct scs *s);
uint64_t scs_advance(struct scs *s, uint64_t now_ns);
void scs_set_pending(struct scs *s, int exc);
void scs_irq_level(struct scs *s, int irqn, bool level);
/* Highest-priority pending exception that may preempt now (0 if none). primask/basepri/faultmask
 * as read from the CPU; with ignore_mask the masks are ignored (WFI wake-up rule). */
int scs_next_exception(struct scs *s, uint32_t primask, uint32_t basepri, uint32_t faultmask,
                       bool ignore_mask);
bool scs_any_waiting(struct scs *s);  /* pending exceptions blocked only by PRIMASK/BASEPRI */
void scs_activate(struct scs *s, int exc);
bool scs_deactivate(struct scs *s, int exc); /* false: exc was not active (bad EXC_RETURN) */
int scs_active_count(struct scs *s);
uint32_t scs_vtor(struct scs *s);
bool scs_stkalign(struct scs *s);
void scs_fault_status(struct scs *s, uint32_t cfsr_bits, uint32_t hfsr_bits);
uint32_t scs_cfsr(struct scs *s);
uint32_t scs_hfsr(struct scs *s);

/* flash.c */
struct flash *flash_create(struct board *b);
void flash_destroy(struct flash *f);
void flash_reset(struct flash *f, enum reset_kind kind);
uint64_t flash_advance(struct flash *f, uint64_t now_ns);
/* A flash operation stalls instruction fetches from its bank: until when, 0 if pc is not stalled. */
uint64_t flash_fetch_stall(struct flash *f, uint32_t pc);
void flash_cpu_store(struct flash *f, uint32_t addr, unsigned size, uint32_t val);
void flash_fixup(struct flash *f);  /* undo the raw stores Unicorn made to the CPU view */
bool flash_fixup_pending(struct flash *f);
void flash_sync_code(struct flash *f); /* outside uc_emu_start only */
bool flash_read(struct flash *f, uint32_t addr, unsigned size, uint32_t *val);
long flash_ops(struct flash *f);
uint32_t flash_size(struct flash *f);
uint8_t *flash_view(struct flash *f);
uint8_t flash_option_byte(struct flash *f, unsigned idx);
int flash_preload(struct flash *f, const char *path, uint32_t addr);

/* sysmem.c: flash-size register, unique ID, option bytes, DBGMCU (reads 0 from software) */
int sysmem_init(struct board *b);

#endif
