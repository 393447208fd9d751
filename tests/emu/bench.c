/* Emulated instructions per second at 72 MHz, as fast as possible and in real time. One instruction is one cycle, so instructions = emulated ns * 72e6 / 1e9. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#ifndef EMU_BUILD_DIR
#define EMU_BUILD_DIR "build"
#endif
static const char *build_dir = EMU_BUILD_DIR; /* argv[1], else $BUILD, else the build's own */

static int bench(const char *name, bool realtime, uint64_t emulated_ns)
{
    char path[] = "/tmp/emu-bench-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct emu_config c;
    memset(&c, 0, sizeof c);
    c.flash_file = path;
    char elf[256];
    snprintf(elf, sizeof elf, "%s/emu-fw/%s.elf", build_dir, name);
    c.preload[0].path = elf;
    c.npreload = 1;
    c.stop_after_ns = emulated_ns;
    c.realtime = realtime;
    struct emu *e = emu_create(&c);
    if (!e)
        return 1;
    double t0 = now_s();
    clock_t c0 = clock();
    int rc = emu_run(e);
    double wall = now_s() - t0;
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double emu_s = (double)emu_now_ns(e) / 1e9;
    emu_destroy(e);
    unlink(path);
    double insns = emu_s * 72e6; /* the first ~0.1 ms run at 8 MHz: negligible */
    printf("%-12s %-9s %6.3f s emulated in %6.3f s wall: %7.1f M emulated instructions/s, "
           "%.2fx real time at 72 MHz, host CPU busy %.0f%%\n",
           name, realtime ? "realtime" : "fast", emu_s, wall, insns / wall / 1e6, emu_s / wall,
           100.0 * cpu / wall);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        build_dir = argv[1];
    else if (getenv("BUILD"))
        build_dir = getenv("BUILD");
    /* core_loop: register-only code; core_loopmem: one SRAM store per 4 instructions (Unicorn
     * 2.0.1 takes a slow path for every store, see docs/EMULATOR.md). */
    int rc = bench("core_loop", false, 10000000000u);
    rc |= bench("core_loop", true, 1000000000u);
    rc |= bench("core_loopmem", false, 2000000000u);
    rc |= bench("core_loopmem", true, 1000000000u);
    return rc;
}
