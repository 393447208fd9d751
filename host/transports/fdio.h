/* poll()-based read and write on a non-blocking file descriptor, shared by the POSIX transports. */
#ifndef IAP_FDIO_H
#define IAP_FDIO_H

#include <stddef.h>
#include <stdint.h>

#include "../err.h"

/* lost: what to tell the user when the peer vanished (hangup, EIO, connection closed). */
int fdio_write(int fd, const uint8_t *buf, size_t len, const char *lost, struct iap_err *err);
int fdio_read(int fd, uint8_t *buf, size_t max, int timeout_ms, const char *lost,
              struct iap_err *err);
void fdio_drain(int fd);

#endif
