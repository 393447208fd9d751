/* Several boards at once: a thread per board, each with its own libiap handle (the library has
 * no global state); this thread draws their progress from a shared table under one mutex. */
#include "multi.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "ui.h"

#define DRAW_MS 100
#define BAR 20

enum phase { PH_CONNECT, PH_WORK, PH_OK, PH_FAILED };

struct board {
    const char *port;
    const struct multi_cfg *cfg;
    pthread_mutex_t *lock;
    pthread_t thread;
    bool started;
    /* under lock */
    enum phase phase;
    const char *op;       /* what the progress counts: "flash", "verify", "read" */
    uint64_t done, total; /* progress */
    char note[160];       /* the library's last note */
    /* the outcome, written before phase becomes PH_OK or PH_FAILED */
    int rc;
    char msg[512];
    double t0, seconds;
    uint64_t bytes; /* written (flash), compared (verify) */
    struct iap_info info;
    struct iap_flash_report rep;
    uint32_t size, crc, dev_crc;
    /* the drawing thread's own */
    int shown_decile;
    enum phase shown_phase;
};

int multi_check_ports(const char *const *ports, size_t n, struct iap_err *err)
{
    if (n > MULTI_MAX_BOARDS)
        return iap_fail(err, IAP_ERR_USAGE, "%zu ports: at most %d boards at once", n,
                        MULTI_MAX_BOARDS);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (compat_same_port(ports[i], ports[k]))
                return iap_fail(err, IAP_ERR_USAGE,
                                "port %s is named twice (-p %s, -p %s): give each board once",
                                ports[i], ports[k], ports[i]);
    return 0;
}

static void on_progress(void *ctx, const char *op, uint64_t done, uint64_t total)
{
    struct board *b = ctx;
    pthread_mutex_lock(b->lock);
    b->phase = PH_WORK;
    b->op = op;
    b->done = done;
    b->total = total;
    pthread_mutex_unlock(b->lock);
}

static void on_log(void *ctx, const char *msg)
{
    struct board *b = ctx;
    pthread_mutex_lock(b->lock);
    snprintf(b->note, sizeof b->note, "%s", msg);
    pthread_mutex_unlock(b->lock);
}

/* A running application that rebooted for a read-only command (or a flash refused before its
 * first write) is started again, as iap does for one board. */
static void restart_app(struct board *b, iap_device *d, int rc)
{
    bool read_only = strcmp(b->cfg->op, "flash") != 0;
    struct iap_info i;
    if ((!read_only && rc != IAP_ERR_FIT) || b->cfg->fo.no_reset || iap_get_info(d, &i) ||
        !i.app_rebooted || !i.app_valid)
        return;
    iap_reset(d);
}

static int work(struct board *b, iap_device *d)
{
    const struct multi_cfg *c = b->cfg;
    int rc = iap_open(d, b->port);
    if (!rc)
        rc = iap_get_info(d, &b->info);
    if (rc)
        return rc;
    pthread_mutex_lock(b->lock);
    b->phase = PH_WORK;
    b->op = c->op;
    pthread_mutex_unlock(b->lock);
    if (strcmp(c->op, "flash") == 0) {
        rc = iap_flash_file(d, c->file, &c->fo, &b->rep);
        b->bytes = b->rep.written;
        b->size = b->rep.size;
        b->crc = b->rep.crc;
    } else if (strcmp(c->op, "verify") == 0) {
        rc = iap_verify_file(d, c->file, c->format, c->address, &b->size, &b->crc, &b->dev_crc);
        b->bytes = b->size;
    }
    return rc;
}

static void *board_main(void *arg)
{
    struct board *b = arg;
    struct iap_options o = b->cfg->lib;
    o.progress = on_progress;
    o.progress_ctx = b;
    o.log = on_log;
    o.log_ctx = b;
    iap_device *d = iap_new(&o);
    int rc;
    const char *msg;
    if (!d) {
        rc = IAP_ERR_NOMEM;
        msg = "out of memory for the board's handle";
    } else {
        rc = work(b, d);
        msg = iap_last_error(d);
    }
    pthread_mutex_lock(b->lock);
    b->rc = rc;
    snprintf(b->msg, sizeof b->msg, "%s", rc ? msg : "");
    if (rc && !b->bytes)
        b->bytes = b->done; /* how far it got */
    pthread_mutex_unlock(b->lock);
    if (d) {
        restart_app(b, d, rc);
        iap_free(d);
    }
    pthread_mutex_lock(b->lock);
    b->seconds = compat_now_s() - b->t0;
    b->phase = rc ? PH_FAILED : PH_OK;
    pthread_mutex_unlock(b->lock);
    return NULL;
}

/* One board's line: "PORT  flash   [#####     ]  50%  16384/32768 bytes". */
static void board_line(const struct board *b, int width, char *out, size_t size)
{
    int n = snprintf(out, size, "%-*s  ", width, b->port);
    if (n < 0 || (size_t)n >= size)
        return;
    char *p = out + n;
    size_t left = size - (size_t)n;
    switch (b->phase) {
    case PH_CONNECT:
        snprintf(p, left, "connecting%s%s", *b->note ? ": " : "", b->note);
        break;
    case PH_WORK: {
        if (!b->total) { /* before the first progress: the page CRCs, the checks */
            snprintf(p, left, "%-7s starting", b->op);
            break;
        }
        int pct = (int)(b->done * 100 / b->total);
        char bar[BAR + 1];
        for (int i = 0; i < BAR; i++)
            bar[i] = i < pct * BAR / 100 ? '#' : ' ';
        bar[BAR] = '\0';
        snprintf(p, left, "%-7s [%s] %3d%% %llu/%llu bytes", b->op, bar, pct,
                 (unsigned long long)b->done, (unsigned long long)b->total);
        break;
    }
    case PH_OK: snprintf(p, left, "done in %.1f s", b->seconds); break;
    case PH_FAILED: snprintf(p, left, "FAILED: %s", iap_strerror(b->rc)); break;
    }
}

static int port_width(const struct board *bs, size_t n)
{
    int w = 5; /* "board" */
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(bs[i].port);
        if (l > w)
            w = l;
    }
    return w > 40 ? 40 : w;
}

/* A terminal: every board's line drawn again in place. */
static void draw_tty(const struct board *bs, size_t n, bool again)
{
    char line[300];
    int w = port_width(bs, n);
    if (again)
        fprintf(stderr, "\033[%zuA", n);
    for (size_t i = 0; i < n; i++) {
        board_line(&bs[i], w, line, sizeof line);
        fprintf(stderr, "\r%s\033[K\n", line);
    }
    fflush(stderr);
}

/* Not a terminal: a board's line when its phase changes and at every 10 %. */
static void draw_plain(struct board *bs, size_t n)
{
    char line[300];
    int w = port_width(bs, n);
    for (size_t i = 0; i < n; i++) {
        struct board *b = &bs[i];
        int decile = b->phase == PH_WORK && b->total ? (int)(b->done * 10 / b->total) : -1;
        if (b->phase == b->shown_phase && decile == b->shown_decile)
            continue;
        b->shown_phase = b->phase;
        b->shown_decile = decile;
        board_line(b, w, line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    fflush(stderr);
}

static void json_board(const struct board *b)
{
    char port[300], msg[1100];
    ui_json_str(port, sizeof port, b->port);
    ui_json_str(msg, sizeof msg, b->msg);
    printf("{\"event\":\"board\",\"port\":%s,\"op\":\"%s\",\"result\":\"%s\",\"exit\":%d,"
           "\"code\":%d,\"seconds\":%.3f,\"bytes\":%llu",
           port, b->cfg->op, b->rc ? "error" : "ok", iap_exit_code(b->rc), b->rc, b->seconds,
           (unsigned long long)b->bytes);
    if (b->rc)
        printf(",\"error\":\"%s\",\"message\":%s", iap_strerror(b->rc), msg);
    if (b->size)
        printf(",\"size\":%u,\"crc\":%u", b->size, b->crc);
    if (!b->rc && strcmp(b->cfg->op, "flash") == 0)
        printf(",\"pages\":%u,\"pages_written\":%u,\"transfer_seconds\":%.3f,\"baud\":%u,"
               "\"started\":%s",
               b->rep.pages, b->rep.pages_written, b->rep.seconds, b->rep.baud,
               b->cfg->fo.no_reset ? "false" : "true");
    if (!b->rc && strcmp(b->cfg->op, "verify") == 0)
        printf(",\"device_crc\":%u,\"match\":true", b->dev_crc);
    if (b->info.boot_major || b->info.app_start) {
        const struct iap_info *i = &b->info;
        printf(",\"bootloader\":\"%u.%u.%u\",\"chip_id\":%u,\"flash_size\":%u,\"app_start\":%u,"
               "\"app_end\":%u",
               i->boot_major, i->boot_minor, i->boot_patch, i->chip_id, i->flash_size,
               i->app_start, i->app_end);
        if (strcmp(b->cfg->op, "info") == 0)
            printf(",\"app_valid\":%s,\"app_size\":%u,\"app_crc\":%u,\"app_version\":%u",
                   i->app_valid ? "true" : "false", i->app_size, i->app_crc, i->app_version);
    }
    printf("}\n");
}

/* What a board's row says beyond the result. */
static void detail(const struct board *b, char *out, size_t size)
{
    const struct iap_info *i = &b->info;
    if (b->rc)
        snprintf(out, size, "%s", iap_strerror(b->rc));
    else if (strcmp(b->cfg->op, "flash") == 0)
        snprintf(out, size, "CRC 0x%08x, %u of %u pages written", b->crc, b->rep.pages_written,
                 b->rep.pages);
    else if (strcmp(b->cfg->op, "verify") == 0)
        snprintf(out, size, "CRC 0x%08x matches", b->crc);
    else if (i->app_valid)
        snprintf(out, size, "bootloader %u.%u.%u, chip 0x%03x, app %u bytes, CRC 0x%08x, v%u",
                 i->boot_major, i->boot_minor, i->boot_patch, i->chip_id, i->app_size,
                 i->app_crc, i->app_version);
    else
        snprintf(out, size, "bootloader %u.%u.%u, chip 0x%03x, no application", i->boot_major,
                 i->boot_minor, i->boot_patch, i->chip_id);
}

static void table(const struct board *bs, size_t n, double secs)
{
    int w = port_width(bs, n);
    size_t ok = 0;
    char d[200];
    printf("%-*s  %-7s %8s %9s  %s\n", w, "board", "result", "seconds", "bytes", "detail");
    for (size_t i = 0; i < n; i++) {
        const struct board *b = &bs[i];
        char result[16];
        snprintf(result, sizeof result, b->rc ? "exit %d" : "ok", iap_exit_code(b->rc));
        detail(b, d, sizeof d);
        printf("%-*s  %-7s %8.2f %9llu  %s\n", w, b->port, result, b->seconds,
               (unsigned long long)b->bytes, d);
        ok += b->rc == 0;
    }
    printf("%zu of %zu boards %s in %.1f s\n", ok, n,
           strcmp(bs[0].cfg->op, "flash") == 0    ? "flashed"
           : strcmp(bs[0].cfg->op, "verify") == 0 ? "verified"
                                                  : "answered",
           secs);
    fflush(stdout);
}

static bool all_finished(const struct board *bs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (bs[i].phase != PH_OK && bs[i].phase != PH_FAILED)
            return false;
    return true;
}

int multi_run(const char *const *ports, size_t n, const struct multi_cfg *cfg,
              struct iap_err *err)
{
    struct board *bs = calloc(n, sizeof *bs);
    if (!bs)
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory for %zu boards", n);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    double t0 = compat_now_s();
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        bs[i] = (struct board){.port = ports[i], .cfg = cfg, .lock = &lock, .t0 = t0,
                               .shown_decile = -2, .shown_phase = PH_FAILED};
        if (pthread_create(&bs[i].thread, NULL, board_main, &bs[i]) != 0) {
            bs[i].rc = iap_fail(err, IAP_ERR_NOMEM, "cannot start a thread for %s", ports[i]);
            snprintf(bs[i].msg, sizeof bs[i].msg, "%s", err->msg);
            bs[i].phase = PH_FAILED;
        } else {
            bs[i].started = true;
        }
    }
    bool tty = ui.tty && !ui.quiet && !ui.json, plain = !ui.tty && !ui.quiet && !ui.json;
    for (bool drawn = false, last = false; !last; drawn = true) {
        pthread_mutex_lock(&lock);
        last = all_finished(bs, n);
        if (tty)
            draw_tty(bs, n, drawn);
        else if (plain)
            draw_plain(bs, n);
        pthread_mutex_unlock(&lock);
        if (!last)
            compat_sleep_ms(DRAW_MS);
    }
    for (size_t i = 0; i < n; i++)
        if (bs[i].started)
            pthread_join(bs[i].thread, NULL);
    double secs = compat_now_s() - t0;

    size_t failed = 0;
    const struct board *first = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!bs[i].rc)
            continue;
        failed++;
        if (!first)
            first = &bs[i];
        fprintf(stderr, "iap: %s: %s\n", bs[i].port, bs[i].msg); /* each failure, one line */
    }
    if (ui.json) {
        for (size_t i = 0; i < n; i++)
            json_board(&bs[i]);
        printf("{\"event\":\"summary\",\"op\":\"%s\",\"boards\":%zu,\"ok\":%zu,\"failed\":%zu,"
               "\"seconds\":%.3f}\n",
               cfg->op, n, n - failed, failed, secs);
        fflush(stdout);
    } else if (!ui.quiet) {
        table(bs, n, secs);
    }
    if (first)
        rc = iap_fail(err, first->rc, "%zu of %zu boards failed; the first, %s: %s", failed, n,
                      first->port, iap_strerror(first->rc));
    free(bs);
    return rc;
}
