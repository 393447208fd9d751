/* Several boards at once (iap flash FILE -p A -p B ...; verify and info too): one libiap handle
 * and one thread per board, a progress line per board, then a summary table (or one JSON object
 * per board). One board's failure does not stop the others. docs/iap.md, "Several boards". */
#ifndef IAP_MULTI_H
#define IAP_MULTI_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define MULTI_MAX_BOARDS 64

struct multi_cfg {
    const char *op;      /* "flash", "verify" or "info" */
    const char *file;    /* flash, verify: the image file */
    const char *format;  /* NULL: from the name, then the content */
    uint32_t address;    /* raw binary's load address; 0: the device's app_start */
    struct iap_options lib;
    struct iap_flash_options fo;
};

/* Checks that no port is named twice (IAP_ERR_USAGE, before any is opened). */
int multi_check_ports(const char *const *ports, size_t n, struct iap_err *err);

/* Runs cfg->op on every port at once and prints their progress and results. 0 when all
 * succeeded; else the first failing board's (in the order given) error code, with err saying how
 * many failed (each board's own message is printed as it fails). */
int multi_run(const char *const *ports, size_t n, const struct multi_cfg *cfg,
              struct iap_err *err);

#endif
