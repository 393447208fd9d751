/* The frame decoder (proto/frame.c) fed what a hostile or broken device sends, in chunks
 * whose sizes come from the input. Oracles: every frame it returns is a good frame present in
 * the stream (its encoding is a substring of the input), frames come out in stream order without
 * overlapping, and the bytes it accounts for (frames, garbage, bad SOFs, still buffered) add up
 * to the bytes pushed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[2 * PROTO_MAX_FRAME];
    static struct proto_rx rx;
    static struct proto_frame f;
    static uint8_t enc[PROTO_MAX_FRAME];
    if (size < 1)
        return 0;
    size_t step = data[0] ? data[0] : 1; /* bytes pushed at a time */
    const uint8_t *in = data + 1;
    size_t n = size - 1, pos = 0, found_end = 0, framed = 0;
    proto_rx_init(&rx, buf, sizeof buf);
    while (pos < n) {
        size_t want = n - pos < step ? n - pos : step;
        size_t took = proto_rx_push(&rx, in + pos, want);
        ORACLE(took <= want);
        pos += took;
        int got = 0;
        int r;
        while ((r = proto_rx_next(&rx, &f)) != PROTO_RX_MORE) {
            got = 1;
            if (r == PROTO_RX_BAD)
                continue;
            ORACLE(f.len <= PROTO_MAX_PAYLOAD);
            size_t m = proto_frame_encode(enc, f.type, f.seq, f.payload, f.len);
            proto_rx_consume(&rx, &f);
            const uint8_t *at = memmem(in + found_end, pos - found_end, enc, m);
            ORACLE(at != NULL);
            found_end = (size_t)(at - in) + m;
            framed += m;
        }
        ORACLE(took > 0 || got || proto_rx_room(&rx) > 0); /* never stuck full */
        if (took == 0 && !got)
            break;
    }
    ORACLE(framed + rx.garbage + rx.bad + rx.n == pos);
    return 0;
}
