/* libiap's operations on an open session, shared by the public API (libiap.c) and the iap tool's
 * commands (main.c, which keeps its own session for --staged, the trace and restarting an
 * application): the checks and the order of what is sent, no output. Not installed. */
#ifndef IAP_OPS_H
#define IAP_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "../err.h"
#include "../formats/format.h"
#include "../iap_session.h"
#include "../image.h"
#include "../transport.h"
#include "iap.h"

/* Opens the port, the handshake, then the step-up to baud_max (when above cfg->baud). *t is set
 * once the port is open (the caller closes it, also after an error). */
int iap_op_connect(const char *port, const struct iap_session_cfg *cfg,
                   const struct iap_session_hooks *hooks, unsigned baud_max, int connect_ms,
                   struct iap_transport **t, struct iap_session *s, struct iap_err *err);

/* Loads an image file; a raw binary at address, or (address 0) at the device's app_start. */
int iap_op_load(const struct iap_session *s, const char *path, const char *format,
                uint32_t address, struct image *img, const struct iap_format **used,
                struct iap_err *err);

/* The image as one buffer from the device's app_start (the fit rule; gaps 0xFF). */
int iap_op_flatten(const struct iap_session *s, const struct image *img, uint8_t **buf,
                   uint32_t *len, struct iap_err *err);
/* What the bootloader would refuse, before flash is touched: the vector table, and on a SECURE
 * device (unless force) the signature, key and version floor. name: for messages. */
int iap_op_check(const struct iap_session *s, const uint8_t *buf, uint32_t len, const char *name,
                 bool force, struct iap_err *err);
/* Writes the pages that differ (all: fo->full), commits, resets unless fo->no_reset. rep->seconds
 * and rep->baud cover the transfer up to COMMIT. */
int iap_op_flash(struct iap_session *s, const uint8_t *buf, uint32_t len,
                 const struct iap_flash_options *fo, struct iap_flash_report *rep,
                 struct iap_err *err);
/* The device's CRC of [app_start, +len) against buf's: IAP_ERR_VERIFY when they differ. */
int iap_op_verify(struct iap_session *s, const uint8_t *buf, uint32_t len, uint32_t *crc,
                  uint32_t *device_crc, struct iap_err *err);
/* A read inside the device's flash (IAP_ERR_USAGE outside it), and that check alone. */
int iap_op_check_read(const struct iap_session *s, uint32_t addr, uint32_t len,
                      struct iap_err *err);
int iap_op_read(struct iap_session *s, uint32_t addr, uint8_t *out, uint32_t len,
                struct iap_err *err);
/* Erases the application area, [*addr, *addr + *len). */
int iap_op_erase(struct iap_session *s, uint32_t *addr, uint32_t *len, struct iap_err *err);

/* The defaults of struct iap_flash_options without its size (the tool's own). */
void iap_op_flash_defaults(struct iap_flash_options *fo);

#endif
