/* iap-staged: host/staged.c on the command line, for the staged end-to-end tests until iap's
 * main.c has `flash --staged` (docs/STAGED.md): the same functions, options named as there.
 *   iap-staged -p PORT [--full] [--no-reset] [--wait-confirm] [--app-version N] [--timeout MS]
 *              [--wait MS] [--json] flash FILE
 *   iap-staged -p PORT [--json] status
 * Exit status as iap's (host/err.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "formats/format.h"
#include "staged.h"
#include "transport.h"
#include "ui.h"

static void hook_note(void *ctx, const char *msg)
{
    (void)ctx;
    ui_note("%s", msg);
}
/* The bytes to write are known once the device's CRCs are: the bar starts at the first report. */
static void hook_progress(void *ctx, uint64_t done, uint64_t total)
{
    static bool started;
    (void)ctx;
    if (!started)
        ui_progress_start("stage", total);
    started = true;
    ui_progress(done, total);
}
static const struct iap_session_hooks hooks = {NULL, hook_progress, hook_note, NULL};

int main(int argc, char **argv)
{
    struct iap_staged_opts o = {0};
    struct iap_err err = {0};
    const char *port = getenv("IAP_PORT"), *cmd = NULL, *file = NULL;
    int timeout_ms = 500;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-p") && i + 1 < argc)
            port = argv[++i];
        else if (!strcmp(a, "--full"))
            o.full = true;
        else if (!strcmp(a, "--no-reset"))
            o.no_install = true;
        else if (!strcmp(a, "--wait-confirm"))
            o.wait_confirm = true;
        else if (!strcmp(a, "--app-version") && i + 1 < argc)
            o.version = (uint32_t)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(a, "--timeout") && i + 1 < argc)
            timeout_ms = atoi(argv[++i]);
        else if (!strcmp(a, "--wait") && i + 1 < argc)
            o.wait_ms = (unsigned)atoi(argv[++i]);
        else if (!strcmp(a, "--json"))
            json = true;
        else if (!cmd)
            cmd = a;
        else if (!file)
            file = a;
    }
    compat_init();
    ui_init(false, false, json);
    int rc = 0;
    struct image img;
    const struct iap_format *fmt = NULL;
    image_init(&img);
    if (!port || !cmd || (strcmp(cmd, "status") && (strcmp(cmd, "flash") || !file)))
        rc = iap_fail(&err, IAP_ERR_USAGE, "usage: iap-staged -p PORT [options] flash FILE | status");
    if (!rc && file)
        rc = format_load_file(file, NULL, PROTO_APP_START, &img, &fmt, &err);
    struct iap_transport *t = NULL;
    if (!rc)
        rc = transport_open(port, 115200, 5000, &t, &err);
    struct iap_session s;
    if (!rc) {
        struct iap_session_cfg cfg = {.baud = 115200, .timeout_ms = timeout_ms, .retries = 8};
        iap_session_init(&s, t, &cfg, &hooks);
        if (!strcmp(cmd, "status")) {
            rc = iap_staged_info(&s, json, &err);
        } else {
            struct iap_staged_result r;
            double t0 = compat_now_s();
            rc = iap_staged_flash(&s, &img, !strcmp(fmt->name, "bin"), &o, &r, &err);
            ui_progress_end();
            if (!rc) {
                char m[200];
                snprintf(m, sizeof m,
                         "\"size\":%u,\"crc\":%u,\"pages\":%u,\"pages_written\":%u,"
                         "\"installed\":%s,\"confirmed\":%s,\"seconds\":%.2f",
                         r.size, r.crc, r.pages, r.pages_written, r.installed ? "true" : "false",
                         r.confirmed ? "true" : "false", compat_now_s() - t0);
                ui_event("staged", m, "staged %u bytes (%u of %u pages written) in %.1f s%s", r.size,
                         r.pages_written, r.pages, compat_now_s() - t0,
                         r.confirmed   ? "; installed, confirmed"
                         : r.installed ? "; installed, on trial"
                                       : "; waiting in the staging slot");
            }
        }
        t->close(t);
    }
    image_free(&img);
    if (rc)
        ui_error(&err);
    return iap_exit_code(rc);
}
