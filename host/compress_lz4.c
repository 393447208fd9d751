#include <lz4.h>
#include <lz4hc.h>

#include "compress.h"

/* HC at its default level: a 1 KB block takes tens of microseconds, far below its line time,
 * and it gives the bootloader's strict decoder (boot/core/lz4dec.c) only blocks it accepts. */
size_t compress_block(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
    if (n == 0 || n > (size_t)LZ4_MAX_INPUT_SIZE || cap > (size_t)LZ4_MAX_INPUT_SIZE)
        return 0;
    int c = LZ4_compress_HC((const char *)src, (char *)dst, (int)n, (int)cap, LZ4HC_CLEVEL_DEFAULT);
    return c > 0 && (size_t)c < n ? (size_t)c : 0;
}

int compress_available(void) { return 1; }
