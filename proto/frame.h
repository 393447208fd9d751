/* Native frames (layout in proto.h): the one encoder and incremental decoder, used by the
 * bootloader, iap and the tests, and the response and INFO layouts.
 *
 * Resync rule: a bad frame (impossible length, CRC mismatch, or truncated by the receiver's
 * timeout) loses only its SOF byte; the decoder then looks for the next SOF in the bytes after
 * it, so a good frame hidden behind garbage or inside a corrupt frame's body is still found. The
 * length is not trusted before the CRC has matched. */
#ifndef PROTO_FRAME_H
#define PROTO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* A decoded frame; payload points into the decoder's buffer until proto_rx_consume. */
struct proto_frame {
    uint8_t type, seq;
    uint16_t len;
    const uint8_t *payload;
};

/* Frames the len payload bytes already at buf + PROTO_HDR_LEN: writes the header and the CRC.
 * buf holds PROTO_HDR_LEN + len + PROTO_CRC_LEN bytes. Returns the frame's size. */
size_t proto_frame_seal(uint8_t *buf, uint8_t type, uint8_t seq, uint16_t len);
/* Copies payload behind the header (it may already be there), then seals. */
size_t proto_frame_encode(uint8_t *buf, uint8_t type, uint8_t seq, const void *payload,
                          uint16_t len);
/* A response: status then data_len bytes of data already at buf + PROTO_RSP_DATA. */
#define PROTO_RSP_DATA (PROTO_HDR_LEN + 1u)
size_t proto_rsp_seal(uint8_t *buf, uint8_t seq, int8_t status, uint16_t data_len);
/* The status of a response frame, or PROTO_E_LEN when it is not a response with a status. */
int proto_rsp_status(const struct proto_frame *f);

/* Incremental decoder over a caller's buffer (the bootloader's is one frame, iap's two). */
struct proto_rx {
    uint8_t *buf;
    size_t cap, n;
    unsigned long bad;     /* frames dropped: CRC mismatch, impossible length, truncated */
    unsigned long garbage; /* bytes skipped outside frames */
};
enum proto_rx_result {
    PROTO_RX_BAD = -1, /* a bad frame was dropped (resync done): a receiver NAKs it */
    PROTO_RX_MORE = 0, /* no whole frame yet */
    PROTO_RX_FRAME = 1 /* *f is the next good frame; proto_rx_consume it when done */
};

void proto_rx_init(struct proto_rx *rx, uint8_t *buf, size_t cap);
static inline size_t proto_rx_room(const struct proto_rx *rx) { return rx->cap - rx->n; }
/* Appends as many of the n bytes as fit; returns how many were taken. */
size_t proto_rx_push(struct proto_rx *rx, const void *data, size_t n);
/* Skips bytes before the first SOF, then looks at the frame there. */
int proto_rx_next(struct proto_rx *rx, struct proto_frame *f);
/* Drops the frame proto_rx_next returned. */
void proto_rx_consume(struct proto_rx *rx, const struct proto_frame *f);
/* A frame started but stopped arriving: drop its SOF (counted bad) and resync. */
void proto_rx_truncated(struct proto_rx *rx);

/* INFO response data: struct proto_info in wire order (fixed-width little-endian fields, no
 * padding; both targets are little-endian, pinned in frame.c). decode refuses a short answer. */
#define PROTO_INFO_LEN 116u
void proto_info_encode(uint8_t *out, const struct proto_info *info);
int proto_info_decode(struct proto_info *info, const uint8_t *p, size_t len);

/* The record as fm_commit programs it: rec_crc over the fields before it. */
void proto_record_make(struct proto_record *r, uint32_t size, uint32_t image_crc,
                       uint32_t version);

/* "WRITE", "INFO", ..., "RSP" for traces and messages; "?" when unknown. */
const char *proto_cmd_name(uint8_t cmd);

#endif
