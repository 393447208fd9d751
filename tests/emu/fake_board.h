/* A fake board for host tests of the peripheral models in isolation: the part (cfg.part), a
 * periph table, 20 KB of SRAM for DMA, a settable clock, recorded interrupt lines, resets, stops and logs. */
#ifndef FAKE_BOARD_H
#define FAKE_BOARD_H

#include "board.h"

#define FAKE_SRAM 0x20000000u
#define FAKE_SRAM_SIZE 20480u

struct board {
    struct emu_config cfg;
    const struct part *part; /* cfg.part, else f103c8 */
    struct periph p[32];
    int np;
    struct board_models models;
    uint64_t now;
    uint64_t stall_cycles; /* board_stall: cycles the models held the CPU */
    uint8_t sram[FAKE_SRAM_SIZE];
    bool irq[68];
    int reset_requests;
    enum reset_kind last_reset_kind;
    const char *last_reset_why;
    bool stopped;
    int stop_code;
    char fault[256];  /* board_fault's message */
    bool hw_watchdog; /* option byte WDG_SW = 0 (flash_hw_watchdog) */
    char log[1 << 16];
    size_t log_len;
};

struct board *fake_create(const struct emu_config *cfg); /* attaches every model */
void fake_destroy(struct board *b);
uint32_t fake_rd(struct board *b, uint32_t addr, unsigned size); /* aborts on an unmapped access */
void fake_wr(struct board *b, uint32_t addr, unsigned size, uint32_t val);
bool fake_access_ok(struct board *b, uint32_t addr, unsigned size, bool write);
void fake_run_to(struct board *b, uint64_t ns);  /* advance every model event by event */
void fake_run_for(struct board *b, uint64_t ns);
void fake_reset(struct board *b, enum reset_kind kind); /* what the core does on a reset */
void fake_poll(struct board *b);                 /* poll host fds once, as the core's loop */
#define RD32(b, a) fake_rd((b), (a), 4)
#define WR32(b, a, v) fake_wr((b), (a), 4, (v))

#endif
