/* Compression of WRITE data for PROTO_CMD_WRITE_LZ4: one LZ4 block per frame. A file of its own
 * so a build without liblz4 links compress_none.c instead. */
#ifndef IAP_COMPRESS_H
#define IAP_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

/* Compresses n bytes of src into dst (cap bytes) as one LZ4 block. Returns its size, or 0 when
 * it would not be smaller than n (then send the bytes as they are). */
size_t compress_block(const uint8_t *src, size_t n, uint8_t *dst, size_t cap);
/* 1 when this build can compress. */
int compress_available(void);

#endif
