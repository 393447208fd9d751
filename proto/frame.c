#include "frame.h"

#include <stddef.h>
#include <string.h>

/* The wire layout of INFO is the struct's memory layout: pin both. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "INFO and the record are copied as is");
_Static_assert(sizeof(struct proto_info) == PROTO_INFO_LEN, "info size");
_Static_assert(offsetof(struct proto_info, chip_id) == 4, "info layout");
_Static_assert(offsetof(struct proto_info, page_size) == 20, "info layout");
_Static_assert(offsetof(struct proto_info, rx_window) == 24, "info layout");
_Static_assert(offsetof(struct proto_info, erase_ms) == 28, "info layout");
_Static_assert(offsetof(struct proto_info, app_valid) == 32, "info layout");
_Static_assert(offsetof(struct proto_info, listen_ms) == 48, "info layout");
_Static_assert(offsetof(struct proto_info, uid) == 52, "info layout");
_Static_assert(offsetof(struct proto_info, sram_size) == 64, "info layout");
_Static_assert(offsetof(struct proto_info, part_class) == 68, "info layout");
_Static_assert(offsetof(struct proto_info, features) == 72, "info layout");
_Static_assert(offsetof(struct proto_info, version_floor) == 76, "info layout");
_Static_assert(offsetof(struct proto_info, pubkey) == 80, "info layout");
_Static_assert(offsetof(struct proto_sig, sig) == PROTO_SIG_SIGNED, "trailer layout");

size_t proto_frame_seal(uint8_t *buf, uint8_t type, uint8_t seq, uint16_t len)
{
    buf[0] = PROTO_SOF;
    buf[1] = type;
    buf[2] = seq;
    proto_put16(buf + 3, len);
    proto_put32(buf + PROTO_HDR_LEN + len, proto_crc32(0, buf + 1, PROTO_HDR_LEN - 1u + len));
    return PROTO_HDR_LEN + len + PROTO_CRC_LEN;
}

size_t proto_frame_encode(uint8_t *buf, uint8_t type, uint8_t seq, const void *payload,
                          uint16_t len)
{
    if (len)
        memmove(buf + PROTO_HDR_LEN, payload, len);
    return proto_frame_seal(buf, type, seq, len);
}

size_t proto_rsp_seal(uint8_t *buf, uint8_t seq, int8_t status, uint16_t data_len)
{
    buf[PROTO_HDR_LEN] = (uint8_t)status;
    return proto_frame_seal(buf, PROTO_RSP, seq, (uint16_t)(data_len + 1u));
}

int proto_rsp_status(const struct proto_frame *f)
{
    if (f->type != PROTO_RSP || f->len < 1)
        return PROTO_E_LEN;
    return (int8_t)f->payload[0];
}

void proto_rx_init(struct proto_rx *rx, uint8_t *buf, size_t cap)
{
    memset(rx, 0, sizeof *rx);
    rx->buf = buf;
    rx->cap = cap;
}

size_t proto_rx_push(struct proto_rx *rx, const void *data, size_t n)
{
    size_t room = rx->cap - rx->n;
    if (n > room)
        n = room;
    memcpy(rx->buf + rx->n, data, n);
    rx->n += n;
    return n;
}

/* Nothing to drop is the common case (a frame's bytes arrive one by one, each followed by a parse):
 * moving the whole buffer onto itself there made receiving a frame quadratic, ~36 ms of a 72 MHz
 * bootloader's time for each 1 KB WRITE. */
static void drop(struct proto_rx *rx, size_t k)
{
    if (k == 0)
        return;
    rx->n -= k;
    memmove(rx->buf, rx->buf + k, rx->n);
}

int proto_rx_next(struct proto_rx *rx, struct proto_frame *f)
{
    size_t skip = 0;
    while (skip < rx->n && rx->buf[skip] != PROTO_SOF)
        skip++;
    rx->garbage += skip;
    drop(rx, skip);
    if (rx->n < PROTO_HDR_LEN)
        return PROTO_RX_MORE;
    uint16_t len = proto_get16(rx->buf + 3);
    size_t total = PROTO_HDR_LEN + len + PROTO_CRC_LEN;
    if (len <= PROTO_MAX_PAYLOAD && total > rx->n)
        return PROTO_RX_MORE;
    if (len > PROTO_MAX_PAYLOAD ||
        proto_crc32(0, rx->buf + 1, PROTO_HDR_LEN - 1u + len) !=
            proto_get32(rx->buf + PROTO_HDR_LEN + len)) {
        proto_rx_truncated(rx);
        return PROTO_RX_BAD;
    }
    f->type = rx->buf[1];
    f->seq = rx->buf[2];
    f->len = len;
    f->payload = rx->buf + PROTO_HDR_LEN;
    return PROTO_RX_FRAME;
}

void proto_rx_consume(struct proto_rx *rx, const struct proto_frame *f)
{
    drop(rx, PROTO_HDR_LEN + f->len + PROTO_CRC_LEN);
}

void proto_rx_truncated(struct proto_rx *rx)
{
    rx->bad++;
    drop(rx, 1);
}

void proto_info_encode(uint8_t *out, const struct proto_info *info)
{
    memcpy(out, info, PROTO_INFO_LEN);
}

int proto_info_decode(struct proto_info *info, const uint8_t *p, size_t len)
{
    if (len < PROTO_INFO_LEN)
        return PROTO_E_LEN;
    memcpy(info, p, PROTO_INFO_LEN);
    return PROTO_OK;
}

void proto_record_make(struct proto_record *r, uint32_t size, uint32_t image_crc,
                       uint32_t version)
{
    r->magic = PROTO_RECORD_MAGIC;
    r->size = size;
    r->image_crc = image_crc;
    r->version = version;
    r->flags = 0;
    r->rec_crc = proto_crc32(0, r, offsetof(struct proto_record, rec_crc));
}

const char *proto_cmd_name(uint8_t cmd)
{
    static const char *const names[] = {"?",   "INFO",   "ERASE", "WRITE", "READ",  "CRC",
                                        "COMMIT", "RESET", "SYNC", "PAGE_CRCS", "WRITE_LZ4",
                                        "SET_BAUD"};
    if (cmd == PROTO_RSP)
        return "RSP";
    return cmd < sizeof names / sizeof names[0] ? names[cmd] : "?";
}
