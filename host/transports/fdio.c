#include "fdio.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WRITE_STALL_MS 5000

static int vanished(int e) { return e == EIO || e == ENXIO || e == ENODEV || e == EPIPE ||
                                    e == ECONNRESET || e == ENOTCONN; }

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: the peer's close is EPIPE only where SIGPIPE is ignored */
#endif

/* A socket's peer that closed is EPIPE, not a SIGPIPE that kills the program: libiap's callers
 * need not ignore the signal (iap does anyway). Serial ports and ptys are no sockets. */
static ssize_t put(int fd, const uint8_t *buf, size_t len)
{
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    return n < 0 && errno == ENOTSOCK ? write(fd, buf, len) : n;
}

int fdio_write(int fd, const uint8_t *buf, size_t len, const char *lost, struct iap_err *err)
{
    while (len) {
        ssize_t n = put(fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return iap_fail(err, IAP_ERR_PORT, "%s (%s)", lost, strerror(errno));
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int r = poll(&p, 1, WRITE_STALL_MS);
        if (r == 0)
            return iap_fail(err, IAP_ERR_PORT, "%s (output stalled for %d s)", lost,
                            WRITE_STALL_MS / 1000);
        if (r < 0 && errno != EINTR)
            return iap_fail(err, IAP_ERR_PORT, "%s (%s)", lost, strerror(errno));
        if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) && !(p.revents & POLLOUT))
            return iap_fail(err, IAP_ERR_PORT, "%s (hangup)", lost);
    }
    return 0;
}

int fdio_read(int fd, uint8_t *buf, size_t max, int timeout_ms, const char *lost,
              struct iap_err *err)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms);
    if (r < 0)
        return errno == EINTR ? 0 : iap_fail(err, IAP_ERR_PORT, "%s (%s)", lost, strerror(errno));
    if (r == 0)
        return 0;
    ssize_t n = read(fd, buf, max);
    if (n > 0)
        return (int)n;
    if (n == 0 || vanished(errno) || (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
        return iap_fail(err, IAP_ERR_PORT, "%s", lost);
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return iap_fail(err, IAP_ERR_PORT, "%s (%s)", lost, strerror(errno));
}

void fdio_drain(int fd)
{
    uint8_t junk[256];
    while (read(fd, junk, sizeof junk) > 0) {
    }
}
