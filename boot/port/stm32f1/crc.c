/* proto_crc32 on the F1's CRC unit (RM0008 section 4), replacing proto/crc32.c's table code in the
 * bootloader (the host and the sim port keep that one). The unit computes CRC-32 0x04C11DB7 MSB
 * first over 32-bit words from 0xFFFFFFFF; the record's CRC is the reflected one (zlib's). So
 * each little-endian word goes in bit-reversed (RBIT), the state comes out bit-reversed, and the
 * 1-3 bytes after the last whole word continue in software from that state. One word costs the
 * unit 4 HCLK cycles (the write to DR waits for them): 9 cycles a word with the load, the RBIT
 * and the loop, against about 50 for the nibble table (docs/DESIGN.md, boot time).
 *
 * The unit cannot be loaded with a state, only reset to 0xFFFFFFFF (the state of crc 0). A call
 * that continues a chain (fm_crc's 1 KB steps) finds the unit still holding the state its crc
 * stands for and goes on; a crc the unit does not hold (a chain broken by tail bytes or by another
 * computation: no caller in the bootloader does that) is continued in software, slowly but right.
 * port_init turns the unit's clock on; port_deinit resets it before the jump. */
#include "proto.h"
#include "regs.h"

#define CRC_DR    REG32(0x40023000u)
#define CRC_CR    REG32(0x40023008u)
#define CRC_RESET 1u
#define POLY_REFL 0xEDB88320u /* 0x04C11DB7 reflected */

static uint32_t rbit(uint32_t v)
{
    uint32_t r;
    __asm__("rbit %0, %1" : "=r"(r) : "r"(v));
    return r;
}

/* noipa: LTO's tuning of the callers around it made the image 20 bytes larger (measured) */
__attribute__((noipa)) uint32_t proto_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t words = len / 4u;
    crc = ~crc; /* the reflected state */
    if (rbit(CRC_DR) != crc) {
        CRC_CR = CRC_RESET;
        if (crc != 0xFFFFFFFFu)
            words = 0; /* a state the unit cannot be given: all in software */
    }
    if (words) {
        const uint8_t *end = p + 4u * words;
        do {
            uint32_t w;
            __builtin_memcpy(&w, p, 4); /* frames start at odd addresses: the M3 loads unaligned */
            CRC_DR = rbit(w);
            p += 4;
        } while (p != end);
        crc = rbit(CRC_DR);
    }
    for (len -= 4u * words; len; len--) {
        crc ^= *p++;
        for (int i = 0; i < 8; i++)
            crc = (crc >> 1) ^ (POLY_REFL & -(crc & 1u));
    }
    return ~crc;
}
