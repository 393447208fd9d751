/* What every build of iap knows of a signed image, with or without OpenSSL: its trailer. */
#include <string.h>

#include "sign.h"

int sign_trailer(const uint8_t *buf, uint32_t len, struct proto_sig *t)
{
    if (len < sizeof *t + 8u)
        return 0;
    memcpy(t, buf + len - sizeof *t, sizeof *t);
    return t->magic == PROTO_SIG_MAGIC;
}
