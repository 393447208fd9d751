#include "ui.h"

#include "compat.h"
#include "sign.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct ui_settings ui;

/* Progress state: one operation at a time. */
static struct {
    const char *what;
    double t0, last;
    unsigned last_decile;
    bool active;
} prog;

double ui_now(void) { return compat_now_s(); }

void ui_init(bool quiet, bool verbose, bool json)
{
    ui.quiet = quiet;
    ui.verbose = verbose;
    ui.json = json;
    ui.tty = compat_isatty_stderr();
}

void ui_json_str(char *out, size_t size, const char *s)
{
    size_t n = 0;
    if (size < 3)
        return;
    out[n++] = '"';
    for (; *s && n + 8 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(out + n, size - n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    out[n++] = '"';
    out[n] = 0;
}

void ui_note(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ui.json) {
        char js[1100];
        ui_json_str(js, sizeof js, msg);
        printf("{\"event\":\"note\",\"message\":%s}\n", js);
        fflush(stdout);
    } else if (!ui.quiet) {
        fprintf(stderr, "%s\n", msg);
    }
}

void ui_event(const char *event, const char *json_members, const char *human_fmt, ...)
{
    if (ui.json) {
        printf("{\"event\":\"%s\"%s%s}\n", event, json_members && *json_members ? "," : "",
               json_members ? json_members : "");
        fflush(stdout);
        return;
    }
    if (ui.quiet || !human_fmt)
        return;
    va_list ap;
    va_start(ap, human_fmt);
    vfprintf(stderr, human_fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void ui_progress_start(const char *what, uint64_t total)
{
    prog.what = what;
    prog.t0 = ui_now();
    prog.last = 0;
    prog.last_decile = 0;
    prog.active = true;
    ui_progress(0, total);
}

static void fmt_rate(char *out, size_t size, double bps)
{
    if (bps >= 1024)
        snprintf(out, size, "%.1f KB/s", bps / 1024);
    else
        snprintf(out, size, "%.0f B/s", bps);
}

void ui_progress(uint64_t done, uint64_t total)
{
    if (!prog.active || (ui.quiet && !ui.json))
        return;
    double now = ui_now(), el = now - prog.t0;
    double rate = el > 0 ? (double)done / el : 0;
    unsigned decile = total ? (unsigned)(done * 10 / total) : 10;
    bool last = done >= total;
    if (ui.json) {
        if (decile == prog.last_decile && !last && done)
            return;
        prog.last_decile = decile;
        printf("{\"event\":\"progress\",\"op\":\"%s\",\"done\":%llu,\"total\":%llu,"
               "\"seconds\":%.3f}\n",
               prog.what, (unsigned long long)done, (unsigned long long)total, el);
        fflush(stdout);
        return;
    }
    if (ui.verbose && !ui.tty)
        return; /* the frame trace says it all */
    if (ui.tty && !ui.verbose) {
        if (now - prog.last < 0.1 && !last && done)
            return;
        prog.last = now;
        char r[32], eta[32] = "";
        fmt_rate(r, sizeof r, rate);
        if (rate > 0 && !last)
            snprintf(eta, sizeof eta, "  ETA %.0f s", (double)(total - done) / rate);
        int width = 30, fill = total ? (int)(done * (uint64_t)width / total) : width;
        fprintf(stderr, "\r%-7s [%.*s%*s] %3u%% %llu/%llu bytes  %s%s\033[K", prog.what, fill,
                "##############################", width - fill, "",
                total ? (unsigned)(done * 100 / total) : 100, (unsigned long long)done,
                (unsigned long long)total, r, eta);
        if (last)
            fputc('\n', stderr);
        return;
    }
    if (done && decile == prog.last_decile)
        return;
    prog.last_decile = decile;
    fprintf(stderr, "%s: %llu/%llu bytes (%u%%)\n", prog.what, (unsigned long long)done,
            (unsigned long long)total, total ? (unsigned)(done * 100 / total) : 100);
    if (last)
        prog.active = false;
}

void ui_progress_end(void) { prog.active = false; }

void ui_trace(bool tx, const struct proto_frame *f)
{
    if (!ui.verbose)
        return;
    const uint8_t *p = f->payload;
    static double t0;
    double now = ui_now();
    if (t0 == 0)
        t0 = now;
    fprintf(stderr, "%9.3f %s %-6s seq=%3u len=%4u", now - t0, tx ? ">" : "<",
            proto_cmd_name(f->type), f->seq, f->len);
    if (f->type == PROTO_RSP && f->len >= 1) {
        fprintf(stderr, " status=%d", (int8_t)p[0]);
        if (f->len == 2 && (int8_t)p[0] < 0)
            fprintf(stderr, " expect=%u", p[1]);
    } else if (f->len >= 8) {
        fprintf(stderr, " 0x%08x 0x%x", proto_get32(p),
                f->type == PROTO_CMD_WRITE ? f->len - 8u : proto_get32(p + 4));
    }
    fputc('\n', stderr);
}

void ui_error(const struct iap_err *err)
{
    if (ui.json) {
        char js[1100];
        ui_json_str(js, sizeof js, err->msg);
        printf("{\"event\":\"error\",\"code\":%d,\"exit\":%d,\"status\":%d,\"message\":%s,"
               "\"error\":\"%s\"}\n",
               err->code, iap_exit_code(err->code), err->status, js, iap_strerror(err->code));
        fflush(stdout);
    }
    if (prog.active && ui.tty && !ui.quiet && !ui.json)
        fputc('\n', stderr);
    prog.active = false;
    fprintf(stderr, "iap: %s\n", err->msg);
}

void ui_info(const char *port, const struct proto_info *i)
{
    bool secure = i->features & PROTO_FEAT_SECURE;
    char kid[17];
    sign_key_id_hex(i->pubkey, kid);
    if (ui.json) {
        char js[600];
        ui_json_str(js, sizeof js, port);
        printf("{\"event\":\"info\",\"port\":%s,\"protocol\":%u,\"bootloader\":\"%u.%u.%u\","
               "\"chip_id\":%u,\"flash_size\":%u,\"app_start\":%u,\"app_end\":%u,"
               "\"page_size\":%u,\"max_data\":%u,\"rx_window\":%u,\"erase_ms\":%u,"
               "\"prog_us\":%u,\"app_valid\":%s,\"app_size\":%u,\"app_crc\":%u,"
               "\"app_version\":%u,\"listen_ms\":%u,\"sram_size\":%u,\"part_class\":%u,"
               "\"banks\":%u,\"features\":%u,\"secure\":%s,\"version_floor\":%u,\"key_id\":\"%s\","
               "\"uid\":\"",
               js, i->proto_version, i->boot_major, i->boot_minor, i->boot_patch, i->chip_id,
               i->flash_size, i->app_start, i->app_end, i->page_size, i->max_data, i->rx_window,
               i->erase_ms, i->prog_us, i->app_valid ? "true" : "false", i->app_size, i->app_crc,
               i->app_version, i->listen_ms, i->sram_size, i->part_class, i->banks, i->features,
               secure ? "true" : "false", i->version_floor, secure ? kid : "");
        for (size_t k = 0; k < sizeof i->uid; k++)
            printf("%02x", i->uid[k]);
        printf("\"}\n");
        fflush(stdout);
        return;
    }
    printf("port:          %s\n", port);
    printf("bootloader:    %u.%u.%u, protocol %u\n", i->boot_major, i->boot_minor,
           i->boot_patch, i->proto_version);
    printf("chip id:       0x%08x\n", i->chip_id);
    printf("flash:         %u KB, %u-byte pages%s\n", i->flash_size / 1024, i->page_size,
           i->banks > 1 ? ", two banks" : "");
    printf("sram:          %u KB\n", i->sram_size / 1024);
    printf("app area:      0x%08x..0x%08x (%u bytes)\n", i->app_start, i->app_end - 1,
           i->app_end - i->app_start);
    if (i->app_valid)
        printf("application:   valid, %u bytes, CRC 0x%08x, version %u\n", i->app_size,
               i->app_crc, i->app_version);
    else
        printf("application:   none (no valid image record)\n");
    printf("frames:        %u data bytes, receive window %u bytes\n", i->max_data, i->rx_window);
    printf("flash timing:  page erase %u ms, half-word %u us\n", i->erase_ms, i->prog_us);
    printf("listen window: %u ms after reset\n", i->listen_ms);
    if (secure)
        printf("secure:        signed images only, key %s, version floor %u\n", kid,
               i->version_floor);
    else
        printf("secure:        no (any image the checks accept runs)\n");
    printf("unique id:     ");
    for (size_t k = 0; k < sizeof i->uid; k++)
        printf("%02x", i->uid[k]);
    printf("\n");
}

void ui_summary(const char *verb, uint64_t bytes, double seconds, unsigned baud)
{
    double line = baud ? (double)bytes * 10.0 / baud : 0;
    double rate = seconds > 0 ? (double)bytes / seconds : 0;
    double eff = seconds > 0 ? 100.0 * line / seconds : 0;
    char r[32];
    fmt_rate(r, sizeof r, rate);
    char m[256];
    snprintf(m, sizeof m,
             "\"op\":\"%s\",\"bytes\":%llu,\"seconds\":%.3f,\"bytes_per_s\":%.0f,"
             "\"line_limit_s\":%.3f,\"baud\":%u,\"efficiency\":%.1f",
             verb, (unsigned long long)bytes, seconds, rate, line, baud, eff);
    ui_event("summary", m,
             "%s %llu bytes in %.2f s (%s); line-rate limit %.2f s at %u baud: %.0f%% efficiency",
             verb, (unsigned long long)bytes, seconds, r, line, baud, eff);
}
