/* ST AN3155 USART bootloader protocol, the subset stm32flash uses (docs/PROTOCOL.md, "AN3155"):
 * starts on 0x7F, switches the UART to 8E1, serves Get, Get Version, Get ID, Read Memory, Go,
 * Write Memory and Erase through the flash manager; commits the written image on Go. */
#ifndef AN3155_H
#define AN3155_H

#include "session.h"

#define AN3155_SYNC 0x7Fu
#define AN3155_ACK  0x79u
#define AN3155_NACK 0x1Fu

extern const struct session_proto an3155_proto;

#endif
