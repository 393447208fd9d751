/* Native IAP protocol (docs/PROTOCOL.md): frames starting with PROTO_SOF, go-back-N sequencing. */
#ifndef NATIVE_H
#define NATIVE_H

#include "session.h"

extern const struct session_proto native_proto;

#endif
