/* The staged demo's receiver (stage_rx.c): native frames on the application's own USART, the same
 * codec (proto/frame.c) and sequencing as the bootloader's, for PROTO_CMD_STAGE_* and WRITE, CRC,
 * PAGE_CRCS inside the staging image area (proto/stage.h). Hardware-free: bytes in, answers out
 * through the write function. */
#ifndef STAGE_RX_H
#define STAGE_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_stage.h"

/* st: the application's staging slot; write: sends an answer (returns when queued or sent);
 * rx_window: bytes of frames the host may keep in flight (the receive ring, less one frame). */
void stage_rx_init(struct app_stage *st, void (*write)(const uint8_t *p, size_t n),
                   uint32_t rx_window);
/* n received bytes at now_ms. true once an install request has been answered: the caller lets
 * the answer leave the wire, then resets (app_stage_reset). */
bool stage_rx_feed(const uint8_t *p, size_t n, uint32_t now_ms);
/* A frame that stopped arriving (100 ms) is dropped; a session silent for 5 s is closed. */
void stage_rx_poll(uint32_t now_ms);
/* Whether a staged session is open (a host spoke in the last 5 s). */
bool stage_rx_active(void);

#endif
