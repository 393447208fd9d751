#include "simhost.h"

#include <string.h>

#include "frame.h"
#include "port.h"
#include "session.h"
#include "sim.h"

uint8_t sh_seq;

size_t sh_frame(uint8_t *buf, uint8_t type, uint8_t seq, const void *payload, size_t len)
{
    return proto_frame_encode(buf, type, seq, payload, (uint16_t)len);
}

void sh_send(uint8_t type, uint8_t seq, const void *payload, size_t len)
{
    static uint8_t buf[PROTO_MAX_FRAME + 64];
    sim_uart_put(buf, sh_frame(buf, type, seq, payload, len));
}

void sh_poll(void)
{
    for (int i = 0; i < 100000 && sim_uart_rx_pending(); i++)
        session_poll();
    session_poll();
}

/* Reads the device's output a byte at a time, so whatever follows a response stays in the sim
 * UART for the next call. A malformed response is a failure, not something to skip. */
bool sh_recv(struct sh_rsp *r)
{
    static uint8_t buf[PROTO_MAX_FRAME];
    struct proto_rx rx;
    struct proto_frame f;
    uint8_t byte;
    proto_rx_init(&rx, buf, sizeof buf);
    while (sim_uart_get(&byte, 1) == 1) {
        if (rx.n == 0 && byte != PROTO_SOF)
            continue;
        proto_rx_push(&rx, &byte, 1);
        int st = proto_rx_next(&rx, &f);
        if (st == PROTO_RX_BAD)
            return false;
        if (st == PROTO_RX_MORE)
            continue;
        if (f.type != PROTO_RSP || f.len == 0)
            return false;
        r->seq = f.seq;
        r->status = (int8_t)f.payload[0];
        r->len = f.len - 1u;
        memcpy(r->data, f.payload + 1, r->len);
        return true;
    }
    return false;
}

int sh_count_rsp(void)
{
    struct sh_rsp r;
    int n = 0;
    while (sh_recv(&r))
        n++;
    return n;
}

int sh_cmd(uint8_t type, const void *payload, size_t len, struct sh_rsp *r)
{
    static struct sh_rsp tmp;
    uint8_t seq = sh_seq++;
    if (!r)
        r = &tmp;
    sh_send(type, seq, payload, len);
    sh_poll();
    if (!sh_recv(r) || r->seq != seq)
        return 100;
    return r->status;
}

int sh_cmd2(uint8_t type, uint32_t a, uint32_t b, struct sh_rsp *r)
{
    uint8_t p[8];
    proto_put32(p, a);
    proto_put32(p + 4, b);
    return sh_cmd(type, p, 8, r);
}

int sh_write(uint32_t addr, const void *data, size_t len)
{
    static uint8_t p[PROTO_MAX_PAYLOAD];
    const uint8_t *d = data;
    int rc = PROTO_OK;
    for (size_t off = 0; rc == PROTO_OK && off < len; off += PROTO_MAX_DATA) {
        size_t n = len - off < PROTO_MAX_DATA ? len - off : PROTO_MAX_DATA;
        proto_put32(p, addr + (uint32_t)off);
        proto_put32(p + 4, 0);
        memcpy(p + 8, d + off, n);
        rc = sh_cmd(PROTO_CMD_WRITE, p, 8 + n, NULL);
    }
    return rc;
}

int sh_commit(uint32_t size, uint32_t crc, uint32_t version)
{
    uint8_t p[12];
    proto_put32(p, size);
    proto_put32(p + 4, crc);
    proto_put32(p + 8, version);
    return sh_cmd(PROTO_CMD_COMMIT, p, 12, NULL);
}

void sh_image(uint8_t *img, size_t size, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        img[i] = (uint8_t)(x >> 16);
    }
    proto_put32(img, PROTO_SRAM_BASE + SIM_MD_SRAM);
    proto_put32(img + 4, BOOT_APP_START + 0x101);
}

int sh_update(const uint8_t *img, size_t size, uint32_t version, size_t chunk, unsigned window)
{
    static uint8_t p[PROTO_MAX_PAYLOAD];
    int rc = sh_cmd(PROTO_CMD_SYNC, NULL, 0, NULL);
    if (rc)
        return rc;
    size_t off = 0;
    while (off < size) {
        unsigned sent = 0;
        uint8_t first = sh_seq;
        for (; sent < window && off < size; sent++) {
            size_t n = size - off < chunk ? size - off : chunk;
            proto_put32(p, BOOT_APP_START + (uint32_t)off);
            proto_put32(p + 4, 0);
            memcpy(p + 8, img + off, n);
            sh_send(PROTO_CMD_WRITE, sh_seq++, p, 8 + n);
            off += n;
        }
        sh_poll();
        for (unsigned i = 0; i < sent; i++) {
            struct sh_rsp r;
            if (!sh_recv(&r) || r.seq != (uint8_t)(first + i))
                return 100;
            if (r.status)
                return r.status;
        }
    }
    return sh_commit((uint32_t)size, proto_crc32(0, img, size), version);
}
