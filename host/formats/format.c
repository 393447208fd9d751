#include "format.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct iap_format *const formats[] = {
    &iap_format_elf, &iap_format_ihex, &iap_format_srec, &iap_format_bin,
};
#define NFORMATS (sizeof formats / sizeof formats[0])

int format_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t format_skip_space(const uint8_t *buf, size_t len)
{
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    return i;
}

int format_line_fail(struct iap_err *err, enum iap_error code, const char *path, unsigned line,
                     const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line == 0) /* about the whole file, not one of its lines */
        return iap_fail(err, code, "%s: %s", path, what);
    return iap_fail(err, code, "%s:%u: %s", path, line, what);
}

long format_hexbytes(const uint8_t *s, size_t nb, uint8_t *out)
{
    for (size_t i = 0; i < nb; i++) {
        int hi = format_hexval(s[2 * i]), lo = format_hexval(s[2 * i + 1]);
        if (hi < 0)
            return (long)(2 * i);
        if (lo < 0)
            return (long)(2 * i + 1);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return -1;
}

const struct iap_format *format_by_name(const char *name)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    if (strcmp(name, "ihex") == 0)
        return &iap_format_ihex;
    if (strcmp(name, "s19") == 0)
        return &iap_format_srec;
    return NULL;
}

static bool has_extension(const char *list, const char *ext)
{
    size_t n = strlen(ext);
    for (const char *p = list; *p;) {
        const char *sp = strchr(p, ' ');
        size_t m = sp ? (size_t)(sp - p) : strlen(p);
        if (m == n && strncasecmp(p, ext, n) == 0)
            return true;
        p += m;
        while (*p == ' ')
            p++;
    }
    return false;
}

const struct iap_format *format_detect(const char *path, const uint8_t *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot)
        for (size_t i = 0; i < NFORMATS; i++)
            if (has_extension(formats[i]->extensions, dot))
                return formats[i];
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i]->sniff && formats[i]->sniff(buf, len))
            return formats[i];
    return NULL;
}

static int read_file(const char *path, uint8_t **out, size_t *len, struct iap_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return iap_fail(err, IAP_ERR_FILE, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 64 * 1024, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *p = cap > (256u << 20) ? NULL : realloc(buf, cap * 2);
        if (!p) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = p;
        cap *= 2;
    }
    int bad = ferror(f), bad_errno = errno;
    fclose(f);
    if (!buf)
        return iap_fail(err, IAP_ERR_FILE, "%s is too large for a firmware file", path);
    if (bad) {
        free(buf);
        return iap_fail(err, IAP_ERR_FILE, "cannot read %s: %s", path, strerror(bad_errno));
    }
    *out = buf;
    *len = n;
    return 0;
}

int format_load_file(const char *path, const char *fmt_name, uint32_t base, struct image *img,
                     const struct iap_format **used, struct iap_err *err)
{
    const struct iap_format *fmt = NULL;
    if (fmt_name) {
        fmt = format_by_name(fmt_name);
        if (!fmt)
            return iap_fail(err, IAP_ERR_USAGE,
                            "unknown format '%s': use --format bin, hex, srec or elf", fmt_name);
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = read_file(path, &buf, &len, err);
    if (rc)
        return rc;
    if (len == 0) {
        free(buf);
        return iap_fail(err, IAP_ERR_FORMAT, "%s is empty: there is nothing to flash", path);
    }
    if (!fmt)
        fmt = format_detect(path, buf, len);
    if (!fmt) {
        free(buf);
        return iap_fail(err, IAP_ERR_FORMAT,
                        "cannot tell the format of %s from its name or content: "
                        "pass --format bin, hex, srec or elf",
                        path);
    }
    if (used)
        *used = fmt;
    rc = fmt->load(path, buf, len, base, img, err);
    free(buf);
    return rc;
}
