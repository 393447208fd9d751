/* libFuzzer harness body for the bootloader core: the input is what a hostile host sends on the
 * UART. It runs through session_poll (every protocol in session_protos: native, AN3155, YMODEM)
 * into the sim port's fake F1 flash, with cheap oracles on every flash operation.
 *
 * Input: byte 0 = setup flags, the rest = line bytes (after FUZZ_OPENER, which pins the harness
 * to one protocol's first byte so each corpus stays on its protocol).
 *   bit 0: 128 KB part (else 64 KB)       bit 1: a valid application is installed at power-up
 *   bit 2: 150 ms between chunks (frame and protocol timeouts fire), else 1 ms
 *   bits 4-7: chunk size per delivery, 0 = 1 byte, n = 16 n bytes
 *
 * Oracles (abort = finding):
 * - every erase/program lies in [0x08002000, end of flash) and is page/half-word aligned, and
 *   inside fm_erase/fm_write touches only pages overlapping the range asked for (or the record);
 * - the bootloader pages and the flash past the part's end never change;
 * - no image byte is erased or programmed while the record page holds a record that looks valid
 *   (magic + rec_crc): the old application is given up (record erased) before it is touched;
 * - the record page is programmed only inside fm_commit, and a record that looks valid exists
 *   only after a successful fm_commit whose size/crc/version it holds and whose crc matches the
 *   flash (computed here, independently of the core);
 * - a refusal for the arguments alone (E_RANGE, E_ALIGN, E_LEN, E_SIZE, E_VECTOR, E_IMAGE_CRC)
 *   performs no flash operation;
 * - the core jumps only to 0x08002000 and only when the application is valid;
 * - the F1 never sees a program onto a non-erased half-word (sim_pgerr == 0).
 * The core calls fm_* and port_* across translation units, so -Wl,--wrap puts the checks there. */
#ifndef FUZZ_SESSION_H
#define FUZZ_SESSION_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "flashmgr.h"
#include "proto.h"
#include "port.h"
#include "session.h"
#include "sim.h"
#include "oracle.h"

static uint32_t fz_size;                /* flash size of this run */
static uint8_t fz_before[SIM_FLASH_MAX]; /* flash at power-up */
static int fz_in_commit;
static long fz_commits_ok;
static struct proto_record fz_committed; /* what the last successful fm_commit wrote */
static int fz_committed_valid;         /* a record that looks valid is expected */

static uint32_t fz_end(void) { return PROTO_FLASH_BASE + fz_size; }
static uint32_t fz_rec_addr(void) { return PROTO_RECORD_ADDR(fz_size, SIM_MD_PAGE); }

/* Magic and rec_crc right: the record claims the image is bootable. */
static int fz_record_looks_valid(struct proto_record *out)
{
    struct proto_record r;
    memcpy(&r, sim_flash_at(fz_rec_addr()), sizeof r);
    if (out)
        *out = r;
    return r.magic == PROTO_RECORD_MAGIC && proto_crc32(0, &r, 20) == r.rec_crc;
}

/* The validity rule, computed here from the flash bytes. */
static int fz_app_valid(void)
{
    struct proto_record r;
    if (!fz_record_looks_valid(&r) || r.size == 0 || r.size > fz_rec_addr() - PROTO_APP_START)
        return 0;
    const uint8_t *v = sim_flash_at(PROTO_APP_START);
    uint32_t sp = proto_get32(v), pc = proto_get32(v + 4);
    return r.size >= 8 && sp > PROTO_SRAM_BASE && sp <= PROTO_SRAM_BASE + SIM_MD_SRAM &&
           !(sp & 3u) && (pc & 1u) && (pc & ~1u) >= PROTO_APP_START &&
           (pc & ~1u) < PROTO_APP_START + r.size && proto_crc32(0, v, r.size) == r.image_crc;
}

/* Inside fm_erase/fm_write: the range it was asked for (pages it may erase overlap it). */
static uint32_t fz_win_lo, fz_win_hi; /* [lo, hi), hi = 0: not inside one */

static void fz_check_modify(uint32_t addr, uint32_t len)
{
    ORACLE(addr >= PROTO_APP_START && addr < fz_end() && len <= fz_end() - addr);
    int record_page = addr >= fz_rec_addr();
    if (fz_win_hi && !record_page) /* only what the caller asked for (the record page apart) */
        ORACLE(addr < fz_win_hi && addr + len > fz_win_lo);
    if (!record_page)
        ORACLE(!fz_record_looks_valid(NULL)); /* image touched under a valid-looking record */
    else
        fz_committed_valid = 0;
}

int __real_port_flash_erase_page(uint32_t addr, uint32_t page_size);
int __wrap_port_flash_erase_page(uint32_t addr, uint32_t page_size);
int __wrap_port_flash_erase_page(uint32_t addr, uint32_t page_size)
{
    ORACLE(page_size == SIM_MD_PAGE && addr % SIM_MD_PAGE == 0);
    fz_check_modify(addr, SIM_MD_PAGE);
    return __real_port_flash_erase_page(addr, page_size);
}

int __real_port_flash_program(uint32_t addr, const void *data, size_t len);
int __wrap_port_flash_program(uint32_t addr, const void *data, size_t len);
int __wrap_port_flash_program(uint32_t addr, const void *data, size_t len)
{
    ORACLE(addr % 2 == 0 && len % 2 == 0 && len <= SIM_FLASH_MAX);
    fz_check_modify(addr, (uint32_t)len);
    if (addr >= fz_rec_addr())
        ORACLE(fz_in_commit); /* only fm_commit writes the record */
    return __real_port_flash_program(addr, data, len);
}

static int fz_arg_refusal(int rc)
{
    return rc == PROTO_E_RANGE || rc == PROTO_E_ALIGN || rc == PROTO_E_LEN || rc == PROTO_E_SIZE ||
           rc == PROTO_E_VECTOR || rc == PROTO_E_IMAGE_CRC;
}

int __real_fm_erase(uint32_t addr, uint32_t len);
int __wrap_fm_erase(uint32_t addr, uint32_t len);
int __wrap_fm_erase(uint32_t addr, uint32_t len)
{
    long ops = sim_ops;
    fz_win_lo = addr;
    fz_win_hi = len && addr + len > addr ? addr + len : 0;
    int rc = __real_fm_erase(addr, len);
    fz_win_hi = 0;
    if (fz_arg_refusal(rc))
        ORACLE(sim_ops == ops);
    return rc;
}

int __real_fm_write(uint32_t addr, const uint8_t *data, size_t len);
int __wrap_fm_write(uint32_t addr, const uint8_t *data, size_t len);
int __wrap_fm_write(uint32_t addr, const uint8_t *data, size_t len)
{
    long ops = sim_ops;
    fz_win_lo = addr;
    fz_win_hi = len && addr + len > addr ? addr + (uint32_t)len : 0;
    int rc = __real_fm_write(addr, data, len);
    fz_win_hi = 0;
    if (fz_arg_refusal(rc))
        ORACLE(sim_ops == ops);
    if (rc == PROTO_OK) /* what it reports written is in flash */
        ORACLE(memcmp(sim_flash_at(addr), data, len) == 0);
    return rc;
}

int __real_fm_commit(uint32_t size, uint32_t crc, uint32_t version);
int __wrap_fm_commit(uint32_t size, uint32_t crc, uint32_t version);
int __wrap_fm_commit(uint32_t size, uint32_t crc, uint32_t version)
{
    long ops = sim_ops;
    struct proto_record before, r;
    fz_record_looks_valid(&before);
    fz_in_commit = 1;
    int rc = __real_fm_commit(size, crc, version);
    fz_in_commit = 0;
    if (fz_arg_refusal(rc))
        ORACLE(sim_ops == ops);
    if (rc != PROTO_OK) { /* a refused commit leaves the record as it was, or not valid */
        ORACLE(!fz_record_looks_valid(&r) || memcmp(&r, &before, sizeof r) == 0);
        return rc;
    }
    ORACLE(fz_record_looks_valid(&r));
    ORACLE(r.size == size && r.image_crc == crc && r.version == version);
    ORACLE(fz_app_valid());
    fz_committed = r;
    fz_committed_valid = 1;
    fz_commits_ok++;
    return rc;
}

void __real_port_jump(uint32_t vector_table);
__attribute__((noreturn)) void __wrap_port_jump(uint32_t vector_table);
__attribute__((noreturn)) void __wrap_port_jump(uint32_t vector_table)
{
    ORACLE(vector_table == PROTO_APP_START);
    ORACLE(fz_app_valid());
    __real_port_jump(vector_table);
    abort(); /* port_jump returns only through sim_run's longjmp */
}

/* Between polls: a record that looks valid is the one the last successful commit wrote (or the
 * power-up one), never one assembled some other way. */
static void fz_check_record(void)
{
    struct proto_record r;
    if (!fz_record_looks_valid(&r))
        return;
    ORACLE(fz_committed_valid);
    ORACLE(memcmp(&r, &fz_committed, sizeof r) == 0);
}

static void fz_check_end(void)
{
    ORACLE(sim_boot_writes == 0);
    ORACLE(sim_pgerr == 0);
    ORACLE(memcmp(sim_flash, fz_before, PROTO_BOOT_SIZE) == 0);
    ORACLE(memcmp(sim_flash + fz_size, fz_before + fz_size, SIM_FLASH_MAX - fz_size) == 0);
    fz_check_record();
}

/* Power-up flash: recognisable bootloader pages, optionally a 1 KB app with its record. */
static void fz_power_up(int with_app)
{
    for (uint32_t i = 0; i < PROTO_BOOT_SIZE; i++)
        sim_flash[i] = (uint8_t)(i * 7u + 0x3Cu);
    memset(&fz_committed, 0, sizeof fz_committed);
    fz_committed_valid = 0;
    if (with_app) {
        uint8_t *app = sim_flash_at(PROTO_APP_START);
        for (uint32_t i = 0; i < 1024; i++)
            app[i] = (uint8_t)(i * 13u + 1u);
        proto_put32(app, PROTO_SRAM_BASE + SIM_MD_SRAM);
        proto_put32(app + 4, PROTO_APP_START + 0x101);
        struct proto_record r = {PROTO_RECORD_MAGIC, 1024, proto_crc32(0, app, 1024), 1, 0, 0};
        r.rec_crc = proto_crc32(0, &r, 20);
        memcpy(sim_flash_at(fz_rec_addr()), &r, sizeof r);
        fz_committed = r;
        fz_committed_valid = 1;
    }
    memcpy(fz_before, sim_flash, sizeof fz_before);
}

struct fz_run {
    const uint8_t *data;
    size_t size, pos, chunk;
    uint32_t gap_ms;
};

static void fz_drain_tx(void)
{
    static uint8_t sink[4096];
    while (sim_uart_get(sink, sizeof sink))
        ;
}

static void fz_poll_all(void)
{
    for (int i = 0; i < 100000 && sim_uart_rx_pending(); i++) {
        boot_iap_poll();
        fz_drain_tx();
        fz_check_record();
    }
    boot_iap_poll();
    fz_drain_tx();
    fz_check_record();
}

/* Runs inside sim_run: a RESET or jump longjmps out, and the caller boots again. */
static void fz_feed(void *arg)
{
    struct fz_run *run = arg;
    while (run->pos < run->size) {
        size_t n = run->size - run->pos < run->chunk ? run->size - run->pos : run->chunk;
        sim_uart_put(run->data + run->pos, n);
        run->pos += n;
        fz_poll_all();
        sim_ms += run->gap_ms;
    }
    /* quiet line: frame, protocol and inactivity timeouts */
    for (int i = 0; i < 12; i++) {
        sim_ms += 1000;
        fz_poll_all();
    }
    sim_ms += BOOT_IDLE_MS;
    fz_poll_all();
}

#ifndef FUZZ_OPENER
#define FUZZ_OPENER ""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char opener[] = FUZZ_OPENER;
    static uint8_t line[1u << 16];
    if (size < 1 || size - 1 + sizeof opener - 1 > sizeof line)
        return 0;
    uint8_t flags = data[0];
    size_t n = sizeof opener - 1;
    memcpy(line, opener, n);
    memcpy(line + n, data + 1, size - 1);
    n += size - 1;

    fz_size = flags & 1u ? 128u * 1024u : 64u * 1024u;
    sim_reset(fz_size);
    fz_power_up(flags & 2u);
    fz_commits_ok = 0;
    fz_in_commit = 0;

    struct fz_run run = {line, n, 0, flags >> 4 ? (size_t)(flags >> 4) * 16u : 1u,
                         flags & 4u ? 150u : 1u};
    session_init();
    session_enter_iap();
    /* a RESET or a jump to the app: power up again and go on with the rest of the input */
    for (int boots = 0; boots < 64; boots++) {
        enum sim_exit why = sim_run(fz_feed, &run);
        ORACLE(why == SIM_RETURNED || why == SIM_RESET || why == SIM_JUMPED);
        if (why == SIM_RETURNED || run.pos >= run.size)
            break;
        fz_check_end();
        session_init();
        session_enter_iap();
    }
    fz_check_end();
    static int trace = -1;
    if (trace < 0)
        trace = getenv("FUZZ_TRACE") != NULL;
    if (trace) /* FUZZ_TRACE=1 build/fuzz/fuzz_native FILE...: what a seed reaches */
        fprintf(stderr, "trace: %zu bytes, %ld flash ops, %ld commits, app %s\n", n, sim_ops,
                fz_commits_ok, fz_app_valid() ? "valid" : "invalid");
    return 0;
}

#endif
