/* The bootloader core fed arbitrary line bytes; the corpus starts in the native protocol. */
#include "fuzz_session.h"
