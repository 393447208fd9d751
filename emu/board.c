/* The board: peripheral bus, emulated time, the run loop and the public API (emu.h). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

/* Pin changes from other threads (emu_set_pin), applied by the run loop between slices. */
#define PIN_QUEUE 64
struct emu {
    struct board b;
    pthread_mutex_t pin_lock;
    atomic_int npin_queued;
    struct { int port, pin, level; } pin_queue[PIN_QUEUE];
};

/* The longest slice of emulated time between two looks at the host (fds, wall clock). */
#define SLICE_MAX_NS_FAST 2000000u     /* 2 ms */
#define SLICE_MAX_NS_REALTIME 500000u  /* 0.5 ms */

uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- services for the models ---- */

void board_add_periph(struct board *b, const struct periph *p)
{
    if (b->nperiph >= MAX_PERIPHS || p->base < PERIPH_BASE ||
        p->base + p->size > PERIPH_BASE + PERIPH_SIZE || (p->base & 0x3FFu) || (p->size & 0x3FFu)) {
        fprintf(stderr, "emu: internal: peripheral %s at 0x%08x size 0x%x cannot be mapped\n",
                p->name, p->base, p->size);
        abort();
    }
    int i = b->nperiph++;
    b->periphs[i] = *p;
    for (uint32_t a = p->base; a < p->base + p->size; a += 0x400)
        b->periph_at[(a - PERIPH_BASE) / 0x400] = (int8_t)i;
}

const struct emu_config *board_config(struct board *b)
{
    return &b->cfg;
}

const struct part *board_part(struct board *b)
{
    return b->part;
}

struct board_models *board_models(struct board *b)
{
    return &b->models;
}

uint64_t board_now_ns(struct board *b)
{
    uint64_t hz = b->hz ? b->hz : 8000000u;
    return b->base_ns + (b->slice_cycles * 1000000000u + b->base_rem) / hz;
}

/* Unicorn's PC is only exact at block boundaries: stopping from inside a memory callback would
 * resume at the start of the block and replay its accesses. So the block hook does the stop. */
void board_kick(struct board *b)
{
    b->kick = true;
}

void board_irq(struct board *b, int irqn, bool pending)
{
    scs_irq_level(b->scs, irqn, pending);
}

void board_reset_request(struct board *b, enum reset_kind kind, const char *why)
{
    board_log(b, 1, "reset requested: %s", why);
    if (!b->reset_pending || kind == RESET_POWER)
        b->reset_kind = kind;
    b->reset_pending = true;
    board_kick(b);
}

void board_stop(struct board *b, int exit_code, const char *why)
{
    if (b->stopped)
        return;
    board_log(b, 1, "stop (exit %d): %s", exit_code, why);
    b->stopped = true;
    b->exit_code = exit_code;
    board_kick(b);
}

void board_fault(struct board *b, const char *fmt, ...)
{
    va_list ap;
    uint64_t t = board_now_ns(b);
    fprintf(stderr, "emu: [%4llu.%06llu ms] FAULT: ", (unsigned long long)(t / 1000000u),
            (unsigned long long)(t % 1000000u));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (!b->stopped)
        m3_dump(b);
    board_stop(b, EMU_EXIT_FAULT, "fault");
}

void board_log(struct board *b, int level, const char *fmt, ...)
{
    if (b->cfg.verbose < level)
        return;
    va_list ap;
    uint64_t t = board_now_ns(b);
    if (fmt[0] == '[') /* the models put the timestamp in themselves */
        fputs("emu: ", stderr);
    else
        fprintf(stderr, "emu: [%4llu.%06llu ms] ", (unsigned long long)(t / 1000000u),
                (unsigned long long)(t % 1000000u));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

uint32_t board_pc(struct board *b)
{
    uint32_t pc = 0;
    uc_reg_read(b->uc, UC_ARM_REG_PC, &pc);
    return pc;
}

/* ---- peripheral bus ---- */

static struct periph *periph_for(struct board *b, uint32_t addr)
{
    if (addr < PERIPH_BASE || addr >= PERIPH_BASE + PERIPH_SIZE)
        return NULL;
    int i = b->periph_at[(addr - PERIPH_BASE) / 0x400];
    return i < 0 ? NULL : &b->periphs[i];
}

static bool periph_read(struct board *b, uint32_t addr, unsigned size, uint32_t *val)
{
    struct periph *p = periph_for(b, addr);
    if (!p || !p->read(p->ctx, addr - p->base, size, val))
        return false;
    if (b->cfg.verbose >= 2)
        board_log(b, 2, "%s read  0x%08x/%u = 0x%x", p->name, addr, size, *val);
    return true;
}

static bool periph_write(struct board *b, uint32_t addr, unsigned size, uint32_t val)
{
    struct periph *p = periph_for(b, addr);
    if (!p)
        return false;
    if (b->cfg.verbose >= 2)
        board_log(b, 2, "%s write 0x%08x/%u = 0x%x", p->name, addr, size, val);
    if (!p->write(p->ctx, addr - p->base, size, val))
        return false;
    /* A write may start something (a byte on the wire, a clock switch, a flash operation): let
     * the run loop ask every model for its next event again. */
    if (!p->writes_schedule_nothing)
        board_kick(b);
    return true;
}

bool board_mem_read(struct board *b, uint32_t addr, unsigned size, uint32_t *val)
{
    if (addr >= SRAM_BASE && addr - SRAM_BASE + size <= b->sram_size) {
        uint32_t v = 0;
        memcpy(&v, &b->sram[addr - SRAM_BASE], size);
        *val = v;
        return true;
    }
    if (flash_read(b->flash, addr, size, val))
        return true;
    if (periph_for(b, addr))
        return periph_read(b, addr, size, val);
    return false;
}

bool board_mem_write(struct board *b, uint32_t addr, unsigned size, uint32_t val)
{
    if (addr >= SRAM_BASE && addr - SRAM_BASE + size <= b->sram_size) {
        memcpy(&b->sram[addr - SRAM_BASE], &val, size);
        return true;
    }
    if (periph_for(b, addr))
        return periph_write(b, addr, size, val);
    return false;
}

bool board_bus_read(struct board *b, uint32_t addr, unsigned size, uint32_t *val)
{
    return board_mem_read(b, addr, size, val);
}

bool board_bus_write(struct board *b, uint32_t addr, unsigned size, uint32_t val)
{
    return board_mem_write(b, addr, size, val);
}

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    struct board *b = user;
    uint32_t addr = PERIPH_BASE + (uint32_t)off, val = 0;
    (void)uc;
    flash_fixup(b->flash);
    if (!periph_read(b, addr, size, &val))
        board_fault(b, "%u-byte read of unimplemented address 0x%08x (%s), PC 0x%08x", size, addr,
                    periph_for(b, addr) ? periph_for(b, addr)->name : "no peripheral there",
                    board_pc(b));
    return val;
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
    struct board *b = user;
    uint32_t addr = PERIPH_BASE + (uint32_t)off;
    (void)uc;
    flash_fixup(b->flash);
    if (!periph_write(b, addr, size, (uint32_t)val))
        board_fault(b, "%u-byte write of 0x%x to unimplemented address 0x%08x (%s), PC 0x%08x",
                    size, (uint32_t)val, addr,
                    periph_for(b, addr) ? periph_for(b, addr)->name : "no peripheral there",
                    board_pc(b));
}

/* ---- reset ---- */

static void board_do_reset(struct board *b, enum reset_kind kind)
{
    board_log(b, 1, "%s reset", kind == RESET_POWER ? "power-on" : "system");
    if (kind == RESET_POWER)
        memset(b->sram, 0, sizeof b->sram);
    flash_reset(b->flash, kind);
    scs_reset(b->scs);
    for (int i = 0; i < b->nperiph; i++)
        if (b->periphs[i].reset)
            b->periphs[i].reset(b->periphs[i].ctx, kind);
    b->sleeping = false;
    m3_reset(b);
}

/* ---- the run loop ---- */

/* Pin levels scripted by the configuration (--pin PA0=1@MS): applies those due. */
static uint64_t next_pin_event(struct board *b, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    for (int i = 0; i < b->cfg.npins; i++) {
        struct emu_pin_event *p = &b->cfg.pins[i];
        if (b->pin_done & (1u << i))
            continue;
        if (p->at_ns <= now) {
            gpio_set_input(b, p->port, p->pin, p->level);
            b->pin_done |= 1u << i;
            board_log(b, 1, "pin P%c%d driven %s", 'A' + p->port, p->pin,
                      p->level < 0 ? "released" : p->level ? "high" : "low");
        } else if (p->at_ns < next) {
            next = p->at_ns;
        }
    }
    return next;
}

static uint64_t next_event(struct board *b, uint64_t now)
{
    uint64_t next = scs_advance(b->scs, now);
    uint64_t t = next_pin_event(b, now);
    if (t < next)
        next = t;
    t = flash_advance(b->flash, now);
    if (t < next)
        next = t;
    for (int i = 0; i < b->nperiph; i++) {
        if (!b->periphs[i].advance)
            continue;
        t = b->periphs[i].advance(b->periphs[i].ctx, now);
        if (t < next)
            next = t;
    }
    return next;
}

/* Looks at the host side: readable fds go to their models. Waits at most timeout_ms. */
static void poll_host(struct board *b, int timeout_ms)
{
    struct pollfd fds[MAX_PERIPHS];
    int who[MAX_PERIPHS], n = 0;
    for (int i = 0; i < b->nperiph; i++) {
        if (!b->periphs[i].poll_fd)
            continue;
        int fd = b->periphs[i].poll_fd(b->periphs[i].ctx);
        if (fd < 0)
            continue;
        fds[n].fd = fd;
        fds[n].events = POLLIN;
        fds[n].revents = 0;
        who[n++] = i;
    }
    if (n == 0) {
        if (timeout_ms > 0) {
            struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        return;
    }
    int r = poll(fds, (nfds_t)n, timeout_ms);
    if (r <= 0)
        return;
    for (int k = 0; k < n; k++)
        if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
            struct periph *p = &b->periphs[who[k]];
            b->host_inputs++;
            if (p->poll_in)
                p->poll_in(p->ctx);
        }
}

/* Moves emulated time forward to t without executing (sleep, flash stall). */
static void skip_to(struct board *b, uint64_t t)
{
    if (t > b->base_ns) {
        b->idle_cycles += (t - b->base_ns) * (b->hz ? b->hz : 8000000u) / 1000000000u;
        b->base_ns = t;
        b->base_rem = 0;
    }
}

/* Realtime: wait (serving host input) until the wall clock has reached emulated time t. */
static void realtime_wait(struct board *b, uint64_t t)
{
    for (;;) {
        uint64_t wall = wall_ns() - b->wall_start_ns;
        if (wall >= t) {
            poll_host(b, 0);
            return;
        }
        uint64_t ms = (t - wall) / 1000000u;
        poll_host(b, ms > 10 ? 10 : (int)ms);
        if (ms == 0) {
            uint64_t us = (t - wall) / 1000u;
            struct timespec ts = {0, (long)us * 1000L};
            if (us)
                nanosleep(&ts, NULL);
        }
    }
}

static bool stop_time_reached(struct board *b, uint64_t now)
{
    if (!b->cfg.stop_after_ns || now < b->cfg.stop_after_ns)
        return false;
    board_stop(b, b->cfg.stop_on_uart ? EMU_EXIT_TIMEOUT : EMU_EXIT_OK,
               b->cfg.stop_on_uart ? "time elapsed before the UART string was seen"
                                   : "time elapsed");
    return true;
}

static void apply_queued_pins(struct emu *e)
{
    if (atomic_load(&e->npin_queued) == 0)
        return;
    pthread_mutex_lock(&e->pin_lock);
    int n = atomic_load(&e->npin_queued);
    for (int i = 0; i < n; i++)
        gpio_set_input(&e->b, e->pin_queue[i].port, e->pin_queue[i].pin, e->pin_queue[i].level);
    atomic_store(&e->npin_queued, 0);
    pthread_mutex_unlock(&e->pin_lock);
}

int emu_run(struct emu *e)
{
    struct board *b = &e->b;
    uint64_t last_poll = 0;
    b->wall_start_ns = wall_ns() - b->base_ns;
    while (!b->stopped) {
        apply_queued_pins(e);
        if (b->reset_pending) {
            b->reset_pending = false;
            board_do_reset(b, b->reset_kind);
        }
        uint64_t now = board_now_ns(b);
        uint64_t next = next_event(b, now);
        if (b->stopped || stop_time_reached(b, now))
            break;
        if (b->reset_pending)
            continue;

        /* Host input: every slice in realtime, at most every 1 ms of wall time when fast. Bytes
         * that arrive start on the line now, after `next` was computed: ask the models again
         * before running, or the slice (up to 0.5/2 ms) runs past several received characters
         * and an interrupt-driven receiver overruns on all but the first. */
        unsigned long inputs = b->host_inputs;
        if (b->cfg.realtime) {
            realtime_wait(b, now);
        } else {
            uint64_t w = wall_ns();
            if (w - last_poll > 1000000u) {
                poll_host(b, 0);
                last_poll = w;
            }
        }
        if (b->stopped)
            break;
        if (b->host_inputs != inputs)
            continue;

        m3_take_exceptions(b);
        if (b->stopped)
            break;

        if (b->sleeping) {
            /* Sleep until an event: a model's next event, the stop time, or host input. */
            uint64_t until = next;
            if (b->cfg.stop_after_ns && b->cfg.stop_after_ns < until)
                until = b->cfg.stop_after_ns;
            uint64_t cap = now + (b->cfg.realtime ? SLICE_MAX_NS_REALTIME : 10000000u);
            if (until > cap)
                until = cap;
            if (b->cfg.realtime) {
                realtime_wait(b, until);
                if (b->host_inputs != inputs)
                    continue; /* as above: not past what just arrived */
            } else if (next == UINT64_MAX) {
                /* Nothing on the board can wake it: only the host can. Let wall time pass. */
                uint64_t w0 = wall_ns();
                poll_host(b, 10);
                if (b->host_inputs != inputs)
                    continue;
                uint64_t dw = wall_ns() - w0;
                if (now + dw < until)
                    until = now + dw;
            }
            skip_to(b, until);
            continue;
        }

        /* A flash operation stalls instruction fetches from its bank (XL parts read the other
         * bank while one is busy). */
        uint64_t stall = flash_fetch_stall(b->flash, board_pc(b));
        if (stall) {
            skip_to(b, stall);
            continue;
        }

        uint64_t bound = next;
        uint64_t max = b->cfg.realtime ? SLICE_MAX_NS_REALTIME : SLICE_MAX_NS_FAST;
        if (bound > now + max)
            bound = now + max;
        if (b->cfg.stop_after_ns && bound > b->cfg.stop_after_ns)
            bound = b->cfg.stop_after_ns;
        b->hz = rcc_clock_hz(b, CLK_SYSCLK);
        if (b->hz == 0)
            b->hz = 8000000u;
        uint64_t budget = bound > now ? (bound - now) * b->hz / 1000000000u : 0;
        b->slice_budget = budget ? budget : 1;
        if (b->cfg.realtime) {
            /* Run the slice only once the wall clock has reached its end, so emulated time is
             * never ahead. Input that arrived meanwhile may schedule an earlier event. */
            inputs = b->host_inputs;
            realtime_wait(b, bound);
            if (b->host_inputs != inputs || b->stopped || b->reset_pending)
                continue;
        }
        m3_run_slice(b);
        /* Fold the slice into base time. */
        uint64_t num = b->slice_cycles * 1000000000u + b->base_rem;
        b->base_ns += num / b->hz;
        b->base_rem = num % b->hz;
        b->total_insns += b->slice_cycles;
        b->slice_cycles = 0;
    }
    flash_fixup(b->flash);
    return b->exit_code;
}

/* ---- public API ---- */

static void list_parts(void)
{
    fprintf(stderr, "emu: parts:");
    for (int i = 0; part_at(i); i++)
        fprintf(stderr, " %s", part_at(i)->name);
    fputc('\n', stderr);
}

/* cfg.part by name; without one, --flash-size picks the medium-density part of that size. The
 * flash size, when given with a part, must be the part's. */
static int choose_part(struct board *b)
{
    uint32_t kb = b->cfg.flash_size;
    if (b->cfg.part) {
        b->part = part_find(b->cfg.part);
        if (!b->part) {
            fprintf(stderr, "emu: unknown part '%s'\n", b->cfg.part);
            list_parts();
            return -1;
        }
        if (kb && kb != b->part->flash_kb) {
            fprintf(stderr, "emu: the %s has %u KB of flash, not %u (leave out the flash size, "
                    "or choose another part)\n", b->part->chip, b->part->flash_kb, kb);
            return -1;
        }
    } else {
        b->part = part_for_flash_kb(kb ? kb : 64);
        if (!b->part) {
            fprintf(stderr, "emu: flash size %u KB: without a part it must be 64 (f103c8) or 128 "
                    "(f103cb); choose a part for other sizes\n", kb);
            list_parts();
            return -1;
        }
    }
    b->cfg.flash_size = b->part->flash_kb;
    return 0;
}

struct emu *emu_create(const struct emu_config *cfg)
{
    struct emu *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    struct board *b = &e->b;
    pthread_mutex_init(&e->pin_lock, NULL);
    b->cfg = *cfg;
    memset(b->periph_at, -1, sizeof b->periph_at);
    b->hz = 8000000u;
    if (choose_part(b) != 0)
        goto fail;
    b->sram_size = b->part->sram_kb * 1024u;
    for (int i = 0; i < b->cfg.npins; i++)
        if (b->cfg.pins[i].port >= b->part->gpio_ports || b->cfg.pins[i].pin > 15) {
            fprintf(stderr, "emu: pin P%c%u: the %s has GPIO ports A to %c\n",
                    'A' + b->cfg.pins[i].port, b->cfg.pins[i].pin, b->part->chip,
                    'A' + b->part->gpio_ports - 1);
            goto fail;
        }
    board_log(b, 1, "%s (%s): %u KB flash in %u-byte pages%s, %u KB SRAM, device ID 0x%03x",
              b->part->chip, b->part->density, b->part->flash_kb, b->part->page_size,
              b->part->bank1_kb ? " (two banks)" : "", b->part->sram_kb, b->part->dev_id);
    if (m3_init(b) != 0)
        goto fail;
    b->flash = flash_create(b);
    if (!b->flash)
        goto fail;
    for (int i = 0; i < b->cfg.npreload; i++)
        if (flash_preload(b->flash, b->cfg.preload[i].path, b->cfg.preload[i].addr) != 0)
            goto fail;
    b->scs = scs_create(b);
    if (!b->scs || sysmem_init(b) != 0)
        goto fail;
    if (uc_mmio_map(b->uc, PERIPH_BASE, PERIPH_SIZE, mmio_read, b, mmio_write, b) != UC_ERR_OK) {
        fprintf(stderr, "emu: cannot map the peripheral bus\n");
        goto fail;
    }
    rcc_attach(b);
    gpio_attach(b);
    usart_attach(b);
    dma_attach(b);
    bkp_attach(b);
    crc_attach(b);
    iwdg_attach(b);
    if (b->stopped) /* a model failed to set up (pty, tcp port) */
        goto fail;
    board_do_reset(b, RESET_POWER);
    next_pin_event(b, 0);
    return e;
fail:
    emu_destroy(e);
    return NULL;
}

/* Safe from any thread: the change takes effect at the next slice boundary (within 2 ms of
 * emulated time, 0.5 ms in real time). */
void emu_set_pin(struct emu *e, int port, int pin, int level)
{
    pthread_mutex_lock(&e->pin_lock);
    int n = atomic_load(&e->npin_queued);
    if (n < PIN_QUEUE) {
        e->pin_queue[n].port = port;
        e->pin_queue[n].pin = pin;
        e->pin_queue[n].level = level;
        atomic_store(&e->npin_queued, n + 1);
    }
    pthread_mutex_unlock(&e->pin_lock);
}

uint64_t emu_now_ns(const struct emu *e)
{
    return board_now_ns((struct board *)&e->b);
}

long emu_flash_ops(const struct emu *e)
{
    return e->b.flash ? flash_ops(e->b.flash) : 0;
}

void emu_destroy(struct emu *e)
{
    if (!e)
        return;
    struct board *b = &e->b;
    for (int i = 0; i < b->nperiph; i++)
        if (b->periphs[i].destroy)
            b->periphs[i].destroy(b->periphs[i].ctx);
    if (b->flash)
        flash_destroy(b->flash);
    if (b->scs)
        scs_destroy(b->scs);
    if (b->uc)
        uc_close(b->uc);
    pthread_mutex_destroy(&e->pin_lock);
    free(e);
}
