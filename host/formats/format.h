/* Firmware file formats: each a parser behind one interface, chosen at run time by --format, by
 * the file's extension, or by sniffing its content. Parsers work on the whole file in memory and
 * name the file and line (text formats) or byte offset (ELF) in every error. */
#ifndef IAP_FORMAT_H
#define IAP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../err.h"
#include "../image.h"

struct iap_format {
    const char *name;       /* --format value */
    const char *extensions; /* space-separated, lower case, with the dot */
    /* true when the content is recognisably this format */
    bool (*sniff)(const uint8_t *buf, size_t len);
    /* Adds the file's data to img. base is the load address (raw binary only). */
    int (*load)(const char *path, const uint8_t *buf, size_t len, uint32_t base,
                struct image *img, struct iap_err *err);
};

extern const struct iap_format iap_format_bin, iap_format_ihex, iap_format_srec, iap_format_elf;

const struct iap_format *format_by_name(const char *name);
/* By extension, then by content; NULL when neither tells. */
const struct iap_format *format_detect(const char *path, const uint8_t *buf, size_t len);

/* Reads path, picks the format (fmt_name may be NULL) and loads it into img. */
int format_load_file(const char *path, const char *fmt_name, uint32_t base, struct image *img,
                     const struct iap_format **used, struct iap_err *err);

/* For the text parsers: the value of the hex digit c, or -1. */
int format_hexval(int c);
/* Decodes nb bytes from 2*nb hex digits at s into out. Returns -1, or the index in s of the first
 * character that is not a hex digit. */
long format_hexbytes(const uint8_t *s, size_t nb, uint8_t *out);
/* Index of the first byte of buf[0, len) that is not a space, tab, CR or LF (len if none). */
size_t format_skip_space(const uint8_t *buf, size_t len);
/* iap_fail() with the message prefixed by "path:line: ". */
int format_line_fail(struct iap_err *err, enum iap_error code, const char *path, unsigned line,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
