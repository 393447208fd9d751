#include "fake_board.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void board_add_periph(struct board *b, const struct periph *p)
{
    if (b->np == (int)(sizeof b->p / sizeof b->p[0]))
        abort();
    b->p[b->np++] = *p;
}

const struct emu_config *board_config(struct board *b)
{
    return &b->cfg;
}

const struct part *board_part(struct board *b)
{
    return b->part;
}

uint64_t board_now_ns(struct board *b)
{
    return b->now;
}

void board_stall(struct board *b, uint32_t cycles)
{
    b->stall_cycles += cycles;
}

void board_irq(struct board *b, int irqn, bool pending)
{
    if (irqn >= 0 && irqn < 68)
        b->irq[irqn] = pending;
}

void board_reset_request(struct board *b, enum reset_kind kind, const char *why)
{
    b->reset_requests++;
    b->last_reset_kind = kind;
    b->last_reset_why = why;
}

void board_stop(struct board *b, int exit_code, const char *why)
{
    (void)why;
    if (!b->stopped) {
        b->stopped = true;
        b->stop_code = exit_code;
    }
}

void board_fault(struct board *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->fault, sizeof b->fault, fmt, ap);
    va_end(ap);
    board_stop(b, EMU_EXIT_FAULT, "fault");
}

bool flash_hw_watchdog(struct board *b)
{
    return b->hw_watchdog;
}

static struct periph *find(struct board *b, uint32_t addr)
{
    for (int i = 0; i < b->np; i++)
        if (addr - b->p[i].base < b->p[i].size)
            return &b->p[i];
    return NULL;
}

bool board_bus_read(struct board *b, uint32_t addr, unsigned size, uint32_t *val)
{
    if (addr - FAKE_SRAM < FAKE_SRAM_SIZE && addr - FAKE_SRAM + size <= FAKE_SRAM_SIZE) {
        *val = 0;
        memcpy(val, &b->sram[addr - FAKE_SRAM], size);
        return true;
    }
    struct periph *p = find(b, addr);
    return p && p->read(p->ctx, addr - p->base, size, val);
}

bool board_bus_write(struct board *b, uint32_t addr, unsigned size, uint32_t val)
{
    if (addr - FAKE_SRAM < FAKE_SRAM_SIZE && addr - FAKE_SRAM + size <= FAKE_SRAM_SIZE) {
        memcpy(&b->sram[addr - FAKE_SRAM], &val, size);
        return true;
    }
    struct periph *p = find(b, addr);
    return p && p->write(p->ctx, addr - p->base, size, val);
}

void board_log(struct board *b, int level, const char *fmt, ...)
{
    if (level > b->cfg.verbose)
        return;
    /* the core's prefix: "emu: [  12.345678 ms] " */
    b->log_len += (size_t)snprintf(b->log + b->log_len, 40, "emu: [%4llu.%06llu ms] ",
                                   (unsigned long long)(b->now / 1000000u),
                                   (unsigned long long)(b->now % 1000000u));
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->log + b->log_len, sizeof b->log - b->log_len - 1, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->log_len += (size_t)n < sizeof b->log - b->log_len - 2 ? (size_t)n : 0;
    b->log[b->log_len++] = '\n';
    b->log[b->log_len] = 0;
    if (b->log_len > sizeof b->log - 256)
        b->log_len = 0;
}

uint32_t board_pc(struct board *b)
{
    (void)b;
    return 0x08000100u;
}

struct board_models *board_models(struct board *b)
{
    return &b->models;
}

struct board *fake_create(const struct emu_config *cfg)
{
    struct board *b = calloc(1, sizeof *b);
    if (!b)
        abort();
    if (cfg)
        b->cfg = *cfg;
    b->part = part_find(b->cfg.part ? b->cfg.part : "f103c8");
    if (!b->part)
        abort();
    rcc_attach(b);
    gpio_attach(b);
    usart_attach(b);
    dma_attach(b);
    bkp_attach(b);
    crc_attach(b);
    iwdg_attach(b);
    return b;
}

void fake_destroy(struct board *b)
{
    for (int i = 0; i < b->np; i++)
        if (b->p[i].destroy)
            b->p[i].destroy(b->p[i].ctx);
    free(b);
}

bool fake_access_ok(struct board *b, uint32_t addr, unsigned size, bool write)
{
    uint32_t v = 0;
    return write ? board_bus_write(b, addr, size, 0) : board_bus_read(b, addr, size, &v);
}

uint32_t fake_rd(struct board *b, uint32_t addr, unsigned size)
{
    uint32_t v = 0;
    if (!board_bus_read(b, addr, size, &v)) {
        fprintf(stderr, "fake board: unmapped read 0x%08x\n", addr);
        abort();
    }
    return v;
}

void fake_wr(struct board *b, uint32_t addr, unsigned size, uint32_t val)
{
    if (!board_bus_write(b, addr, size, val)) {
        fprintf(stderr, "fake board: unmapped write 0x%08x\n", addr);
        abort();
    }
}

static uint64_t advance_all(struct board *b)
{
    uint64_t next = UINT64_MAX;
    for (int i = 0; i < b->np; i++)
        if (b->p[i].advance) {
            uint64_t t = b->p[i].advance(b->p[i].ctx, b->now);
            if (t < next)
                next = t;
        }
    return next;
}

void fake_run_to(struct board *b, uint64_t ns)
{
    for (;;) {
        uint64_t next = advance_all(b);
        if (next > ns) {
            b->now = ns;
            advance_all(b);
            return;
        }
        b->now = next > b->now ? next : b->now + 1; /* a model must not report the past */
    }
}

void fake_run_for(struct board *b, uint64_t ns)
{
    fake_run_to(b, b->now + ns);
}

void fake_reset(struct board *b, enum reset_kind kind)
{
    for (int i = 0; i < b->np; i++)
        if (b->p[i].reset)
            b->p[i].reset(b->p[i].ctx, kind);
}

void fake_poll(struct board *b)
{
    for (int i = 0; i < b->np; i++) {
        if (!b->p[i].poll_fd)
            continue;
        int fd = b->p[i].poll_fd(b->p[i].ctx);
        if (fd < 0)
            continue;
        struct pollfd pf = { .fd = fd, .events = POLLIN };
        if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLIN | POLLHUP | POLLERR)))
            b->p[i].poll_in(b->p[i].ctx);
    }
}
