/* iap: put a firmware file on an STM32F103 running the stm32-iap bootloader (docs/iap.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "compress.h"
#include "formats/format.h"
#include "iap_session.h"
#include "image.h"
#include "libiap/ops.h"
#include "multi.h"
#include "ports.h"
#include "sign.h"
#include "staged.h"
#include "transport.h"
#include "ui.h"

#define IAP_TOOL_VERSION "1.0.0"
#define DEFAULT_BAUD 115200u
#define SIGN_DEFAULT_START 0x08004000u /* the SECURE layout: a 16 KB bootloader */
#define DEFAULT_BAUD_MAX 2000000u
#define DEFAULT_TIMEOUT_MS 500
#define DEFAULT_RETRIES 8
#define CONNECT_MS 5000

struct opts {
    const char *port, *format, *output;
    const char *ports[MULTI_MAX_BOARDS]; /* every -p: several boards at once (host/multi.c) */
    size_t nports;
    const char *file; /* the image file of flash and verify */
    unsigned baud;
    uint32_t address, app_version;
    unsigned window;
    int timeout_ms, retries;
    bool no_reset, app_request;
    bool full;    /* write every page, not only those that differ */
    bool force;   /* flash: skip iap's own signature check of a SECURE device */
    bool address_given, version_given;
    const char *key; /* sign: the private key */
    int compress; /* -1 auto, 0 --no-compress, 1 --compress */
    bool quiet, verbose, json;
    unsigned baud_max; /* the step-up's ceiling; <= baud: no step-up */
    bool staged;       /* flash/info to a running application's receiver (docs/STAGED.md) */
    bool wait_confirm; /* --staged flash: wait until the new image confirmed itself */
};

static const char usage_options[] =
    "options:\n"
    "  -p, --port PORT       serial device (/dev/ttyUSB0, COM5), tcp://HOST:PORT or\n"
    "                        rfc2217://HOST:PORT; default $IAP_PORT. Several -p: flash,\n"
    "                        verify or info all those boards at once\n"
    "  -b, --baud N          the boot rate, of the handshake (default 115200)\n"
    "      --baud-max N      then step up to the fastest rate up to N the device and port\n"
    "                        both make (default 2000000; --baud-max 0: stay at --baud)\n"
    "      --address ADDR    load address of a .bin file (default 0x08002000)\n"
    "      --format F        bin, hex, srec or elf (default: from the extension, then content)\n"
    "      --no-reset        stay in the bootloader afterwards instead of starting the app\n"
    "      --app-version N   version stored in the image record (default 0)\n"
    "      --window N        frames in flight (default: as many as the device can buffer)\n"
    "      --timeout MS      slack added to every computed response time (default 500)\n"
    "      --retries N       retransmissions without progress before giving up (default 8)\n"
    "      --no-app-request  do not ask a running application to reboot into the bootloader\n"
    "      --full            write every page (default: only the pages that differ)\n"
    "      --staged          flash: to a running application's staging slot, installed at\n"
    "                        its reset (STAGED=1 bootloaders); info: the staged state\n"
    "      --wait-confirm    --staged flash: wait until the new image confirmed itself\n"
    "      --no-compress     send WRITE data as it is (default: LZ4 when the line is the\n"
    "                        bottleneck; --compress always)\n"
    "  -o, --output FILE     output file for read\n"
    "  -q, --quiet           errors only\n"
    "  -v, --verbose         frame trace on stderr\n"
    "      --json            one JSON object per line on stdout, for scripts\n"
    "  -h, --help            this text\n"
    "  -V, --version         iap's version\n"
    "\n"
    "exit status: 0 ok, 1 usage, 2 file or format error, 3 image does not fit or is linked for\n"
    "the wrong address, 4 port error, 5 no bootloader answered, 6 transfer failed after retries,\n"
    "7 device refused a command, 8 verify mismatch, 9 out of memory (docs/iap.md); several boards:\n"
    "0 when all succeeded, else the first failing board's\n";

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || v > UINT32_MAX)
        return -1;
    if (*end == 'k' || *end == 'K') {
        v *= 1024;
        end++;
    }
    if (*end || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static void hook_trace(void *ctx, bool tx, const struct proto_frame *f)
{
    (void)ctx;
    ui_trace(tx, f);
}
static void hook_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    ui_progress(done, total);
}
static void hook_note(void *ctx, const char *msg)
{
    (void)ctx;
    ui_note("%s", msg);
}
static const struct iap_session_hooks hooks = {hook_trace, hook_progress, hook_note, NULL};

static int connect_device(const struct opts *o, bool bulk, struct iap_transport **t,
                          struct iap_session *s, struct iap_err *err)
{
    struct iap_session_cfg cfg = {.baud = o->baud, .timeout_ms = o->timeout_ms,
                                  .retries = o->retries, .window = o->window,
                                  .app_request = o->app_request};
    int rc = iap_op_connect(o->port, &cfg, &hooks, bulk ? o->baud_max : 0, CONNECT_MS, t, s, err);
    if (rc)
        return rc;
    if (ui.verbose)
        ui_note("connected: bootloader %u.%u.%u, app area 0x%08x..0x%08x, window %u frames / %u "
                "bytes",
                s->info.boot_major, s->info.boot_minor, s->info.boot_patch, s->info.app_start,
                s->info.app_end, s->window_frames, s->info.rx_window);
    return 0;
}

static int load_image(const struct opts *o, const char *path, uint32_t address, struct image *img,
                      const struct iap_format **used, struct iap_err *err)
{
    const struct iap_format *fmt = NULL;
    image_init(img);
    int rc = format_load_file(path, o->format, address, img, &fmt, err);
    if (used)
        *used = fmt;
    if (rc)
        return rc;
    if (ui.verbose) {
        ui_note("%s: %s, %zu segment(s), %llu bytes, 0x%08llx..0x%08llx", path, fmt->name,
                img->nseg, (unsigned long long)image_bytes(img),
                (unsigned long long)image_start(img), (unsigned long long)image_end(img) - 1);
    }
    /* Wrong for every device: refuse before touching the port. */
    if (image_start(img) < PROTO_APP_START)
        return image_check_fit(img, PROTO_APP_START, UINT32_MAX, err);
    return 0;
}

static int cmd_info(const struct opts *o, struct iap_session *s, struct iap_err *err)
{
    ui_info(o->port, &s->info);
    /* A STAGED=1 bootloader: its staged state too (trial, rejected version), a second event. */
    if (s->info.features & PROTO_FEAT_STAGED)
        return iap_staged_info(s, o->json, err);
    return 0;
}

static int cmd_flash(const struct opts *o, struct iap_session *s, const struct image *img,
                     struct iap_err *err)
{
    uint8_t *buf;
    uint32_t len;
    int rc = iap_op_flatten(s, img, &buf, &len, err);
    if (rc)
        return rc;
    rc = iap_op_check(s, buf, len, o->file, o->force, err);
    if (rc) {
        free(buf);
        return rc;
    }
    struct iap_flash_options fo;
    iap_op_flash_defaults(&fo);
    fo.full = o->full;
    fo.compress = o->compress;
    fo.version = o->app_version;
    fo.no_reset = o->no_reset;
    struct iap_flash_report res;
    ui_progress_start("flash", len);
    rc = iap_op_flash(s, buf, len, &fo, &res, err);
    free(buf);
    if (rc)
        return rc;
    ui_progress_end();
    if (res.raw_bytes > res.sent_bytes)
        ui_note("LZ4: %llu bytes of WRITE data sent as %llu (%.2f:1)",
                (unsigned long long)res.raw_bytes, (unsigned long long)res.sent_bytes,
                (double)res.raw_bytes / (double)res.sent_bytes);
    if (ui.verbose)
        ui_note("frames resent %lu, timeouts %lu, naks %lu", s->resends, s->timeouts, s->naks);
    ui_summary("flashed", (uint32_t)res.written, res.seconds, res.baud);
    char m[192];
    snprintf(m, sizeof m,
             "\"size\":%u,\"crc\":%u,\"version\":%u,\"started\":%s,\"written\":%llu,"
             "\"pages\":%u,\"pages_written\":%u",
             len, res.crc, o->app_version, o->no_reset ? "false" : "true",
             (unsigned long long)res.written, res.pages, res.pages_written);
    ui_event("flashed", m, "image committed: %u bytes, CRC 0x%08x, version %u%s", len, res.crc,
             o->app_version, o->no_reset ? "; staying in the bootloader (--no-reset)"
                                         : "; application started");
    return 0;
}

/* --verbose after a mismatch: the first 1 KB block whose CRC differs, then its first byte. */
static void locate_difference(struct iap_session *s, const uint8_t *buf, uint32_t len)
{
    struct iap_err e;
    for (uint32_t off = 0; off < len; off += 1024) {
        uint32_t n = len - off < 1024 ? len - off : 1024, crc;
        if (iap_session_crc(s, s->info.app_start + off, n, &crc, &e))
            return;
        if (crc == proto_crc32(0, buf + off, n))
            continue;
        uint8_t dev[1024];
        if (iap_session_read(s, s->info.app_start + off, dev, n, &e))
            return;
        for (uint32_t k = 0; k < n; k++)
            if (dev[k] != buf[off + k]) {
                ui_note("first difference at 0x%08x: device 0x%02x, file 0x%02x (block "
                        "0x%08x..0x%08x)",
                        s->info.app_start + off + k, dev[k], buf[off + k],
                        s->info.app_start + off, s->info.app_start + off + n - 1);
                return;
            }
        return;
    }
}

static int cmd_verify(const struct opts *o, struct iap_session *s, const struct image *img,
                      struct iap_err *err)
{
    (void)o;
    uint8_t *buf;
    uint32_t len, crc, dev;
    int rc = iap_op_flatten(s, img, &buf, &len, err);
    if (rc)
        return rc;
    rc = iap_op_verify(s, buf, len, &crc, &dev, err);
    if (rc == IAP_ERR_VERIFY && ui.verbose) {
        struct iap_err mismatch = *err;
        locate_difference(s, buf, len);
        *err = mismatch;
    }
    free(buf);
    if (rc)
        return rc;
    char m[96];
    snprintf(m, sizeof m, "\"size\":%u,\"crc\":%u,\"match\":true", len, crc);
    ui_event("verified", m, "verify OK: %u bytes at 0x%08x, CRC 0x%08x", len, s->info.app_start,
             crc);
    return 0;
}

static int cmd_erase(const struct opts *o, struct iap_session *s, struct iap_err *err)
{
    (void)o;
    uint32_t a, n;
    int rc = iap_op_erase(s, &a, &n, err);
    if (rc)
        return rc;
    char m[64];
    snprintf(m, sizeof m, "\"address\":%u,\"length\":%u", a, n);
    ui_event("erased", m, "erased 0x%08x..0x%08x: no application until the next flash", a,
             a + n - 1);
    return 0;
}

static int cmd_read(const struct opts *o, struct iap_session *s, uint32_t addr, uint32_t len,
                    struct iap_err *err)
{
    int rc = iap_op_check_read(s, addr, len, err);
    if (rc)
        return rc;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory for %u bytes", len);
    double t0 = ui_now();
    ui_progress_start("read", len);
    rc = iap_op_read(s, addr, buf, len, err);
    ui_progress_end();
    if (!rc) {
        FILE *f = fopen(o->output, "wb");
        bool ok = f && fwrite(buf, 1, len, f) == len;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok)
            rc = iap_fail(err, IAP_ERR_FILE, "cannot write %s: %s", o->output, strerror(errno));
    }
    free(buf);
    if (rc)
        return rc;
    ui_summary("read", len, ui_now() - t0, o->baud);
    return 0;
}

static int cmd_reset(const struct opts *o, struct iap_session *s, struct iap_err *err)
{
    (void)o;
    int rc = iap_session_reset(s, err);
    if (!rc)
        ui_event("reset", "", "bootloader left: the application starts if it is valid");
    return rc;
}

/* What a command needs from the command line, filled before the port is opened. */
struct cmd_args {
    struct image img;      /* needs_image: argument 0, loaded */
    uint32_t addr, len;    /* read */
};

static int run_info(const struct opts *o, struct iap_session *s, struct cmd_args *a,
                    struct iap_err *err)
{
    (void)a;
    return cmd_info(o, s, err);
}
static int run_flash(const struct opts *o, struct iap_session *s, struct cmd_args *a,
                     struct iap_err *err)
{
    return cmd_flash(o, s, &a->img, err);
}
static int run_verify(const struct opts *o, struct iap_session *s, struct cmd_args *a,
                      struct iap_err *err)
{
    return cmd_verify(o, s, &a->img, err);
}
static int run_erase(const struct opts *o, struct iap_session *s, struct cmd_args *a,
                     struct iap_err *err)
{
    (void)a;
    return cmd_erase(o, s, err);
}
static int run_read(const struct opts *o, struct iap_session *s, struct cmd_args *a,
                    struct iap_err *err)
{
    return cmd_read(o, s, a->addr, a->len, err);
}
static int run_reset(const struct opts *o, struct iap_session *s, struct cmd_args *a,
                     struct iap_err *err)
{
    (void)a;
    return cmd_reset(o, s, err);
}

static int args_output(const struct opts *o, char **args, struct cmd_args *a, struct iap_err *err)
{
    (void)args;
    (void)a;
    return o->output ? 0 : iap_fail(err, IAP_ERR_USAGE, "this command needs -o FILE");
}

static int args_sign(const struct opts *o, char **args, struct cmd_args *a, struct iap_err *err)
{
    if (!o->key)
        return iap_fail(err, IAP_ERR_USAGE, "sign needs --key KEY.pem (iap keygen makes one)");
    if (!o->version_given)
        return iap_fail(err, IAP_ERR_USAGE, "sign needs --version N: the image's version, which "
                                            "a device never lets go below once installed");
    return args_output(o, args, a, err);
}

static int run_keygen(const struct opts *o, struct iap_session *s, struct cmd_args *a,
                      struct iap_err *err)
{
    (void)s;
    (void)a;
    char pub[1024];
    int rc = sign_keygen(o->output, pub, sizeof pub, err);
    if (!rc)
        ui_event("keygen", "", "private key %s (keep it off the build machines), public key %s "
                 "(make SECURE=1 PUBKEY=%s)", o->output, pub, pub);
    return rc;
}

static int run_sign(const struct opts *o, struct iap_session *s, struct cmd_args *a,
                    struct iap_err *err)
{
    (void)s;
    uint64_t start = image_start(&a->img);
    uint8_t *buf, *out;
    uint32_t len, out_len;
    int rc = image_flatten(&a->img, (uint32_t)start, &buf, &len, err);
    if (rc)
        return rc;
    rc = sign_image(o->key, o->app_version, buf, len, (uint32_t)start, &out, &out_len, err);
    free(buf);
    if (rc)
        return rc;
    FILE *f = fopen(o->output, "wb");
    bool ok = f && fwrite(out, 1, out_len, f) == out_len;
    if (f && fclose(f) != 0)
        ok = false;
    free(out);
    if (!ok)
        return iap_fail(err, IAP_ERR_FILE, "cannot write %s: %s", o->output, strerror(errno));
    char m[96];
    snprintf(m, sizeof m, "\"size\":%u,\"version\":%u,\"app_start\":%u", out_len, o->app_version,
             (uint32_t)start);
    ui_event("signed", m, "%s: %u bytes for 0x%08x, version %u, signed with %s", o->output,
             out_len, (uint32_t)start, o->app_version, o->key);
    return 0;
}

static int run_ports(const struct opts *o, struct iap_session *s, struct cmd_args *a,
                     struct iap_err *err)
{
    (void)s;
    (void)a;
    return ports_list(stdout, o->json, err);
}

/* Parses read's ADDR LEN. */
static int args_read(const struct opts *o, char **args, struct cmd_args *a, struct iap_err *err)
{
    if (parse_u32(args[0], &a->addr) || parse_u32(args[1], &a->len) || a->len == 0)
        return iap_fail(err, IAP_ERR_USAGE, "read ADDR LEN: e.g. read 0x08002000 4096 -o out.bin");
    if (!o->output)
        return iap_fail(err, IAP_ERR_USAGE, "read needs -o FILE");
    return 0;
}

struct command {
    const char *name, *args, *help;
    int nargs;
    bool offline;     /* no device: run gets no session */
    bool bulk;        /* moves enough data for the baud step-up to pay */
    bool needs_image; /* argument 0 is a firmware file, loaded before the port is opened */
    /* Reads only: a running application that had to reboot for it is started again afterwards,
     * whatever the outcome. A command that writes gives the application back only when it was
     * refused before its first write (IAP_ERR_FIT). */
    bool read_only;
    int (*parse)(const struct opts *o, char **args, struct cmd_args *a, struct iap_err *err);
    int (*run)(const struct opts *o, struct iap_session *s, struct cmd_args *a,
               struct iap_err *err);
};

static const struct command commands[] = {
    {"info", "", "show the bootloader's device information", 0, false, false, false, true, NULL,
     run_info},
    {"flash", "FILE", "write FILE to the application area, commit it, start it", 1, false, true,
     true, false, NULL, run_flash},
    {"verify", "FILE", "compare the device's application area with FILE (CRC-32)", 1, false,
     false, true, true, NULL, run_verify},
    {"erase", "", "erase the whole application area (the app is gone afterwards)", 0, false,
     false, false, false, NULL, run_erase},
    {"read", "ADDR LEN -o FILE", "read LEN bytes of flash from ADDR into FILE", 2, false, true,
     false, true, args_read, run_read},
    {"reset", "", "leave the bootloader: start the application if valid", 0, false, false, false,
     false, NULL, run_reset},
    {"keygen", "-o KEY.pem", "a new Ed25519 signing key (and KEY.pub.pem for the bootloader)", 0,
     true, false, false, false, args_output, run_keygen},
    {"sign", "--key KEY.pem --version N FILE -o OUT", "a signed image of FILE for SECURE builds",
     1, true, false, true, false, args_sign, run_sign},
    {"ports", "", "list the serial ports, with USB adapters' IDs and serial numbers", 0, true,
     false, false, false, NULL, run_ports},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage(void)
{
    fputs("usage: iap [options] COMMAND\n\ncommands:\n", stdout);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char head[40];
        snprintf(head, sizeof head, "%s %s", commands[i].name, commands[i].args);
        printf("  %-21s %s\n", head, commands[i].help);
    }
    fputs("\n", stdout);
    fputs(usage_options, stdout);
}

/* "info|flash FILE|..." for the no-command message. */
static void command_list(char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NCOMMANDS && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%s%s%s", i ? "|" : "", commands[i].name,
                              *commands[i].args ? " " : "", commands[i].args);
}

/* A running app had to reboot, and the command left the flash as it was: give the board back as
 * it was; a failure to do so does not hide the first error. */
static int restart_app(const struct opts *o, const struct command *c, struct iap_session *s,
                       int rc, struct iap_err *err)
{
    /* reads never touch flash: any outcome (a difference, a refused range) leaves it as it was */
    bool untouched = c->read_only || rc == IAP_ERR_FIT;
    if (!untouched || !s->app_rebooted || o->no_reset || !s->info.app_valid)
        return rc;
    struct iap_err reset_err = {0};
    int rc2 = iap_session_reset(s, rc ? &reset_err : err);
    if (!rc2)
        ui_note("application restarted");
    else if (!rc)
        rc = rc2;
    return rc;
}

/* --staged: flash or info through a running application's receiver (host/staged.c), which the
 * application answers while it keeps running; no reboot request, no step-up. */
static int run_staged(const struct opts *o, const struct command *cmd, struct cmd_args *a,
                      const struct iap_format *fmt, struct iap_err *err)
{
    if (cmd->run != run_flash && cmd->run != run_info) {
        image_free(&a->img);
        return iap_fail(err, IAP_ERR_USAGE, "--staged goes with flash and info only");
    }
    if (!o->port) {
        image_free(&a->img);
        return iap_fail(err, IAP_ERR_USAGE, "no port given: pass -p PORT, or set IAP_PORT");
    }
    struct iap_transport *t = NULL;
    int rc = transport_open(o->port, o->baud, CONNECT_MS, &t, err);
    if (!rc) {
        struct iap_session s;
        struct iap_session_cfg cfg = {.baud = o->baud, .timeout_ms = o->timeout_ms,
                                      .retries = o->retries, .window = o->window};
        iap_session_init(&s, t, &cfg, &hooks);
        if (cmd->run == run_info) {
            rc = iap_staged_info(&s, o->json, err);
        } else {
            struct iap_staged_opts so = {.full = o->full, .version = o->app_version,
                                         .no_install = o->no_reset,
                                         .wait_confirm = o->wait_confirm};
            struct iap_staged_result r;
            double t0 = ui_now();
            ui_progress_start("stage", 0);
            rc = iap_staged_flash(&s, &a->img, fmt && strcmp(fmt->name, "bin") == 0, &so, &r,
                                  err);
            ui_progress_end();
            if (!rc) {
                char m[200];
                snprintf(m, sizeof m,
                         "\"size\":%u,\"crc\":%u,\"pages\":%u,\"pages_written\":%u,"
                         "\"installed\":%s,\"confirmed\":%s",
                         r.size, r.crc, r.pages, r.pages_written, r.installed ? "true" : "false",
                         r.confirmed ? "true" : "false");
                ui_event("staged", m, "staged %u bytes (%u of %u pages written) in %.1f s%s",
                         r.size, r.pages_written, r.pages, ui_now() - t0,
                         r.confirmed   ? "; installed, confirmed"
                         : r.installed ? "; installed, on trial"
                                       : "; waiting in the staging slot");
            }
        }
        t->close(t);
    }
    image_free(&a->img);
    return rc;
}

/* Several -p: flash, verify or info on every board at once (host/multi.c, through libiap). The
 * ports and the file are checked before any port is opened. */
static int run_multi(const struct opts *o, const struct command *cmd, const char *file,
                     struct iap_err *err)
{
    if (cmd->run != run_flash && cmd->run != run_verify && cmd->run != run_info)
        return iap_fail(err, IAP_ERR_USAGE,
                        "several -p go with flash, verify and info only: %s takes one port",
                        cmd->name);
    if (o->staged)
        return iap_fail(err, IAP_ERR_USAGE, "--staged takes one port");
    int rc = multi_check_ports(o->ports, o->nports, err);
    if (rc)
        return rc;
    struct multi_cfg m = {.op = cmd->name, .format = o->format,
                          .address = o->address_given ? o->address : 0};
    if (cmd->needs_image) {
        struct image img;
        m.file = file;
        rc = load_image(o, file, o->address, &img, NULL, err); /* exit 2 or 3 before any port */
        image_free(&img);
        if (rc)
            return rc;
    }
    iap_options_init(&m.lib);
    m.lib.baud = o->baud;
    m.lib.baud_max = cmd->bulk ? o->baud_max : 0;
    m.lib.timeout_ms = o->timeout_ms;
    m.lib.retries = o->retries;
    m.lib.window = o->window;
    m.lib.connect_ms = CONNECT_MS;
    m.lib.app_request = o->app_request;
    iap_flash_options_init(&m.fo);
    m.fo.format = o->format;
    m.fo.address = m.address;
    m.fo.version = o->app_version;
    m.fo.full = o->full;
    m.fo.compress = o->compress;
    m.fo.no_reset = o->no_reset;
    m.fo.force = o->force;
    return multi_run(o->ports, o->nports, &m, err);
}

/* The command is sign (its --version takes a number). */
static bool signing(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "sign") == 0)
            return true;
    return false;
}

/* Fills *o from the options; 1 when the options asked for --help or --version (printed). */
static int parse_options(int argc, char **argv, struct opts *o, struct iap_err *err)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"baud", required_argument, NULL, 'b'},
        {"address", required_argument, NULL, 'A'},
        {"format", required_argument, NULL, 'F'},
        {"no-reset", no_argument, NULL, 'N'},
        {"app-version", required_argument, NULL, 'a'},
        {"window", required_argument, NULL, 'w'},
        {"timeout", required_argument, NULL, 't'},
        {"retries", required_argument, NULL, 'r'},
        {"no-app-request", no_argument, NULL, 'R'},
        {"full", no_argument, NULL, 'U'},
        {"staged", no_argument, NULL, 'S'},
        {"wait-confirm", no_argument, NULL, 'W'},
        {"baud-max", required_argument, NULL, 'M'},
        {"force", no_argument, NULL, 'f'},
        {"key", required_argument, NULL, 'k'},
        {"no-compress", no_argument, NULL, 'Z'},
        {"compress", no_argument, NULL, 'z'},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct opts){.port = getenv("IAP_PORT"), .baud = DEFAULT_BAUD,
                       .address = PROTO_APP_START, .timeout_ms = DEFAULT_TIMEOUT_MS,
                       .retries = DEFAULT_RETRIES, .app_request = true, .compress = -1,
                       .baud_max = DEFAULT_BAUD_MAX};
    if (o->port && !*o->port)
        o->port = NULL;
    int c;
    uint32_t v;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:b:o:qvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (o->nports == MULTI_MAX_BOARDS)
                return iap_fail(err, IAP_ERR_USAGE, "more than %d ports: at most %d boards at once",
                                MULTI_MAX_BOARDS, MULTI_MAX_BOARDS);
            o->ports[o->nports++] = optarg;
            o->port = o->ports[0];
            break;
        case 'b':
            if (parse_u32(optarg, &v) || v == 0)
                return iap_fail(err, IAP_ERR_USAGE, "bad baud rate '%s'", optarg);
            o->baud = v;
            break;
        case 'A':
            o->address_given = true;
            if (parse_u32(optarg, &o->address))
                return iap_fail(err, IAP_ERR_USAGE, "bad address '%s': e.g. 0x08002000", optarg);
            break;
        case 'F': o->format = optarg; break;
        case 'N': o->no_reset = true; break;
        case 'a':
            o->version_given = true;
            if (parse_u32(optarg, &o->app_version))
                return iap_fail(err, IAP_ERR_USAGE, "bad version '%s'", optarg);
            break;
        case 'w':
            if (parse_u32(optarg, &v) || v == 0 || v > PROTO_MAX_INFLIGHT)
                return iap_fail(err, IAP_ERR_USAGE, "bad window '%s': 1..%u frames", optarg,
                                PROTO_MAX_INFLIGHT);
            o->window = v;
            break;
        case 't':
            if (parse_u32(optarg, &v) || v == 0 || v > 600000)
                return iap_fail(err, IAP_ERR_USAGE, "bad timeout '%s': milliseconds", optarg);
            o->timeout_ms = (int)v;
            break;
        case 'r':
            if (parse_u32(optarg, &v) || v > 1000)
                return iap_fail(err, IAP_ERR_USAGE, "bad retries '%s'", optarg);
            o->retries = (int)v;
            break;
        case 'R': o->app_request = false; break;
        case 'U': o->full = true; break;
        case 'S': o->staged = true; break;
        case 'W': o->wait_confirm = true; break;
        case 'M':
            if (parse_u32(optarg, &v))
                return iap_fail(err, IAP_ERR_USAGE, "bad --baud-max '%s': a rate, e.g. 921600",
                                optarg);
            o->baud_max = v;
            break;
        case 'f': o->force = true; break;
        case 'k': o->key = optarg; break;
        case 'Z': o->compress = 0; break;
        case 'z': o->compress = 1; break;
        case 'o': o->output = optarg; break;
        case 'q': o->quiet = true; break;
        case 'v': o->verbose = true; break;
        case 'j': o->json = true; break;
        case 'h': usage(); return 1;
        case 'V':
            /* sign --version N: the image's version (iap --version alone: iap's own) */
            if (signing(argc, argv) && optind < argc && parse_u32(argv[optind], &v) == 0) {
                o->app_version = v;
                o->version_given = true;
                optind++;
                break;
            }
            printf("iap %s (protocol %u)\n", IAP_TOOL_VERSION, PROTO_VERSION);
            return 1;
        case ':':
            return iap_fail(err, IAP_ERR_USAGE, "option %s needs a value (iap --help)",
                            argv[optind - 1]);
        default:
            return iap_fail(err, IAP_ERR_USAGE, "unknown option %s (iap --help)",
                            argv[optind - 1]);
        }
    }
    return 0;
}

static int run(int argc, char **argv, struct iap_err *err)
{
    struct opts o;
    int rc = parse_options(argc, argv, &o, err);
    if (rc)
        return rc < 0 ? rc : 0;
    ui_init(o.quiet, o.verbose, o.json);
    if (optind >= argc) {
        char list[160];
        command_list(list, sizeof list);
        return iap_fail(err, IAP_ERR_USAGE, "no command: iap %s (iap --help)", list);
    }
    const struct command *cmd = find_command(argv[optind]);
    if (!cmd)
        return iap_fail(err, IAP_ERR_USAGE, "unknown command '%s' (iap --help)", argv[optind]);
    char **args = argv + optind + 1;
    int nargs = argc - optind - 1;
    if (nargs != cmd->nargs)
        return iap_fail(err, IAP_ERR_USAGE, "%s takes %d argument%s, not %d (iap --help)",
                        cmd->name, cmd->nargs, cmd->nargs == 1 ? "" : "s", nargs);
    if (o.nports > 1)
        return run_multi(&o, cmd, args[0], err);
    struct cmd_args a = {0};
    image_init(&a.img);
    rc = cmd->parse ? cmd->parse(&o, args, &a, err) : 0;
    const struct iap_format *fmt = NULL;
    /* sign: a .bin is linked for the SECURE layout unless --address says otherwise */
    uint32_t address = !o.address_given && cmd->offline ? SIGN_DEFAULT_START : o.address;
    if (!rc && cmd->needs_image) {
        o.file = args[0];
        rc = load_image(&o, args[0], address, &a.img, &fmt, err);
    }
    if (!rc && cmd->offline) {
        rc = cmd->run(&o, NULL, &a, err);
        image_free(&a.img);
        return rc;
    }
    if (!rc && o.staged)
        return run_staged(&o, cmd, &a, fmt, err);
    struct iap_transport *t = NULL;
    struct iap_session s;
    if (!rc)
        rc = connect_device(&o, cmd->bulk, &t, &s, err);
    /* A .bin has no address of its own: it goes to the device's application start (a SECURE
     * bootloader's is 0x08004000) unless --address says otherwise. */
    if (!rc && cmd->needs_image && !o.address_given && strcmp(fmt->name, "bin") == 0 &&
        image_start(&a.img) != s.info.app_start && s.info.app_start >= PROTO_APP_START) {
        image_free(&a.img);
        rc = iap_op_load(&s, args[0], "bin", s.info.app_start, &a.img, NULL, err);
    }
    if (!rc)
        rc = restart_app(&o, cmd, &s, cmd->run(&o, &s, &a, err), err);
    if (t && s.stepped) { /* the board stays in IAP mode: give it its boot rate back */
        struct iap_err ignored;
        iap_session_step_down(&s, o.baud, &ignored);
    }
    if (t)
        t->close(t);
    image_free(&a.img);
    return rc;
}

int main(int argc, char **argv)
{
    struct iap_err err = {0};
    compat_init(); /* SIGPIPE ignored: a closed TCP bridge is an error, not a silent death */
    int rc = run(argc, argv, &err);
    if (rc)
        ui_error(&err);
    return iap_exit_code(rc);
}
