/* The bootloader core fed arbitrary line bytes after the YMODEM menu's download key. */
#define FUZZ_OPENER "1"
#include "fuzz_session.h"
