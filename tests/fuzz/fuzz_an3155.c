/* The bootloader core fed arbitrary line bytes after the AN3155 0x7F. */
#define FUZZ_OPENER "\x7f"
#include "fuzz_session.h"
