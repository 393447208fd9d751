/* The wire protocols of the IAP session, tried in this order on the first byte of a session.
 * Each is one file; add its entry here and its file to BOOT_CORE_SRC. */
#include <stddef.h>

#include "an3155.h"
#include "native.h"
#include "ymodem.h"

const struct session_proto *const session_protos[] = {
    &native_proto,
    &an3155_proto,
    &ymodem_proto,
    NULL,
};
