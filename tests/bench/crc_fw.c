/* The bootloader's proto_crc32 (boot/port/stm32f1/crc.c, on the CRC unit) against a bitwise
 * reflected CRC-32 on the virtual board: lengths 0-40 at every alignment, chains continued on the
 * unit, chains broken by tail bytes or by another computation (continued in software), start
 * values the unit cannot be given, the check string. Exit 0, or 16 + the failing line. Run by
 * tests/bench/test_boot_check.c. */
#include <stddef.h>

#include "fw.h"

uint32_t proto_crc32(uint32_t crc, const void *data, size_t len);

static uint32_t ref(uint32_t crc, const uint8_t *p, size_t len)
{
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (int i = 0; i < 8; i++)
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
    }
    return ~crc;
}

static uint8_t buf[4096 + 4];

int main(void)
{
    REG32(0x40021014u) |= 1u << 6; /* RCC_AHBENR.CRCEN, as port_init */
    uint32_t x = 0x2545F491u;
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    FW_CHECK(proto_crc32(0, "123456789", 9) == 0xCBF43926u);
    for (size_t off = 0; off < 4; off++)
        for (size_t n = 0; n <= 40; n++)
            FW_CHECK(proto_crc32(0, buf + off, n) == ref(0, buf + off, n));
    /* fm_crc's chain: 1 KB steps, then a tail */
    uint32_t c = 0;
    for (size_t at = 0; at < 4096; at += 1024)
        c = proto_crc32(c, buf + at, at == 3072 ? 1023 : 1024);
    FW_CHECK(c == ref(0, buf, 4095));
    /* a chain whose first step ends in tail bytes, split at every point of 40 bytes */
    for (size_t a = 0; a <= 40; a++)
        FW_CHECK(proto_crc32(proto_crc32(0, buf, a), buf + a, 40 - a) == ref(0, buf, 40));
    /* another computation between two steps of a chain */
    c = proto_crc32(0, buf, 512);
    FW_CHECK(proto_crc32(0, buf + 1000, 64) == ref(0, buf + 1000, 64));
    FW_CHECK(proto_crc32(c, buf + 512, 512) == ref(0, buf, 1024));
    /* start values the unit never held */
    FW_CHECK(proto_crc32(0x12345678u, buf, 100) == ref(0x12345678u, buf, 100));
    FW_CHECK(proto_crc32(0xFFFFFFFFu, buf + 3, 33) == ref(0xFFFFFFFFu, buf + 3, 33));
    return 0;
}
