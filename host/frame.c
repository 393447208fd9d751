#include "frame.h"

#include <string.h>

size_t frame_encode(uint8_t *out, uint8_t type, uint8_t seq, const uint8_t *payload,
                    uint16_t len)
{
    out[0] = PROTO_SOF;
    out[1] = type;
    out[2] = seq;
    proto_put16(out + 3, len);
    if (len)
        memcpy(out + PROTO_HDR_LEN, payload, len);
    proto_put32(out + PROTO_HDR_LEN + len, proto_crc32(0, out + 1, PROTO_HDR_LEN - 1 + len));
    return PROTO_HDR_LEN + len + PROTO_CRC_LEN;
}

void frame_rx_init(struct frame_rx *rx) { memset(rx, 0, sizeof *rx); }

size_t frame_rx_room(const struct frame_rx *rx) { return sizeof rx->buf - rx->n; }

size_t frame_rx_push(struct frame_rx *rx, const uint8_t *data, size_t n)
{
    size_t room = frame_rx_room(rx);
    if (n > room)
        n = room;
    memcpy(rx->buf + rx->n, data, n);
    rx->n += n;
    return n;
}

static void drop(struct frame_rx *rx, size_t k)
{
    memmove(rx->buf, rx->buf + k, rx->n - k);
    rx->n -= k;
}

int frame_rx_next(struct frame_rx *rx, struct iap_frame *f)
{
    for (;;) {
        size_t skip = 0;
        while (skip < rx->n && rx->buf[skip] != PROTO_SOF)
            skip++;
        rx->garbage += skip;
        drop(rx, skip);
        if (rx->n < PROTO_HDR_LEN)
            return 0;
        uint16_t len = proto_get16(rx->buf + 3);
        if (len > PROTO_MAX_PAYLOAD) { /* not a frame start: look for the next SOF */
            rx->bad++;
            drop(rx, 1);
            continue;
        }
        size_t total = PROTO_HDR_LEN + len + PROTO_CRC_LEN;
        if (rx->n < total)
            return 0;
        uint32_t crc = proto_crc32(0, rx->buf + 1, PROTO_HDR_LEN - 1 + len);
        if (crc != proto_get32(rx->buf + PROTO_HDR_LEN + len)) {
            rx->bad++;
            drop(rx, 1);
            continue;
        }
        f->type = rx->buf[1];
        f->seq = rx->buf[2];
        f->len = len;
        memcpy(f->payload, rx->buf + PROTO_HDR_LEN, len);
        drop(rx, total);
        return 1;
    }
}
