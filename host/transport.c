#include "transport.h"

#include <string.h>

int transport_open(const char *spec, unsigned baud, int connect_ms, struct iap_transport **out,
                   struct iap_err *err)
{
    if (strncmp(spec, "tcp://", 6) == 0)
        return tcp_open(spec + 6, baud, connect_ms, out, err);
    return serial_open(spec, baud, out, err);
}
