/* CRC unit: check value of one word, reset, and a buffer against a software CRC-32/MPEG-2 over
 * the same words. */
#include "fw.h"

#define RCC_AHBENR REG32(0x40021014)
#define CRC_DR REG32(0x40023000)
#define CRC_IDR REG32(0x40023004)
#define CRC_CR REG32(0x40023008)

static uint32_t soft(uint32_t crc, uint32_t w)
{
    crc ^= w;
    for (int i = 0; i < 32; i++)
        crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    return crc;
}

int main(void)
{
    RCC_AHBENR |= 1u << 6;
    CRC_CR = 1u;
    FW_CHECK(CRC_DR == 0xFFFFFFFFu);
    CRC_DR = 0x12345678u;
    FW_CHECK(CRC_DR == 0xDF8A8A2Bu);
    CRC_IDR = 0x5A;
    CRC_CR = 1u;
    FW_CHECK(CRC_DR == 0xFFFFFFFFu);
    FW_CHECK(CRC_IDR == 0x5A); /* IDR is not touched by RESET */
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < 64; i++) {
        uint32_t w = REG32(0x08000000u + 4u * i); /* our own vector table and code */
        CRC_DR = w;
        crc = soft(crc, w);
    }
    FW_CHECK(CRC_DR == crc);
    return 0;
}
