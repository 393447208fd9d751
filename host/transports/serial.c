/* POSIX serial port: termios raw 8N1 at the requested baud rate, no flow control, modem lines
 * (DTR/RTS) left as they are. A macOS or Windows port replaces this one file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include "../transport.h"
#include "fdio.h"

struct serial {
    struct iap_transport t;
    int fd;
    struct termios saved; /* the port's settings before iap, given back on close */
    char lost[400];
};

static speed_t baud_const(unsigned baud)
{
    switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 500000: return B500000;
    case 576000: return B576000;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 1152000: return B1152000;
    case 1500000: return B1500000;
    case 2000000: return B2000000;
    default: return 0;
    }
}

static int serial_write(struct iap_transport *t, const uint8_t *buf, size_t len,
                        struct iap_err *err)
{
    struct serial *s = (struct serial *)t;
    return fdio_write(s->fd, buf, len, s->lost, err);
}

static int serial_read(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                       struct iap_err *err)
{
    struct serial *s = (struct serial *)t;
    return fdio_read(s->fd, buf, max, timeout_ms, s->lost, err);
}

static void serial_discard(struct iap_transport *t)
{
    struct serial *s = (struct serial *)t;
    tcflush(s->fd, TCIFLUSH);
    fdio_drain(s->fd);
}

static void serial_close(struct iap_transport *t)
{
    struct serial *s = (struct serial *)t;
    tcdrain(s->fd);
    tcsetattr(s->fd, TCSANOW, &s->saved);
    close(s->fd);
    free(s);
}

/* The step-up: after the last byte has left, the same settings at another rate. */
static int serial_set_baud(struct iap_transport *t, unsigned baud, struct iap_err *err)
{
    struct serial *s = (struct serial *)t;
    speed_t speed = baud_const(baud);
    struct termios tio;
    if (!speed)
        return iap_fail(err, IAP_ERR_PORT, "%u baud is not a rate this port takes", baud);
    tcdrain(s->fd);
    if (tcgetattr(s->fd, &tio) < 0)
        return iap_fail(err, IAP_ERR_PORT, "%s", s->lost);
    cfsetispeed(&tio, speed);
    cfsetospeed(&tio, speed);
    if (tcsetattr(s->fd, TCSANOW, &tio) < 0)
        return iap_fail(err, IAP_ERR_PORT, "the port refuses %u baud: %s", baud, strerror(errno));
    /* some drivers accept any rate without complaint: read back what they took */
    if (tcgetattr(s->fd, &tio) < 0 || cfgetospeed(&tio) != speed)
        return iap_fail(err, IAP_ERR_PORT, "the port did not take %u baud", baud);
    return 0;
}

int serial_open(const char *path, unsigned baud, struct iap_transport **out, struct iap_err *err)
{
    speed_t speed = baud_const(baud);
    if (!speed)
        return iap_fail(err, IAP_ERR_USAGE,
                        "baud rate %u is not supported: use a standard rate such as 115200", baud);
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENXIO || e == ENODEV)
            return iap_fail(err, IAP_ERR_PORT,
                            "port %s does not exist: check the cable and the name "
                            "(ls /dev/ttyUSB* /dev/ttyACM*), then pass -p PORT or set IAP_PORT",
                            path);
        if (e == EACCES)
            return iap_fail(err, IAP_ERR_PORT,
                            "no permission to open %s: add yourself to the dialout group "
                            "(sudo usermod -aG dialout $USER, then log in again)",
                            path);
        return iap_fail(err, IAP_ERR_PORT, "cannot open %s: %s", path, strerror(e));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
        close(fd);
        return iap_fail(err, IAP_ERR_PORT,
                        "port %s is in use by another program: close it (a terminal, another iap)",
                        path);
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) < 0) {
        int e = errno;
        close(fd);
        return iap_fail(err, IAP_ERR_PORT, "%s is not a serial port (%s): pass the right -p PORT",
                        path, strerror(e));
    }
    struct termios saved = tio;
    cfmakeraw(&tio); /* 8 data bits, no parity, no echo, no translation */
    tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    cfsetispeed(&tio, speed);
    cfsetospeed(&tio, speed);
    if (tcsetattr(fd, TCSANOW, &tio) < 0) {
        int e = errno;
        close(fd);
        return iap_fail(err, IAP_ERR_PORT, "cannot configure %s at %u baud: %s", path, baud,
                        strerror(e));
    }
    tcflush(fd, TCIOFLUSH);
    struct serial *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory");
    }
    s->fd = fd;
    s->saved = saved;
    snprintf(s->t.desc, sizeof s->t.desc, "%s at %u baud", path, baud);
    snprintf(s->lost, sizeof s->lost,
             "port %s vanished (unplugged?): plug it back in and run iap again; an interrupted "
             "update leaves the board in IAP mode",
             path);
    s->t.write = serial_write;
    s->t.read = serial_read;
    s->t.discard = serial_discard;
    s->t.close = serial_close;
    s->t.set_baud = serial_set_baud;
    *out = &s->t;
    return 0;
}
