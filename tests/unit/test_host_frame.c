/* Host frame encoding and the stream decoder: garbage, corrupt frames, split reads. */
#include "frame.h"
#include "test.h"

static struct frame_rx rx;
static struct iap_frame f;

TEST(encode_lays_out_sof_type_seq_length_payload_crc)
{
    uint8_t buf[64], p[3] = {1, 2, 3};
    size_t n = frame_encode(buf, PROTO_CMD_WRITE, 0x42, p, 3);
    CHECK_EQ(n, PROTO_HDR_LEN + 3 + PROTO_CRC_LEN);
    CHECK_EQ(buf[0], PROTO_SOF);
    CHECK_EQ(buf[1], PROTO_CMD_WRITE);
    CHECK_EQ(buf[2], 0x42);
    CHECK_EQ(proto_get16(buf + 3), 3);
    CHECK_MEM(buf + 5, p, 3);
    CHECK_EQ(proto_get32(buf + 8), proto_crc32(0, buf + 1, 7));
}

TEST(decoder_returns_an_encoded_frame)
{
    uint8_t buf[64], p[2] = {0, 9};
    size_t n = frame_encode(buf, PROTO_RSP, 7, p, 2);
    frame_rx_init(&rx);
    frame_rx_push(&rx, buf, n);
    CHECK_EQ(frame_rx_next(&rx, &f), 1);
    CHECK_EQ(f.type, PROTO_RSP);
    CHECK_EQ(f.seq, 7);
    CHECK_EQ(f.len, 2);
    CHECK_EQ(f.payload[1], 9);
    CHECK_EQ(frame_rx_next(&rx, &f), 0);
}

TEST(decoder_waits_for_a_frame_split_across_reads)
{
    uint8_t buf[64], p[4] = {1, 2, 3, 4};
    size_t n = frame_encode(buf, PROTO_RSP, 1, p, 4);
    frame_rx_init(&rx);
    for (size_t i = 0; i + 1 < n; i++) {
        frame_rx_push(&rx, buf + i, 1);
        CHECK_EQ(frame_rx_next(&rx, &f), 0);
    }
    frame_rx_push(&rx, buf + n - 1, 1);
    CHECK_EQ(frame_rx_next(&rx, &f), 1);
    CHECK_EQ(f.seq, 1);
}

TEST(decoder_skips_garbage_before_a_frame)
{
    uint8_t buf[64], junk[5] = {0, 0x13, 0xFF, 'x', 0x7F};
    size_t n = frame_encode(buf, PROTO_RSP, 3, (const uint8_t *)"\0", 1);
    frame_rx_init(&rx);
    frame_rx_push(&rx, junk, sizeof junk);
    frame_rx_push(&rx, buf, n);
    CHECK_EQ(frame_rx_next(&rx, &f), 1);
    CHECK_EQ(f.seq, 3);
    CHECK_EQ(rx.garbage, 5);
}

TEST(decoder_drops_a_corrupt_frame_and_finds_the_next)
{
    uint8_t a[64], b[64];
    size_t na = frame_encode(a, PROTO_RSP, 1, (const uint8_t *)"\0", 1);
    size_t nb = frame_encode(b, PROTO_RSP, 2, (const uint8_t *)"\0", 1);
    a[5] ^= 1;
    frame_rx_init(&rx);
    frame_rx_push(&rx, a, na);
    frame_rx_push(&rx, b, nb);
    CHECK_EQ(frame_rx_next(&rx, &f), 1);
    CHECK_EQ(f.seq, 2);
    CHECK_EQ(rx.bad, 1);
}

TEST(decoder_is_not_stuck_behind_a_false_sof_with_a_huge_length)
{
    uint8_t a[64], fake[5] = {PROTO_SOF, PROTO_RSP, 0, 0xFF, 0xFF};
    size_t na = frame_encode(a, PROTO_RSP, 9, (const uint8_t *)"\0", 1);
    frame_rx_init(&rx);
    frame_rx_push(&rx, fake, sizeof fake);
    frame_rx_push(&rx, a, na);
    CHECK_EQ(frame_rx_next(&rx, &f), 1);
    CHECK_EQ(f.seq, 9);
}

TEST(decoder_takes_a_maximum_size_frame)
{
    static uint8_t buf[PROTO_MAX_FRAME], p[PROTO_MAX_PAYLOAD];
    for (size_t i = 0; i < sizeof p; i++)
        p[i] = (uint8_t)i;
    size_t n = frame_encode(buf, PROTO_RSP, 5, p, PROTO_MAX_PAYLOAD);
    CHECK_EQ(n, PROTO_MAX_FRAME);
    frame_rx_init(&rx);
    CHECK_EQ(frame_rx_push(&rx, buf, n), n);
    CHECK_EQ(frame_rx_next(&rx, &f), 1);
    CHECK_EQ(f.len, PROTO_MAX_PAYLOAD);
    CHECK_MEM(f.payload, p, PROTO_MAX_PAYLOAD);
}

int main(void)
{
    RUN(encode_lays_out_sof_type_seq_length_payload_crc);
    RUN(decoder_returns_an_encoded_frame);
    RUN(decoder_waits_for_a_frame_split_across_reads);
    RUN(decoder_skips_garbage_before_a_frame);
    RUN(decoder_drops_a_corrupt_frame_and_finds_the_next);
    RUN(decoder_is_not_stuck_behind_a_false_sof_with_a_huge_length);
    RUN(decoder_takes_a_maximum_size_frame);
    return test_summary();
}
