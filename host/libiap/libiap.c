/* libiap's public API (iap.h): a handle around one port and session, the operations of ops.c. */
#include <stdlib.h>
#include <string.h>

#include "ops.h"

#define DEFAULT_BAUD 115200u
#define DEFAULT_TIMEOUT_MS 500
#define DEFAULT_RETRIES 8
#define DEFAULT_CONNECT_MS 5000

struct iap_device {
    struct iap_options o;
    struct iap_session_hooks hooks;
    struct iap_transport *t; /* NULL: closed */
    struct iap_session s;
    bool connected;          /* the handshake succeeded */
    const char *op;          /* for the progress callback */
    struct iap_err err;
};

IAP_API const char *iap_lib_version(void)
{
#define IAP_STR2(x) #x
#define IAP_STR(x) IAP_STR2(x)
    return IAP_STR(IAP_LIB_VERSION_MAJOR) "." IAP_STR(IAP_LIB_VERSION_MINOR) "." IAP_STR(
        IAP_LIB_VERSION_PATCH);
}

IAP_API void iap_options_init(struct iap_options *o)
{
    *o = (struct iap_options){.size = sizeof *o, .baud = DEFAULT_BAUD,
                              .timeout_ms = DEFAULT_TIMEOUT_MS, .retries = DEFAULT_RETRIES,
                              .connect_ms = DEFAULT_CONNECT_MS, .app_request = 1};
}

IAP_API void iap_flash_options_init(struct iap_flash_options *o) { iap_op_flash_defaults(o); }

/* A caller's struct of `size` bytes over the defaults: a program built against an older, shorter
 * struct keeps the defaults of the fields appended since. */
static void copy_sized(void *dst, size_t dst_size, const void *src, size_t src_size)
{
    memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
}

static void hook_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct iap_device *d = ctx;
    if (d->o.progress)
        d->o.progress(d->o.progress_ctx, d->op, done, total);
}
static void hook_note(void *ctx, const char *msg)
{
    struct iap_device *d = ctx;
    if (d->o.log)
        d->o.log(d->o.log_ctx, msg);
}

IAP_API iap_device *iap_new(const struct iap_options *o)
{
    struct iap_device *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    iap_options_init(&d->o);
    if (o && o->size)
        copy_sized(&d->o, sizeof d->o, o, o->size);
    d->o.size = sizeof d->o;
    if (!d->o.baud)
        d->o.baud = DEFAULT_BAUD;
    d->hooks = (struct iap_session_hooks){.progress = hook_progress, .note = hook_note, .ctx = d};
    return d;
}

IAP_API void iap_close(iap_device *d)
{
    if (!d || !d->t)
        return;
    if (d->connected && d->s.stepped) { /* the board stays in IAP mode: give it its boot rate */
        struct iap_err ignored;
        iap_session_step_down(&d->s, d->o.baud, &ignored);
    }
    d->t->close(d->t);
    d->t = NULL;
    d->connected = false;
}

IAP_API void iap_free(iap_device *d)
{
    iap_close(d);
    free(d);
}

IAP_API const char *iap_last_error(const iap_device *d) { return d ? d->err.msg : ""; }

/* Every call starts with an empty message; the return value is the call's. */
static int begin(iap_device *d, bool need_open)
{
    d->err = (struct iap_err){0};
    if (need_open && !d->connected)
        return iap_fail(&d->err, IAP_ERR_USAGE, "the device is not open: call iap_open first");
    return 0;
}

IAP_API int iap_open(iap_device *d, const char *port)
{
    if (!d)
        return IAP_ERR_USAGE;
    iap_close(d);
    begin(d, false);
    struct iap_session_cfg cfg = {.baud = d->o.baud, .timeout_ms = d->o.timeout_ms,
                                  .retries = d->o.retries, .window = d->o.window,
                                  .app_request = d->o.app_request != 0};
    int rc = iap_op_connect(port, &cfg, &d->hooks, d->o.baud_max, d->o.connect_ms, &d->t, &d->s,
                            &d->err);
    if (rc) {
        if (d->t)
            d->t->close(d->t);
        d->t = NULL;
        return rc;
    }
    d->connected = true;
    return 0;
}

IAP_API int iap_get_info(iap_device *d, struct iap_info *out)
{
    int rc = begin(d, true);
    if (rc)
        return rc;
    const struct proto_info *i = &d->s.info;
    *out = (struct iap_info){
        .protocol = i->proto_version, .boot_major = i->boot_major, .boot_minor = i->boot_minor,
        .boot_patch = i->boot_patch, .chip_id = i->chip_id, .flash_size = i->flash_size,
        .page_size = i->page_size, .sram_size = i->sram_size, .banks = i->banks,
        .app_start = i->app_start, .app_end = i->app_end, .app_valid = i->app_valid != 0,
        .app_size = i->app_size, .app_crc = i->app_crc, .app_version = i->app_version,
        .features = i->features, .secure = (i->features & PROTO_FEAT_SECURE) != 0,
        .version_floor = i->version_floor, .baud = d->s.cfg.baud,
        .app_rebooted = d->s.app_rebooted};
    memcpy(out->uid, i->uid, sizeof out->uid);
    return 0;
}

static void flash_opts(const struct iap_flash_options *in, struct iap_flash_options *fo)
{
    iap_op_flash_defaults(fo);
    if (in && in->size)
        copy_sized(fo, sizeof *fo, in, in->size);
}

static int flash_image(iap_device *d, const struct image *img, const char *name,
                       const struct iap_flash_options *fo, struct iap_flash_report *rep)
{
    uint8_t *buf;
    uint32_t len;
    int rc = iap_op_flatten(&d->s, img, &buf, &len, &d->err);
    if (rc)
        return rc;
    rc = iap_op_check(&d->s, buf, len, name, fo->force != 0, &d->err);
    struct iap_flash_report r = {0};
    d->op = "flash";
    if (!rc)
        rc = iap_op_flash(&d->s, buf, len, fo, &r, &d->err);
    free(buf);
    if (!rc && rep)
        *rep = r;
    return rc;
}

IAP_API int iap_flash_file(iap_device *d, const char *path, const struct iap_flash_options *in,
                           struct iap_flash_report *rep)
{
    int rc = begin(d, true);
    if (rc)
        return rc;
    struct iap_flash_options fo;
    flash_opts(in, &fo);
    struct image img;
    rc = iap_op_load(&d->s, path, fo.format, fo.address, &img, NULL, &d->err);
    if (!rc)
        rc = flash_image(d, &img, path, &fo, rep);
    image_free(&img);
    return rc;
}

/* len bytes at address (0: app_start) as an image. */
static int buffer_image(iap_device *d, const void *data, size_t len, uint32_t address,
                        struct image *img)
{
    image_init(img);
    if (len > UINT32_MAX)
        return iap_fail(&d->err, IAP_ERR_FIT, "%zu bytes do not fit any device", len);
    return image_add(img, address ? address : d->s.info.app_start, data, (uint32_t)len, &d->err);
}

IAP_API int iap_flash_buffer(iap_device *d, const void *data, size_t len, uint32_t address,
                             const struct iap_flash_options *in, struct iap_flash_report *rep)
{
    int rc = begin(d, true);
    if (rc)
        return rc;
    struct iap_flash_options fo;
    flash_opts(in, &fo);
    struct image img;
    rc = buffer_image(d, data, len, address, &img);
    if (!rc)
        rc = flash_image(d, &img, "the buffer", &fo, rep);
    image_free(&img);
    return rc;
}

static int verify_image(iap_device *d, const struct image *img, uint32_t *size, uint32_t *crc,
                        uint32_t *device_crc)
{
    uint8_t *buf;
    uint32_t len, c, dc;
    int rc = iap_op_flatten(&d->s, img, &buf, &len, &d->err);
    if (rc)
        return rc;
    d->op = "verify";
    rc = iap_op_verify(&d->s, buf, len, &c, &dc, &d->err);
    free(buf);
    if (size)
        *size = len;
    if (crc)
        *crc = c;
    if (device_crc && (rc == 0 || rc == IAP_ERR_VERIFY))
        *device_crc = dc;
    return rc;
}

IAP_API int iap_verify_file(iap_device *d, const char *path, const char *format,
                            uint32_t address, uint32_t *size, uint32_t *crc, uint32_t *device_crc)
{
    int rc = begin(d, true);
    if (rc)
        return rc;
    struct image img;
    rc = iap_op_load(&d->s, path, format, address, &img, NULL, &d->err);
    if (!rc)
        rc = verify_image(d, &img, size, crc, device_crc);
    image_free(&img);
    return rc;
}

IAP_API int iap_verify_buffer(iap_device *d, const void *data, size_t len, uint32_t address,
                              uint32_t *crc, uint32_t *device_crc)
{
    int rc = begin(d, true);
    if (rc)
        return rc;
    struct image img;
    rc = buffer_image(d, data, len, address, &img);
    if (!rc)
        rc = verify_image(d, &img, NULL, crc, device_crc);
    image_free(&img);
    return rc;
}

IAP_API int iap_read(iap_device *d, uint32_t addr, void *out, size_t len)
{
    int rc = begin(d, true);
    if (rc)
        return rc;
    if (len > UINT32_MAX)
        return iap_fail(&d->err, IAP_ERR_USAGE, "%zu bytes: more than any device's flash", len);
    d->op = "read";
    return iap_op_read(&d->s, addr, out, (uint32_t)len, &d->err);
}

IAP_API int iap_erase(iap_device *d)
{
    int rc = begin(d, true);
    uint32_t a, n;
    return rc ? rc : iap_op_erase(&d->s, &a, &n, &d->err);
}

IAP_API int iap_reset(iap_device *d)
{
    int rc = begin(d, true);
    return rc ? rc : iap_session_reset(&d->s, &d->err);
}
