/* iap flash --staged (docs/STAGED.md): an image to the staging slot of a running application,
 * through its receiver (examples/demo/stage_rx.c: native frames on the application's own line)
 * while it keeps running; then the install request: the application resets, the STAGED=1
 * bootloader installs the image and boots it on trial. And the staged state for iap info.
 * Prefix iap_staged_. */
#ifndef IAP_STAGED_H
#define IAP_STAGED_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "iap_session.h"
#include "image.h"
#include "stage.h" /* proto/stage.h */

struct iap_staged_opts {
    bool full;           /* write every page (default: only those whose CRC differs) */
    uint32_t version;    /* the version the record gets (SECURE: the signature's counts) */
    bool no_install;     /* stage only (iap --no-reset): the application keeps running v_old */
    bool wait_confirm;   /* after the install, wait until the new image confirmed itself or was
                            rolled back (iap --wait-confirm) */
    unsigned wait_ms;    /* how long the application may take to come back after the install
                            request (0: from the image size, the flash timings and the trial) */
};

struct iap_staged_result {
    uint32_t crc, size;                  /* the image */
    uint32_t pages, pages_written;       /* its pages, and those written */
    uint64_t written;                    /* bytes written */
    struct proto_stage_status before;    /* the application's status before the transfer */
    struct proto_stage_status after;     /* ... once it came back after the install */
    bool installed;                      /* it came back running the new image */
    bool confirmed;                      /* wait_confirm: the new image confirmed itself */
};

/* STAGE_STATUS (a sequence restart on an application's receiver): the status of whoever answers,
 * an application's receiver or a STAGED=1 bootloader (st->role). IAP_ERR_NO_ANSWER when nobody
 * answers (an application without the receiver: it gets no update request from here); a
 * bootloader without staged updates answers E_CMD: IAP_ERR_REFUSED. */
int iap_staged_status(struct iap_session *s, struct proto_stage_status *st, struct iap_err *err);

/* The whole of iap flash --staged on an open session (iap_session_init with app_request false):
 * status, the image checked for the primary slot (a .bin loaded at PROTO_APP_START is moved to the
 * application's primary slot when rebase_bin), BEGIN, PAGE_CRCS (only the pages that differ are
 * written: a transfer cut short resumes), WRITE with a window in flight, CRC, FINISH, INSTALL, then
 * the wait for the application to come back (STAGE_STATUS): installed on trial, or refused by the
 * bootloader (the trailer's result), or rolled back. Progress through the session's hooks. */
int iap_staged_flash(struct iap_session *s, struct image *img, bool rebase_bin,
                     const struct iap_staged_opts *o, struct iap_staged_result *r,
                     struct iap_err *err);

/* The status as iap info shows it: "label:   value" lines, or one JSON object (json). */
void iap_staged_print(FILE *f, const struct proto_stage_status *st, bool json);

/* iap info on a board whose INFO says PROTO_FEAT_STAGED: STAGE_STATUS, then the print. */
int iap_staged_info(struct iap_session *s, bool json, struct iap_err *err);

/* "E_STAGE_TRIAL (...)" and the others of proto/stage.h, else iap_status_name's. */
const char *iap_staged_status_name(int status);

#endif
