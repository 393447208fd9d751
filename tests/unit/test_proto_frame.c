/* The one frame codec (proto/frame.c): encoding, the stream decoder (garbage, corrupt frames,
 * split reads, the resync rule), responses, INFO and the record. */
#include <stddef.h>

#include "frame.h"
#include "test.h"

static uint8_t rx_buf[2 * PROTO_MAX_FRAME];
static struct proto_rx rx;
static struct {
    uint8_t type, seq;
    uint16_t len;
    uint8_t payload[PROTO_MAX_PAYLOAD];
} f;

static void rx_init(void) { proto_rx_init(&rx, rx_buf, sizeof rx_buf); }

/* The next good frame, bad ones skipped, copied to f: 1, or 0 when more bytes are needed. */
static int next(void)
{
    struct proto_frame pf;
    int r;
    while ((r = proto_rx_next(&rx, &pf)) == PROTO_RX_BAD)
        ;
    if (r != PROTO_RX_FRAME)
        return 0;
    f.type = pf.type;
    f.seq = pf.seq;
    f.len = pf.len;
    memcpy(f.payload, pf.payload, pf.len);
    proto_rx_consume(&rx, &pf);
    return 1;
}

TEST(encode_lays_out_sof_type_seq_length_payload_crc)
{
    uint8_t buf[64], p[3] = {1, 2, 3};
    size_t n = proto_frame_encode(buf, PROTO_CMD_WRITE, 0x42, p, 3);
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
    size_t n = proto_frame_encode(buf, PROTO_RSP, 7, p, 2);
    rx_init();
    proto_rx_push(&rx, buf, n);
    CHECK_EQ(next(), 1);
    CHECK_EQ(f.type, PROTO_RSP);
    CHECK_EQ(f.seq, 7);
    CHECK_EQ(f.len, 2);
    CHECK_EQ(f.payload[1], 9);
    CHECK_EQ(next(), 0);
}

TEST(decoder_waits_for_a_frame_split_across_reads)
{
    uint8_t buf[64], p[4] = {1, 2, 3, 4};
    size_t n = proto_frame_encode(buf, PROTO_RSP, 1, p, 4);
    rx_init();
    for (size_t i = 0; i + 1 < n; i++) {
        proto_rx_push(&rx, buf + i, 1);
        CHECK_EQ(next(), 0);
    }
    proto_rx_push(&rx, buf + n - 1, 1);
    CHECK_EQ(next(), 1);
    CHECK_EQ(f.seq, 1);
}

TEST(decoder_skips_garbage_before_a_frame)
{
    uint8_t buf[64], junk[5] = {0, 0x13, 0xFF, 'x', 0x7F};
    size_t n = proto_frame_encode(buf, PROTO_RSP, 3, (const uint8_t *)"\0", 1);
    rx_init();
    proto_rx_push(&rx, junk, sizeof junk);
    proto_rx_push(&rx, buf, n);
    CHECK_EQ(next(), 1);
    CHECK_EQ(f.seq, 3);
    CHECK_EQ(rx.garbage, 5);
}

TEST(decoder_drops_a_corrupt_frame_and_finds_the_next)
{
    uint8_t a[64], b[64];
    size_t na = proto_frame_encode(a, PROTO_RSP, 1, (const uint8_t *)"\0", 1);
    size_t nb = proto_frame_encode(b, PROTO_RSP, 2, (const uint8_t *)"\0", 1);
    a[5] ^= 1;
    rx_init();
    proto_rx_push(&rx, a, na);
    proto_rx_push(&rx, b, nb);
    CHECK_EQ(next(), 1);
    CHECK_EQ(f.seq, 2);
    CHECK_EQ(rx.bad, 1);
}

TEST(decoder_is_not_stuck_behind_a_false_sof_with_a_huge_length)
{
    uint8_t a[64], fake[5] = {PROTO_SOF, PROTO_RSP, 0, 0xFF, 0xFF};
    size_t na = proto_frame_encode(a, PROTO_RSP, 9, (const uint8_t *)"\0", 1);
    rx_init();
    proto_rx_push(&rx, fake, sizeof fake);
    proto_rx_push(&rx, a, na);
    CHECK_EQ(next(), 1);
    CHECK_EQ(f.seq, 9);
}

TEST(decoder_takes_a_maximum_size_frame)
{
    static uint8_t buf[PROTO_MAX_FRAME], p[PROTO_MAX_PAYLOAD];
    for (size_t i = 0; i < sizeof p; i++)
        p[i] = (uint8_t)i;
    size_t n = proto_frame_encode(buf, PROTO_RSP, 5, p, PROTO_MAX_PAYLOAD);
    CHECK_EQ(n, PROTO_MAX_FRAME);
    rx_init();
    CHECK_EQ(proto_rx_push(&rx, buf, n), n);
    CHECK_EQ(next(), 1);
    CHECK_EQ(f.len, PROTO_MAX_PAYLOAD);
    CHECK_MEM(f.payload, p, PROTO_MAX_PAYLOAD);
}

TEST(decoder_reports_a_bad_frame_once_and_resyncs_inside_it)
{
    uint8_t a[64], b[64], both[128];
    size_t nb = proto_frame_encode(b, PROTO_CMD_SYNC, 4, NULL, 0);
    /* a corrupt frame whose body hides a good one: found after the bad SOF is dropped */
    a[0] = PROTO_SOF;
    a[1] = PROTO_CMD_WRITE;
    a[2] = 0;
    proto_put16(a + 3, (uint16_t)(nb + 4));
    memcpy(a + 5, b, nb);
    memset(a + 5 + nb, 0, 8);
    size_t na = 5 + nb + 8;
    memcpy(both, a, na);
    rx_init();
    proto_rx_push(&rx, both, na);
    struct proto_frame pf;
    CHECK_EQ(proto_rx_next(&rx, &pf), PROTO_RX_BAD);
    CHECK_EQ(proto_rx_next(&rx, &pf), PROTO_RX_FRAME);
    CHECK_EQ(pf.type, PROTO_CMD_SYNC);
    CHECK_EQ(pf.seq, 4);
    CHECK_EQ(rx.bad, 1);
}

TEST(a_truncated_frame_loses_its_sof_and_the_next_frame_is_found)
{
    uint8_t a[64], b[64];
    size_t na = proto_frame_encode(a, PROTO_CMD_INFO, 1, NULL, 0);
    size_t nb = proto_frame_encode(b, PROTO_CMD_INFO, 2, NULL, 0);
    rx_init();
    proto_rx_push(&rx, a, na - 2);
    struct proto_frame pf;
    CHECK_EQ(proto_rx_next(&rx, &pf), PROTO_RX_MORE);
    proto_rx_truncated(&rx);
    proto_rx_push(&rx, b, nb);
    CHECK_EQ(next(), 1);
    CHECK_EQ(f.seq, 2);
    CHECK_EQ(rx.bad, 1);
}

TEST(encode_accepts_a_payload_already_in_place)
{
    uint8_t buf[64], ref[64], p[4] = {9, 8, 7, 6};
    size_t n = proto_frame_encode(ref, PROTO_CMD_READ, 3, p, 4);
    memcpy(buf + PROTO_HDR_LEN, p, 4);
    CHECK_EQ(proto_frame_encode(buf, PROTO_CMD_READ, 3, buf + PROTO_HDR_LEN, 4), n);
    CHECK_MEM(buf, ref, n);
}

TEST(a_response_carries_its_status_then_its_data)
{
    uint8_t buf[64];
    buf[PROTO_RSP_DATA] = 0x5A;
    size_t n = proto_rsp_seal(buf, 9, PROTO_E_RANGE, 1);
    rx_init();
    proto_rx_push(&rx, buf, n);
    struct proto_frame pf;
    CHECK_EQ(proto_rx_next(&rx, &pf), PROTO_RX_FRAME);
    CHECK_EQ(pf.type, PROTO_RSP);
    CHECK_EQ(pf.seq, 9);
    CHECK_EQ(pf.len, 2);
    CHECK_EQ(proto_rsp_status(&pf), PROTO_E_RANGE);
    CHECK_EQ(pf.payload[1], 0x5A);
}

TEST(a_command_frame_has_no_response_status)
{
    struct proto_frame pf = {PROTO_CMD_INFO, 0, 1, (const uint8_t *)"\0"};
    CHECK_EQ(proto_rsp_status(&pf), PROTO_E_LEN);
    struct proto_frame empty = {PROTO_RSP, 0, 0, NULL};
    CHECK_EQ(proto_rsp_status(&empty), PROTO_E_LEN);
}

TEST(info_fields_sit_at_their_documented_little_endian_offsets)
{
    struct proto_info in, out;
    uint8_t wire[PROTO_INFO_LEN];
    memset(&in, 0, sizeof in);
    in.proto_version = PROTO_VERSION;
    in.chip_id = 0x11223344u;
    in.flash_size = 0x10000u;
    in.app_start = PROTO_APP_START;
    in.app_end = 0x0800FC00u;
    in.page_size = 1024;
    in.rx_window = 7150;
    in.listen_ms = 300;
    in.uid[11] = 0xAB;
    proto_info_encode(wire, &in);
    CHECK_EQ(proto_get32(wire + 4), 0x11223344u);
    CHECK_EQ(proto_get32(wire + 12), PROTO_APP_START);
    CHECK_EQ(proto_get16(wire + 20), 1024);
    CHECK_EQ(proto_get32(wire + 24), 7150);
    CHECK_EQ(proto_get32(wire + 48), 300);
    CHECK_EQ(wire[63], 0xAB);
    CHECK_EQ(proto_info_decode(&out, wire, sizeof wire), PROTO_OK);
    CHECK_MEM(&out, &in, sizeof in);
}

TEST(a_short_info_answer_is_refused)
{
    struct proto_info out;
    uint8_t wire[PROTO_INFO_LEN] = {0};
    CHECK_EQ(proto_info_decode(&out, wire, PROTO_INFO_LEN - 1), PROTO_E_LEN);
}

TEST(record_crc_covers_the_fields_before_it)
{
    struct proto_record r;
    proto_record_make(&r, 1234, 0xCAFEF00Du, 7);
    CHECK_EQ(r.magic, PROTO_RECORD_MAGIC);
    CHECK_EQ(r.size, 1234);
    CHECK_EQ(r.flags, 0);
    CHECK_EQ(r.rec_crc, proto_crc32(0, &r, 20));
}

TEST(command_names_for_traces)
{
    CHECK(strcmp(proto_cmd_name(PROTO_CMD_WRITE), "WRITE") == 0);
    CHECK(strcmp(proto_cmd_name(PROTO_RSP), "RSP") == 0);
    CHECK(strcmp(proto_cmd_name(0x7E), "?") == 0);
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
    RUN(decoder_reports_a_bad_frame_once_and_resyncs_inside_it);
    RUN(a_truncated_frame_loses_its_sof_and_the_next_frame_is_found);
    RUN(encode_accepts_a_payload_already_in_place);
    RUN(a_response_carries_its_status_then_its_data);
    RUN(a_command_frame_has_no_response_status);
    RUN(info_fields_sit_at_their_documented_little_endian_offsets);
    RUN(a_short_info_answer_is_refused);
    RUN(record_crc_covers_the_fields_before_it);
    RUN(command_names_for_traces);
    return test_summary();
}
