/* The iap tool's one error enum: 0 = OK, negative = error. Each error maps to one exit code. */
#ifndef IAP_ERR_H
#define IAP_ERR_H

#include <stdarg.h>

/* enum iap_error (IAP_ERR_*) and iap_strerror() are libiap's public ones: one enum for the
 * library and the tool. */
#include "libiap/iap.h"

/* An error with its one-line message (what happened and what to do). */
struct iap_err {
    enum iap_error code;
    int status; /* device status (enum proto_status) for IAP_ERR_REFUSED */
    char msg[512];
};

/* Process exit status for an error code (docs/iap.md). */
int iap_exit_code(int code);
/* Name of a device status code, e.g. "E_RANGE". */
const char *iap_status_name(int status);

/* Records code and the formatted message in err (which may be NULL); returns code. */
int iap_fail(struct iap_err *err, enum iap_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
