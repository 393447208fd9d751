#include "transport.h"

#include <string.h>

/* A port name's scheme and the transport that opens the rest of the name. */
struct transport_kind {
    const char *scheme; /* "" matches any name without "://": a serial device */
    int (*open)(const char *rest, unsigned baud, int connect_ms, struct iap_transport **out,
                struct iap_err *err);
};

static int open_serial(const char *path, unsigned baud, int connect_ms, struct iap_transport **out,
                       struct iap_err *err)
{
    (void)connect_ms;
    return serial_open(path, baud, out, err);
}

static const struct transport_kind kinds[] = {
    {"tcp://", tcp_open},
    {"rfc2217://", rfc2217_open},
    {"", open_serial},
};

int transport_open(const char *spec, unsigned baud, int connect_ms, struct iap_transport **out,
                   struct iap_err *err)
{
    const char *sep = strstr(spec, "://");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].scheme);
        if (n ? strncmp(spec, kinds[i].scheme, n) == 0 : !sep)
            return kinds[i].open(spec + n, baud, connect_ms, out, err);
    }
    return iap_fail(err, IAP_ERR_USAGE,
                    "unknown port type '%.*s': pass a serial device, tcp://HOST:PORT (a raw "
                    "bridge) or rfc2217://HOST:PORT (a telnet bridge with RFC 2217)",
                    (int)(sep - spec + 3), spec);
}
