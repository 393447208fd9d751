/* libiap's operations on an open session (ops.h): what iap flash, verify, read and erase do, for
 * the public API and the tool alike. No output: errors go to err, notes and progress through the
 * session's hooks. */
#include "ops.h"

#include <stdlib.h>

#include "../compat.h"
#include "../sign.h"

int iap_op_connect(const char *port, const struct iap_session_cfg *cfg,
                   const struct iap_session_hooks *hooks, unsigned baud_max, int connect_ms,
                   struct iap_transport **t, struct iap_session *s, struct iap_err *err)
{
    *t = NULL;
    if (!port || !*port)
        return iap_fail(err, IAP_ERR_USAGE,
                        "no port given: pass -p /dev/ttyUSB0 (or tcp://HOST:PORT), or set "
                        "IAP_PORT");
    int rc = transport_open(port, cfg->baud, connect_ms, t, err);
    if (rc)
        return rc;
    iap_session_init(s, *t, cfg, hooks);
    rc = iap_session_connect(s, err);
    if (!rc && baud_max > cfg->baud)
        rc = iap_session_step_up(s, baud_max, err);
    return rc;
}

int iap_op_load(const struct iap_session *s, const char *path, const char *format,
                uint32_t address, struct image *img, const struct iap_format **used,
                struct iap_err *err)
{
    const struct iap_format *fmt = NULL;
    image_init(img);
    int rc = format_load_file(path, format, address ? address : s->info.app_start, img, &fmt,
                              err);
    if (used)
        *used = fmt;
    return rc;
}

int iap_op_flatten(const struct iap_session *s, const struct image *img, uint8_t **buf,
                   uint32_t *len, struct iap_err *err)
{
    int rc = image_check_fit(img, s->info.app_start, s->info.app_end, err);
    if (rc)
        return rc;
    rc = image_flatten(img, s->info.app_start, buf, len, err);
    if (rc)
        return rc;
    if (s->info.app_start + *len > s->info.app_end) { /* an odd last byte padded past the end */
        free(*buf);
        *buf = NULL;
        return iap_fail(err, IAP_ERR_FIT, "image does not fit the application area");
    }
    return 0;
}

int iap_op_check(const struct iap_session *s, const uint8_t *buf, uint32_t len, const char *name,
                 bool force, struct iap_err *err)
{
    int rc = image_check_vectors(buf, len, s->info.app_start, s->info.sram_size, name, err);
    /* A SECURE device: check the image against its key and floor before flash is touched (the
     * device verifies again at COMMIT; force sends it anyway, to see the device refuse it). */
    if (!rc && (s->info.features & PROTO_FEAT_SECURE) && !force)
        rc = sign_check(buf, len, &s->info, name, err);
    return rc;
}

void iap_op_flash_defaults(struct iap_flash_options *fo)
{
    *fo = (struct iap_flash_options){.size = sizeof *fo, .compress = -1};
}

int iap_op_flash(struct iap_session *s, const uint8_t *buf, uint32_t len,
                 const struct iap_flash_options *fo, struct iap_flash_report *rep,
                 struct iap_err *err)
{
    double t0 = compat_now_s();
    struct iap_flash_opts so = {.full = fo->full != 0, .compress = fo->compress,
                                .version = fo->version};
    struct iap_flash_result res;
    int rc = iap_session_flash(s, buf, len, &so, &res, err);
    if (rc)
        return rc;
    *rep = (struct iap_flash_report){
        .size = len, .crc = res.crc, .pages = res.pages, .pages_written = res.pages_written,
        .written = res.written, .raw_bytes = res.raw_bytes, .sent_bytes = res.sent_bytes,
        .seconds = compat_now_s() - t0,
        .baud = s->cfg.baud, /* the stepped-up rate, before a reset gives the boot rate back */
    };
    /* what INFO would say now */
    s->info.app_valid = 1;
    s->info.app_size = len;
    s->info.app_crc = res.crc;
    s->info.app_version = fo->version;
    return fo->no_reset ? 0 : iap_session_reset(s, err);
}

int iap_op_verify(struct iap_session *s, const uint8_t *buf, uint32_t len, uint32_t *crc,
                  uint32_t *device_crc, struct iap_err *err)
{
    *crc = proto_crc32(0, buf, len);
    int rc = iap_session_crc(s, s->info.app_start, len, device_crc, err);
    if (!rc && *device_crc != *crc)
        rc = iap_fail(err, IAP_ERR_VERIFY,
                      "verify failed: the device's 0x%08x..0x%08x has CRC 0x%08x, the file "
                      "0x%08x: run iap flash with this file",
                      s->info.app_start, s->info.app_start + len - 1, *device_crc, *crc);
    return rc;
}

int iap_op_check_read(const struct iap_session *s, uint32_t addr, uint32_t len,
                      struct iap_err *err)
{
    /* Reads are allowed anywhere in flash; say so before asking the device. */
    uint64_t end = (uint64_t)PROTO_FLASH_BASE + s->info.flash_size;
    if (addr < PROTO_FLASH_BASE || (uint64_t)addr + len > end)
        return iap_fail(err, IAP_ERR_USAGE,
                        "read 0x%08x + %u bytes lies outside the device's flash (0x%08x..0x%08llx, "
                        "%u KB): give an address and length inside it",
                        addr, len, PROTO_FLASH_BASE, (unsigned long long)end - 1u,
                        s->info.flash_size / 1024u);
    return 0;
}

int iap_op_read(struct iap_session *s, uint32_t addr, uint8_t *out, uint32_t len,
                struct iap_err *err)
{
    int rc = iap_op_check_read(s, addr, len, err);
    return rc ? rc : iap_session_read(s, addr, out, len, err);
}

int iap_op_erase(struct iap_session *s, uint32_t *addr, uint32_t *len, struct iap_err *err)
{
    *addr = s->info.app_start;
    *len = s->info.app_end - s->info.app_start;
    int rc = iap_session_erase(s, *addr, *len, err);
    if (!rc)
        s->info.app_valid = 0;
    return rc;
}
