/* A go-back-N host (docs/PROTOCOL.md, "Host rules") against the device over a faulty line: bit
 * flips, dropped and duplicated bytes in both directions. Every update must end with the exact
 * image committed, no flash cell programmed twice, nothing outside the application area. */
#include <stdlib.h>

#include "flashmgr.h"
#include "session.h"
#include "sim.h"
#include "simhost.h"
#include "test.h"

#define IMG_SIZE 12288u
#define MAX_FRAMES 512
#define BURST_MAX (4096 + PROTO_MAX_FRAME)

static uint8_t img[IMG_SIZE];
static uint32_t rng = 1;
static double err_rate;
static long faults;

static uint32_t rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static bool hit(void) { return (double)(rnd() % 1000000u) < err_rate * 1e6; }

/* The line: each byte may be flipped, dropped or doubled. */
static size_t line(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!hit()) {
            out[m++] = in[i];
            continue;
        }
        faults++;
        switch (rnd() % 3) {
        case 0:
            out[m++] = in[i] ^ (uint8_t)(1u << (rnd() % 8));
            break;
        case 1:
            break;
        default:
            out[m++] = in[i];
            out[m++] = in[i];
        }
    }
    return m;
}

struct frame {
    uint8_t bytes[PROTO_MAX_FRAME];
    size_t len;
    uint8_t seq;
};
static struct frame frames[MAX_FRAMES];
static size_t nframes;

static void add(uint8_t type, const uint8_t *payload, size_t len, uint8_t seq)
{
    struct frame *f = &frames[nframes++];
    f->seq = seq;
    f->len = sh_frame(f->bytes, type, seq, payload, len);
}

/* Device side of one round: the host's bytes go through the line, the device runs, its bytes
 * come back through the line into rsp_stream. */
static uint8_t rsp_stream[1 << 16];
static size_t rsp_len;

static void to_device(const uint8_t *bytes, size_t n)
{
    static uint8_t buf[2 * BURST_MAX];
    sim_uart_put(buf, line(bytes, n, buf));
}

static void run_device(void)
{
    static uint8_t out[1 << 15], bad[1 << 16];
    sh_poll();
    sim_ms += 150; /* let a truncated frame time out */
    session_poll();
    size_t n = sim_uart_get(out, sizeof out);
    rsp_len = line(out, n, bad);
    memcpy(rsp_stream, bad, rsp_len);
}

/* Next good response in rsp_stream from *pos. */
static bool next_rsp(size_t *pos, uint8_t *seq, int8_t *status, uint8_t *data0)
{
    while (*pos + 10 <= rsp_len) {
        const uint8_t *p = rsp_stream + *pos;
        size_t len = proto_get16(p + 3);
        if (p[0] == PROTO_SOF && p[1] == PROTO_RSP && len >= 1 && len <= PROTO_MAX_PAYLOAD &&
            *pos + 9 + len <= rsp_len && proto_crc32(0, p + 1, 4 + len) == proto_get32(p + 5 + len)) {
            *seq = p[2];
            *status = (int8_t)p[5];
            *data0 = len > 1 ? p[6] : 0;
            *pos += 9 + len;
            return true;
        }
        (*pos)++;
    }
    return false;
}

/* Go-back-N over frames[0..nframes): returns the number of rounds, or -1 on a wrong status. */
static long transfer(unsigned window)
{
    size_t base = 0, next = 0;
    long rounds = 0;
    while (base < nframes && rounds < 20000) {
        rounds++;
        static uint8_t burst[BURST_MAX];
        size_t n = 0, bytes = 0;
        while (next < nframes && next - base < window && bytes + frames[next].len <= 3055) {
            memcpy(burst + n, frames[next].bytes, frames[next].len);
            n += frames[next].len;
            bytes += frames[next].len;
            next++;
        }
        to_device(burst, n);
        run_device();
        size_t pos = 0, resend = SIZE_MAX;
        uint8_t seq, d0;
        int8_t st;
        bool progress = false;
        while (next_rsp(&pos, &seq, &st, &d0)) {
            bool nak = st == PROTO_E_SEQ || st == PROTO_E_CRC;
            uint8_t target = nak ? d0 : seq;
            size_t idx = base + (uint8_t)(target - frames[base].seq);
            if (idx >= next)
                continue; /* stale */
            if (nak) {
                resend = resend < idx ? resend : idx;
            } else {
                if (st != PROTO_OK)
                    return -1;
                base = idx + 1;
                progress = true;
            }
        }
        if (base > next)
            next = base;
        if (resend != SIZE_MAX && resend >= base)
            next = resend;
        else if (!progress)
            next = base; /* timeout */
    }
    return base == nframes ? rounds : -1;
}

static int update_over_faulty_line(double rate, unsigned window, size_t chunk, bool erase)
{
    static uint8_t p[PROTO_MAX_PAYLOAD];
    sim_reset(64 * 1024);
    session_init();
    err_rate = rate;
    nframes = 0;
    uint8_t s = (uint8_t)rnd();
    add(PROTO_CMD_SYNC, NULL, 0, s++);
    if (transfer(1) < 0)
        return 1;
    nframes = 0;
    add(PROTO_CMD_INFO, NULL, 0, s++);
    if (erase) {
        proto_put32(p, PROTO_APP_START);
        proto_put32(p + 4, IMG_SIZE);
        add(PROTO_CMD_ERASE, p, 8, s++);
    }
    for (size_t off = 0; off < IMG_SIZE; off += chunk) {
        proto_put32(p, PROTO_APP_START + (uint32_t)off);
        proto_put32(p + 4, 0);
        memcpy(p + 8, img + off, chunk);
        add(PROTO_CMD_WRITE, p, 8 + chunk, s++);
    }
    if (transfer(window) < 0)
        return 2;
    nframes = 0; /* COMMIT alone: its own response is the stored one */
    proto_put32(p, IMG_SIZE);
    proto_put32(p + 4, proto_crc32(0, img, IMG_SIZE));
    proto_put32(p + 8, 3);
    add(PROTO_CMD_COMMIT, p, 12, s++);
    if (transfer(1) < 0)
        return 3;
    struct proto_record rec;
    if (!fm_app_valid(&rec) || rec.version != 3 || memcmp(sim_flash_at(PROTO_APP_START), img, IMG_SIZE))
        return 4;
    if (sim_pgerr || sim_boot_writes)
        return 5;
    return 0;
}

static void runs(double rate, unsigned window, size_t chunk, int count)
{
    long f0 = faults;
    int bad = 0;
    for (int i = 0; i < count; i++) {
        int rc = update_over_faulty_line(rate, window, chunk, i % 2);
        if (rc) {
            bad++;
            printf("  run %d failed at stage %d\n", i, rc);
        }
    }
    printf("  byte error rate %g, window %u x %zu B: %d updates, %ld line faults, %d failed\n",
           rate, window, chunk, count, faults - f0, bad);
    CHECK_EQ(bad, 0);
}

TEST(clean_line_updates) { runs(0, 8, 1024, 2); }
TEST(updates_survive_1e4_byte_errors) { runs(1e-4, 3, 1024, 20); }
TEST(updates_survive_1e3_byte_errors) { runs(1e-3, 8, 256, 20); }
TEST(updates_survive_1e2_byte_errors_with_small_frames) { runs(1e-2, 32, 32, 6); }

int main(void)
{
    sh_image(img, IMG_SIZE, 21);
    RUN(clean_line_updates);
    RUN(updates_survive_1e4_byte_errors);
    RUN(updates_survive_1e3_byte_errors);
    RUN(updates_survive_1e2_byte_errors_with_small_frames);
    return test_summary();
}
