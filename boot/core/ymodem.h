/* YMODEM download for terminal users, after ST's AN2557/AN4657 IAP (docs/PROTOCOL.md, "YMODEM"):
 * a printable key in IAP mode opens a one-line menu; '1' asks for a file with 'C' every second,
 * blocks are written to flash as they arrive, the image is committed after the file's EOT. */
#ifndef YMODEM_H
#define YMODEM_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

#define YM_SOH 0x01u
#define YM_STX 0x02u
#define YM_EOT 0x04u
#define YM_ACK 0x06u
#define YM_NAK 0x15u
#define YM_CAN 0x18u
#define YM_CRC 'C'

extern const struct session_proto ymodem_proto;

/* CRC-16/XMODEM (poly 0x1021, init 0), sent big-endian after each block's data. */
uint16_t ym_crc16(const uint8_t *p, size_t len);

#endif
