/* Native frames (proto/proto.h): encoding, and a decoder that finds frames in a byte stream,
 * skipping garbage and corrupt frames (it resynchronises on the next SOF after a bad one). */
#ifndef IAP_FRAME_H
#define IAP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct iap_frame {
    uint8_t type, seq;
    uint16_t len;
    uint8_t payload[PROTO_MAX_PAYLOAD];
};

/* Writes the frame to out (room for PROTO_HDR_LEN + len + PROTO_CRC_LEN bytes); returns its size. */
size_t frame_encode(uint8_t *out, uint8_t type, uint8_t seq, const uint8_t *payload,
                    uint16_t len);

struct frame_rx {
    uint8_t buf[2 * PROTO_MAX_FRAME];
    size_t n;
    unsigned long bad;     /* frames dropped for a CRC mismatch or an impossible length */
    unsigned long garbage; /* bytes skipped outside frames */
};

void frame_rx_init(struct frame_rx *rx);
/* Room left for frame_rx_push. */
size_t frame_rx_room(const struct frame_rx *rx);
/* Appends up to frame_rx_room() bytes; returns how many were taken. */
size_t frame_rx_push(struct frame_rx *rx, const uint8_t *data, size_t n);
/* 1 and the next good frame in *f, or 0 when more bytes are needed. */
int frame_rx_next(struct frame_rx *rx, struct iap_frame *f);

#endif
