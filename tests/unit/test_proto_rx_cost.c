/* The decoder's cost per received byte (proto/frame.c built with memmove counted): the bootloader
 * pushes each byte as it arrives and parses after each one, so the bytes the decoder moves must grow
 * with what it receives, not with its square. Moving the whole buffer onto itself after every byte
 * made a 1 KB WRITE cost ~36 ms of a 72 MHz F103's time, twice the flash floor of a page. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "frame.h"
#include "test.h"

static size_t moved; /* bytes moved by the decoder's memmove since the last reset */

void *counted_memmove(void *dst, const void *src, size_t n);
void *counted_memmove(void *dst, const void *src, size_t n)
{
    moved += n;
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s)
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    else
        while (n--)
            d[n] = s[n];
    return dst;
}

static uint8_t rx_buf[2 * PROTO_MAX_FRAME];
static uint8_t wire[4 * PROTO_MAX_FRAME];

/* Frames byte by byte, a parse after each byte as native.c does; returns the frames decoded. */
static unsigned feed_bytewise(struct proto_rx *rx, const uint8_t *p, size_t n)
{
    unsigned frames = 0;
    for (size_t i = 0; i < n; i++) {
        proto_rx_push(rx, p + i, 1);
        struct proto_frame f;
        int r;
        while ((r = proto_rx_next(rx, &f)) != PROTO_RX_MORE)
            if (r == PROTO_RX_FRAME) {
                frames++;
                proto_rx_consume(rx, &f);
            }
    }
    return frames;
}

TEST(a_maximum_size_frame_received_byte_by_byte_moves_no_bytes)
{
    static uint8_t payload[PROTO_MAX_PAYLOAD];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7u); /* no SOF-free assumption: 0xA5 occurs inside */
    size_t n = proto_frame_encode(wire, PROTO_CMD_WRITE, 4, payload, sizeof payload);
    struct proto_rx rx;
    proto_rx_init(&rx, rx_buf, sizeof rx_buf);
    moved = 0;
    CHECK(feed_bytewise(&rx, wire, n) == 1);
    CHECK(moved == 0); /* the only drop is the consumed frame, which empties the buffer */
    CHECK(rx.n == 0);
}

TEST(three_frames_back_to_back_move_less_than_their_own_size)
{
    static uint8_t payload[1032];
    memset(payload, 0x5A, sizeof payload);
    size_t n = 0;
    for (uint8_t s = 0; s < 3; s++)
        n += proto_frame_encode(wire + n, PROTO_CMD_WRITE, s, payload, sizeof payload);
    struct proto_rx rx;
    proto_rx_init(&rx, rx_buf, sizeof rx_buf);
    moved = 0;
    CHECK(feed_bytewise(&rx, wire, n) == 3);
    CHECK(moved < n);
}

TEST(garbage_before_a_frame_is_moved_once_per_skip)
{
    static uint8_t payload[256];
    size_t g = 100;
    memset(wire, 0x11, g);
    size_t n = g + proto_frame_encode(wire + g, PROTO_CMD_WRITE, 1, payload, sizeof payload);
    struct proto_rx rx;
    proto_rx_init(&rx, rx_buf, sizeof rx_buf);
    moved = 0;
    CHECK(feed_bytewise(&rx, wire, n) == 1);
    CHECK(rx.garbage == g);
    CHECK(moved == 0); /* each garbage byte is dropped alone: nothing behind it to move */
}

int main(void)
{
    RUN(a_maximum_size_frame_received_byte_by_byte_moves_no_bytes);
    RUN(three_frames_back_to_back_move_less_than_their_own_size);
    RUN(garbage_before_a_frame_is_moved_once_per_skip);
    return test_summary();
}
