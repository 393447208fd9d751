/* A byte pipe to the board, chosen at run time from the port name (transport.c's table): a
 * serial device, tcp://HOST:PORT for a raw serial-over-TCP bridge (ser2net, socat), or
 * rfc2217://HOST:PORT for a telnet bridge that sets its serial line as iap asks (RFC 2217). Each
 * implementation embeds struct iap_transport first. OS-specific code stays in the files of
 * transports/ the build picks: serial.c and tcp.c (POSIX), serial_win.c and tcp_win.c (Windows);
 * rfc2217.c runs on top of either TCP file. */
#ifndef IAP_TRANSPORT_H
#define IAP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct iap_transport {
    /* Sends all len bytes, or fails with IAP_ERR_PORT. */
    int (*write)(struct iap_transport *t, const uint8_t *buf, size_t len, struct iap_err *err);
    /* Waits up to timeout_ms for input: bytes read (> 0), 0 on timeout, or IAP_ERR_PORT. */
    int (*read)(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                struct iap_err *err);
    /* Drops input received but not yet read. */
    void (*discard)(struct iap_transport *t);
    void (*close)(struct iap_transport *t);
    /* Runs the line at another rate once what was written has left (the baud step-up); NULL when
     * the rate is not ours to change (a raw TCP bridge). IAP_ERR_PORT when the port refuses it. */
    int (*set_baud)(struct iap_transport *t, unsigned baud, struct iap_err *err);
    char desc[160]; /* "/dev/ttyUSB0 at 115200 baud", for messages */
};

/* Opens a serial device, tcp://HOST:PORT or rfc2217://HOST:PORT. connect_ms bounds the TCP
 * connect. */
int transport_open(const char *spec, unsigned baud, int connect_ms, struct iap_transport **out,
                   struct iap_err *err);

int serial_open(const char *path, unsigned baud, struct iap_transport **out, struct iap_err *err);
int tcp_open(const char *hostport, unsigned baud, int connect_ms, struct iap_transport **out,
             struct iap_err *err);
int rfc2217_open(const char *hostport, unsigned baud, int connect_ms, struct iap_transport **out,
                 struct iap_err *err);

#endif
