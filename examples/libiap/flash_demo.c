/* libiap's example (docs/LIBIAP.md): flash a firmware file onto a board running the stm32-iap
 * bootloader, with a progress callback, and print what the board says about itself.
 *
 *   cc flash_demo.c $(pkg-config --cflags --libs iap) -o flash_demo
 *   ./flash_demo /dev/ttyUSB0 app.hex        (or tcp://HOST:PORT, rfc2217://HOST:PORT)
 *
 * Exit status: 0 when the image is flashed and verified, else 1. */
#include <iap.h>
#include <stdio.h>

/* Every 10 %: "flash  40% (13312/32768 bytes)". */
static void progress(void *ctx, const char *op, uint64_t done, uint64_t total)
{
    int *last = ctx;
    int pct = total ? (int)(done * 100 / total) : 100;
    if (pct / 10 == *last / 10 && pct != 100)
        return;
    *last = pct;
    fprintf(stderr, "%-6s %3d%% (%llu/%llu bytes)\n", op, pct, (unsigned long long)done,
            (unsigned long long)total);
}

static void log_note(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "note: %s\n", msg);
}

static void print_info(const struct iap_info *i)
{
    printf("bootloader %u.%u.%u (protocol %u), chip 0x%03x, %u KB flash in %u-byte pages, "
           "%u KB SRAM\n",
           i->boot_major, i->boot_minor, i->boot_patch, i->protocol, (unsigned)i->chip_id,
           (unsigned)(i->flash_size / 1024), (unsigned)i->page_size,
           (unsigned)(i->sram_size / 1024));
    printf("application area 0x%08x..0x%08x, ", (unsigned)i->app_start,
           (unsigned)(i->app_end - 1));
    if (i->app_valid)
        printf("application: %u bytes, CRC 0x%08x, version %u\n", (unsigned)i->app_size,
               (unsigned)i->app_crc, (unsigned)i->app_version);
    else
        printf("no application\n");
}

static int fail(iap_device *d, int rc)
{
    fprintf(stderr, "flash_demo: %s (%s)\n", iap_last_error(d), iap_strerror(rc));
    iap_free(d);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: flash_demo PORT FILE (libiap %s)\n", iap_lib_version());
        return 1;
    }
    int last = -100;
    struct iap_options o;
    iap_options_init(&o);
    o.progress = progress;
    o.progress_ctx = &last;
    o.log = log_note;
    iap_device *d = iap_new(&o);
    if (!d) {
        fprintf(stderr, "flash_demo: out of memory\n");
        return 1;
    }
    int rc = iap_open(d, argv[1]);
    if (rc)
        return fail(d, rc);
    struct iap_info info;
    if ((rc = iap_get_info(d, &info)) != 0)
        return fail(d, rc);
    print_info(&info);

    struct iap_flash_options fo;
    iap_flash_options_init(&fo);
    fo.no_reset = 1; /* verify first, then start it */
    struct iap_flash_report rep;
    if ((rc = iap_flash_file(d, argv[2], &fo, &rep)) != 0)
        return fail(d, rc);
    printf("flashed %s: %u bytes, CRC 0x%08x, %u of %u pages written in %.2f s at %u baud\n",
           argv[2], (unsigned)rep.size, (unsigned)rep.crc, (unsigned)rep.pages_written,
           (unsigned)rep.pages, rep.seconds, rep.baud);
    uint32_t crc, dev;
    if ((rc = iap_verify_file(d, argv[2], NULL, 0, NULL, &crc, &dev)) != 0)
        return fail(d, rc);
    printf("verified: device CRC 0x%08x\n", (unsigned)dev);
    if ((rc = iap_reset(d)) != 0)
        return fail(d, rc);
    printf("application started\n");
    iap_free(d);
    return 0;
}
