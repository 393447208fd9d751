/* The board core against small firmware images (tests/emu/fw/core_*.c), in-process. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"
#include "test.h"

/* The build directory holding emu-fw/: argv[1], else $BUILD, else the one this test was built in. */
#ifndef EMU_BUILD_DIR
#define EMU_BUILD_DIR "build"
#endif
static const char *build_dir = EMU_BUILD_DIR;

/* Path of a test image; a few calls may be live at once (rotating buffers). */
static const char *fw_path(const char *name)
{
    static char buf[4][256];
    static unsigned n;
    char *p = buf[n++ % 4];
    snprintf(p, sizeof buf[0], "%s/emu-fw/%s.elf", build_dir, name);
    return p;
}
#define FW(name) fw_path(name)

static char flash_path[64];

static void fresh_flash(void)
{
    strcpy(flash_path, "/tmp/emu-core-XXXXXX");
    int fd = mkstemp(flash_path);
    close(fd);
    unlink(flash_path); /* the board creates it erased */
}

static struct emu_config config(const char *elf)
{
    struct emu_config c;
    memset(&c, 0, sizeof c);
    c.flash_file = flash_path;
    c.preload[0].path = elf;
    c.npreload = 1;
    c.stop_on_bkpt = true;
    c.stop_after_ns = 2000000000u; /* 2 s emulated: every image here ends far sooner */
    return c;
}

static int run(const struct emu_config *c, long *ops)
{
    struct emu *e = emu_create(c);
    if (!e)
        return -1;
    int rc = emu_run(e);
    if (ops)
        *ops = emu_flash_ops(e);
    emu_destroy(e);
    return rc;
}

static int run_fw(const char *elf)
{
    fresh_flash();
    struct emu_config c = config(elf);
    int rc = run(&c, NULL);
    unlink(flash_path);
    return rc;
}

static int read_flash(const char *path, uint32_t off, void *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, (long)off, SEEK_SET);
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got == n ? 0 : -1;
}

TEST(startup_code_runs_and_hello_prints_over_uart)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    fresh_flash();
    struct emu_config c = config(FW("hello"));
    c.uart_mode = EMU_UART_FD;
    c.uart_fd = sv[1];
    int rc = run(&c, NULL);
    char buf[128] = {0};
    ssize_t n = recv(sv[0], buf, sizeof buf - 1, MSG_DONTWAIT);
    close(sv[0]);
    unlink(flash_path);
    CHECK_EQ(rc, EMU_EXIT_OK);
    CHECK(n > 0 && strstr(buf, "hello from the board") != NULL);
}

TEST(flash_unlock_erase_program_readback_pgerr_and_locked)
{
    CHECK_EQ(run_fw(FW("core_flash")), 0);
}

TEST(wrong_key_locks_the_controller_until_reset)
{
    CHECK_EQ(run_fw(FW("core_wrongkey")), 0);
}

TEST(sysresetreq_resets_the_core_and_keeps_sram)
{
    CHECK_EQ(run_fw(FW("core_reset")), 0);
}

TEST(systick_through_relocated_vector_tables)
{
    CHECK_EQ(run_fw(FW("core_systick")), 0);
}

TEST(nvic_pending_until_enabled_primask_and_preemption)
{
    CHECK_EQ(run_fw(FW("core_nvic")), 0);
}

TEST(wfi_sleeps_until_an_interrupt_and_goes_on_after_it)
{
    CHECK_EQ(run_fw(FW("core_wfi")), 77);
}

TEST(svc_and_basepri)
{
    CHECK_EQ(run_fw(FW("core_svc")), 0);
}

TEST(one_instruction_is_one_cycle)
{
    CHECK_EQ(run_fw(FW("core_cycles")), 0);
}

TEST(undefined_instruction_escalates_to_the_hardfault_handler)
{
    CHECK_EQ(run_fw(FW("core_hardfault")), 42);
}

TEST(fault_in_the_hardfault_handler_is_a_lockup)
{
    CHECK_EQ(run_fw(FW("core_lockup")), EMU_EXIT_FAULT);
}

TEST(unimplemented_address_stops_with_fault)
{
    CHECK_EQ(run_fw(FW("core_unmapped")), EMU_EXIT_FAULT);
}

TEST(flash_file_persists_across_runs)
{
    fresh_flash();
    struct emu_config c = config(FW("core_persist"));
    CHECK_EQ(run(&c, NULL), 21);
    c.npreload = 0; /* boot what the file holds */
    CHECK_EQ(run(&c, NULL), 22);
    uint16_t cells[3];
    CHECK(read_flash(flash_path, 0xE000, cells, sizeof cells) == 0);
    unlink(flash_path);
    CHECK_EQ(cells[0], 0xA000);
    CHECK_EQ(cells[1], 0xA001);
    CHECK_EQ(cells[2], 0xFFFF);
}

TEST(missing_flash_file_is_created_erased)
{
    fresh_flash();
    struct emu_config c = config(FW("core_unmapped"));
    c.npreload = 0;
    CHECK_EQ(run(&c, NULL), EMU_EXIT_FAULT); /* erased vectors: reset PC 0xFFFFFFFE */
    uint8_t buf[65536];
    CHECK(read_flash(flash_path, 0, buf, sizeof buf) == 0);
    unlink(flash_path);
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK_EQ(buf[i], 0xFF);
}

/* core_powercut: page erase at 0x0800D000 (preloaded with zeros) then 16 programs. */
static int powercut_run(long n, uint32_t seed, long *ops, uint8_t page[1024])
{
    static const uint8_t zeros[1024];
    char bin[] = "/tmp/emu-zeros-XXXXXX";
    int fd = mkstemp(bin);
    if (fd < 0 || write(fd, zeros, sizeof zeros) != (ssize_t)sizeof zeros)
        return -1;
    close(fd);
    fresh_flash();
    struct emu_config c = config(FW("core_powercut"));
    c.preload[1].path = bin;
    c.preload[1].addr = 0x0800D000u;
    c.npreload = 2;
    c.power_cut_at = n;
    c.power_cut_seed = seed;
    int rc = run(&c, ops);
    if (read_flash(flash_path, 0xD000, page, 1024) != 0)
        rc = -1;
    unlink(bin);
    unlink(flash_path);
    return rc;
}

TEST(power_cut_sweep_leaves_the_documented_state)
{
    uint8_t page[1024];
    long total = 0;
    CHECK_EQ(powercut_run(0, 0, &total, page), 0);
    CHECK_EQ(total, 17);
    for (long n = 1; n <= total; n++) {
        long ops = 0;
        CHECK_EQ(powercut_run(n, (uint32_t)n * 7919u, &ops, page), EMU_EXIT_POWER_CUT);
        CHECK_EQ(ops, n);
        if (n == 1) { /* interrupted erase: some bits back to 1, not all */
            int ones = 0;
            for (int i = 0; i < 1024; i++)
                ones += __builtin_popcount(page[i]);
            CHECK(ones > 0 && ones < 8192);
            continue;
        }
        uint16_t cell[512];
        memcpy(cell, page, sizeof cell);
        for (long i = 0; i < 16; i++) {
            uint16_t want = (uint16_t)(0x0F0Fu * (unsigned)(i + 1));
            if (i < n - 2)
                CHECK_EQ(cell[i], want);
            else if (i == n - 2) /* interrupted: a subset of the bits to clear are cleared */
                CHECK_EQ(cell[i] & want, want);
            else
                CHECK_EQ(cell[i], 0xFFFF);
        }
    }
    long ops = 0;
    CHECK_EQ(powercut_run(total + 1, 1, &ops, page), 0);
}

TEST(power_cut_outcome_is_deterministic_from_the_seed)
{
    uint8_t a[1024], b[1024], c[1024];
    long ops;
    CHECK_EQ(powercut_run(1, 1234, &ops, a), EMU_EXIT_POWER_CUT);
    CHECK_EQ(powercut_run(1, 1234, &ops, b), EMU_EXIT_POWER_CUT);
    CHECK_EQ(powercut_run(1, 4321, &ops, c), EMU_EXIT_POWER_CUT);
    CHECK_MEM(a, b, sizeof a);
    CHECK(memcmp(a, c, sizeof a) != 0);
}

TEST(stop_after_is_ok_without_uart_string_and_timeout_with_one)
{
    fresh_flash();
    struct emu_config c = config(FW("core_loop"));
    c.stop_after_ns = 20000000u;
    CHECK_EQ(run(&c, NULL), EMU_EXIT_OK);
    c.stop_on_uart = "never printed";
    CHECK_EQ(run(&c, NULL), EMU_EXIT_TIMEOUT);
    unlink(flash_path);
}

TEST(realtime_never_runs_ahead_of_the_wall_clock)
{
    fresh_flash();
    struct emu_config c = config(FW("core_loop"));
    c.stop_after_ns = 100000000u; /* 100 ms */
    c.realtime = true;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(run(&c, NULL), EMU_EXIT_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    unlink(flash_path);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(wall >= 0.1);
}

TEST(bkpt_without_stop_on_bkpt_is_a_fault)
{
    fresh_flash();
    struct emu_config c = config(FW("core_flash"));
    c.stop_on_bkpt = false;
    CHECK_EQ(run(&c, NULL), EMU_EXIT_FAULT);
    unlink(flash_path);
}

TEST(scripted_pin_event_arrives_at_its_emulated_time)
{
    fresh_flash();
    struct emu_config c = config(FW("core_pin"));
    c.pins[0].at_ns = 5000000u;
    c.pins[0].port = 0;
    c.pins[0].pin = 0;
    c.pins[0].level = 1;
    c.npins = 1;
    struct emu *e = emu_create(&c);
    CHECK(e != NULL);
    int rc = emu_run(e);
    uint64_t t = emu_now_ns(e);
    emu_destroy(e);
    unlink(flash_path);
    CHECK_EQ(rc, 0);
    CHECK(t >= 5000000u && t < 5100000u);
}

static void *press_pa0(void *arg)
{
    struct timespec ts = {0, 20000000};
    nanosleep(&ts, NULL);
    emu_set_pin(arg, 0, 0, 1);
    return NULL;
}

TEST(set_pin_from_another_thread_reaches_the_firmware)
{
    fresh_flash();
    struct emu_config c = config(FW("core_pin"));
    c.realtime = true;
    struct emu *e = emu_create(&c);
    CHECK(e != NULL);
    pthread_t th;
    pthread_create(&th, NULL, press_pa0, e);
    int rc = emu_run(e);
    pthread_join(th, NULL);
    emu_destroy(e);
    unlink(flash_path);
    CHECK_EQ(rc, 0);
}

/* ---- parts (emu/part.c) ---- */

/* A raw binary of FW_ARGS_MAGIC and the words given, preloaded at FW_ARGS (tests/emu/fw/fw.h). */
static char args_path[64];
static int write_args(const uint32_t *w, int n)
{
    strcpy(args_path, "/tmp/emu-args-XXXXXX");
    int fd = mkstemp(args_path);
    uint32_t buf[8] = {0x41524753u};
    if (n)
        memcpy(buf + 1, w, (size_t)n * sizeof *w);
    if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
        return -1;
    close(fd);
    return 0;
}

/* Runs image `name` on `part` with the args, and extra preloads (path, addr) if any. */
static int run_part(const char *part, const char *name, const uint32_t *args, int nargs,
                    const char *bin, uint32_t bin_addr)
{
    if (write_args(args, nargs) != 0)
        return -1;
    fresh_flash();
    struct emu_config c = config(FW(name));
    c.part = part;
    c.preload[c.npreload].path = args_path;
    c.preload[c.npreload++].addr = 0x0800FC00u;
    if (bin) {
        c.preload[c.npreload].path = bin;
        c.preload[c.npreload++].addr = bin_addr;
    }
    int rc = run(&c, NULL);
    unlink(args_path);
    unlink(flash_path);
    return rc;
}

static int probe(const char *part, uint32_t op, uint32_t addr, uint32_t value)
{
    uint32_t a[3] = {op, addr, value};
    return run_part(part, "core_probe", a, 3, NULL, 0);
}

static const struct { const char *name; uint32_t flash_kb, sram_kb, page; } parts[] = {
    {"f103c8", 64, 20, 1024},  {"f103cb", 128, 20, 1024}, {"f103rc", 256, 48, 2048},
    {"f103ze", 512, 64, 2048}, {"f103zg", 1024, 96, 2048}, {"f107vc", 256, 64, 2048},
};
#define NPARTS (int)(sizeof parts / sizeof parts[0])

TEST(every_part_has_a_name_and_the_list_ends)
{
    for (int i = 0; i < NPARTS; i++)
        CHECK(emu_part_name(i) && strcmp(emu_part_name(i), parts[i].name) == 0);
    CHECK(emu_part_name(NPARTS) == NULL);
}

TEST(flash_size_register_reads_each_parts_kb)
{
    for (int i = 0; i < NPARTS; i++)
        CHECK_EQ(probe(parts[i].name, 2, 0x1FFFF7E0u, parts[i].flash_kb), 0);
}

TEST(last_sram_word_works_on_each_part)
{
    for (int i = 0; i < NPARTS; i++)
        CHECK_EQ(probe(parts[i].name, 3, 0x20000000u + parts[i].sram_kb * 1024u - 4u, 0xA5C3u), 0);
}

TEST(access_past_the_parts_sram_faults)
{
    for (int i = 0; i < NPARTS; i++)
        CHECK_EQ(probe(parts[i].name, 3, 0x20000000u + parts[i].sram_kb * 1024u, 1u),
                 EMU_EXIT_FAULT);
}

TEST(last_flash_word_reads_and_past_the_end_faults)
{
    for (int i = 0; i < NPARTS; i++) {
        uint32_t end = 0x08000000u + parts[i].flash_kb * 1024u;
        CHECK_EQ(probe(parts[i].name, 1, end - 4u, 0xFFFFFFFFu), 0);
        CHECK_EQ(probe(parts[i].name, 1, end, 0xFFFFFFFFu), EMU_EXIT_FAULT);
    }
}

TEST(dbgmcu_idcode_and_cr_read_zero_from_software)
{
    for (int i = 0; i < NPARTS; i++) {
        CHECK_EQ(probe(parts[i].name, 1, 0xE0042000u, 0), 0);
        CHECK_EQ(probe(parts[i].name, 3, 0xE0042004u, 0), 0); /* written 0: reads 0 anyway */
    }
    int rc = probe("f103c8", 3, 0xE0042004u, 0x300u); /* the write is ignored: its check fails */
    CHECK(rc >= 16);
}

TEST(unique_id_stays_at_0x1ffff7e8)
{
    CHECK_EQ(probe("f103zg", 1, 0x1FFFF7E8u, 0x56781234u), 0);
}

TEST(nvic_has_60_lines_on_f103_and_68_on_connectivity_line)
{
    CHECK_EQ(probe("f103c8", 1, 0xE000E004u, 1), 0); /* ICTR: 33..64 lines */
    CHECK_EQ(probe("f107vc", 1, 0xE000E004u, 2), 0); /* 65..96 */
    CHECK_EQ(probe("f107vc", 3, 0xE000E108u, 0xFu), 0); /* ISER2: lines 64..67 */
    CHECK_EQ(probe("f103ze", 3, 0xE000E108u, 0), EMU_EXIT_FAULT);
}

TEST(flash_size_option_and_part_must_agree)
{
    fresh_flash();
    struct emu_config c = config(FW("core_probe"));
    c.part = "f103rc";
    c.flash_size = 128;
    CHECK(emu_create(&c) == NULL);
    c.part = "f103x9";
    c.flash_size = 0;
    CHECK(emu_create(&c) == NULL);
    c.part = NULL;
    c.flash_size = 256; /* only 64 and 128 pick a part */
    CHECK(emu_create(&c) == NULL);
    unlink(flash_path);
}

static int zeros_file(char *path, size_t n)
{
    strcpy(path, "/tmp/emu-zeros-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    static const uint8_t z[4096];
    for (size_t done = 0; done < n; done += sizeof z)
        if (write(fd, z, sizeof z) != (ssize_t)sizeof z)
            return -1;
    close(fd);
    return 0;
}

TEST(page_erase_by_any_address_erases_the_whole_2k_page)
{
    char zeros[32];
    CHECK(zeros_file(zeros, 0x6000) == 0);
    uint32_t big[2] = {2048, 0x08008000u + 0x410u}, small[2] = {1024, 0x08008000u + 0x410u};
    CHECK_EQ(run_part("f103rc", "core_page_erase", big, 2, zeros, 0x08006000u), 0);
    CHECK_EQ(run_part("f107vc", "core_page_erase", big, 2, zeros, 0x08006000u), 0);
    CHECK_EQ(run_part("f103zg", "core_page_erase", big, 2, zeros, 0x08006000u), 0);
    CHECK_EQ(run_part("f103c8", "core_page_erase", small, 2, zeros, 0x08006000u), 0);
    unlink(zeros);
}

TEST(xl_bank2_has_its_own_registers_and_bank1_cannot_touch_it)
{
    char zeros[32];
    CHECK(zeros_file(zeros, 0x1000) == 0);
    CHECK_EQ(run_part("f103zg", "core_bank2", NULL, 0, zeros, 0x08081000u), 0);
    unlink(zeros);
}

TEST(bank2_registers_do_not_exist_below_xl_density)
{
    CHECK_EQ(probe("f103ze", 1, 0x4002204Cu, 0), EMU_EXIT_FAULT);
    CHECK_EQ(probe("f103zg", 1, 0x4002204Cu, 0), 0);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        build_dir = argv[1];
    else if (getenv("BUILD"))
        build_dir = getenv("BUILD");
    RUN(startup_code_runs_and_hello_prints_over_uart);
    RUN(flash_unlock_erase_program_readback_pgerr_and_locked);
    RUN(wrong_key_locks_the_controller_until_reset);
    RUN(sysresetreq_resets_the_core_and_keeps_sram);
    RUN(systick_through_relocated_vector_tables);
    RUN(nvic_pending_until_enabled_primask_and_preemption);
    RUN(wfi_sleeps_until_an_interrupt_and_goes_on_after_it);
    RUN(svc_and_basepri);
    RUN(one_instruction_is_one_cycle);
    RUN(undefined_instruction_escalates_to_the_hardfault_handler);
    RUN(fault_in_the_hardfault_handler_is_a_lockup);
    RUN(unimplemented_address_stops_with_fault);
    RUN(flash_file_persists_across_runs);
    RUN(missing_flash_file_is_created_erased);
    RUN(power_cut_sweep_leaves_the_documented_state);
    RUN(power_cut_outcome_is_deterministic_from_the_seed);
    RUN(stop_after_is_ok_without_uart_string_and_timeout_with_one);
    RUN(realtime_never_runs_ahead_of_the_wall_clock);
    RUN(bkpt_without_stop_on_bkpt_is_a_fault);
    RUN(scripted_pin_event_arrives_at_its_emulated_time);
    RUN(set_pin_from_another_thread_reaches_the_firmware);
    RUN(every_part_has_a_name_and_the_list_ends);
    RUN(flash_size_register_reads_each_parts_kb);
    RUN(last_sram_word_works_on_each_part);
    RUN(access_past_the_parts_sram_faults);
    RUN(last_flash_word_reads_and_past_the_end_faults);
    RUN(dbgmcu_idcode_and_cr_read_zero_from_software);
    RUN(unique_id_stays_at_0x1ffff7e8);
    RUN(nvic_has_60_lines_on_f103_and_68_on_connectivity_line);
    RUN(flash_size_option_and_part_must_agree);
    RUN(page_erase_by_any_address_erases_the_whole_2k_page);
    RUN(xl_bank2_has_its_own_registers_and_bank1_cannot_touch_it);
    RUN(bank2_registers_do_not_exist_below_xl_density);
    return test_summary();
}
