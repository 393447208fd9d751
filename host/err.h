/* The iap tool's one error enum: 0 = OK, negative = error. Each error maps to one exit code. */
#ifndef IAP_ERR_H
#define IAP_ERR_H

#include <stdarg.h>

enum iap_error {
    IAP_ERR_NONE = 0,
    IAP_ERR_USAGE = -1,     /* bad command line */
    IAP_ERR_FILE = -2,      /* cannot read or write a file */
    IAP_ERR_FORMAT = -3,    /* malformed or unknown file format */
    IAP_ERR_FIT = -4,       /* image does not fit the application area or is linked elsewhere */
    IAP_ERR_PORT = -5,      /* cannot open the port, or it vanished */
    IAP_ERR_NO_ANSWER = -6, /* no bootloader answered the handshake */
    IAP_ERR_TRANSFER = -7,  /* transfer failed after the retries */
    IAP_ERR_REFUSED = -8,   /* the device answered with a refusal status */
    IAP_ERR_VERIFY = -9,    /* device contents differ from the image */
    IAP_ERR_NOMEM = -10,    /* out of memory */
    IAP_ERR_PROTOCOL = -11, /* the device answered something this tool does not understand */
};

/* An error with its one-line message (what happened and what to do). */
struct iap_err {
    enum iap_error code;
    int status; /* device status (enum proto_status) for IAP_ERR_REFUSED */
    char msg[512];
};

const char *iap_strerror(int code);
/* Process exit status for an error code (docs/iap.md). */
int iap_exit_code(int code);
/* Name of a device status code, e.g. "E_RANGE". */
const char *iap_status_name(int status);

/* Records code and the formatted message in err (which may be NULL); returns code. */
int iap_fail(struct iap_err *err, enum iap_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
