/* The host side of the test bench: builds native frames, parses the device's responses, makes
 * plausible application images and runs whole updates with a window of frames in flight. */
#ifndef SIMHOST_H
#define SIMHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct sh_rsp {
    uint8_t seq;
    int8_t status;
    size_t len; /* data bytes after the status */
    uint8_t data[PROTO_MAX_PAYLOAD];
};

extern uint8_t sh_seq; /* seq of the next command sh_cmd sends */

size_t sh_frame(uint8_t *buf, uint8_t type, uint8_t seq, const void *payload, size_t len);
void sh_send(uint8_t type, uint8_t seq, const void *payload, size_t len);
void sh_poll(void);                 /* session_poll until the device has read all input */
bool sh_recv(struct sh_rsp *r);     /* next well-formed response frame; false if none */
int sh_count_rsp(void);             /* drains and counts the responses */
/* Sends one command with sh_seq++, polls, receives its response. Returns the status, or 100 when
 * no response (or one with another seq) came back. r may be NULL. */
int sh_cmd(uint8_t type, const void *payload, size_t len, struct sh_rsp *r);
int sh_cmd2(uint8_t type, uint32_t a, uint32_t b, struct sh_rsp *r); /* two u32 arguments */
int sh_write(uint32_t addr, const void *data, size_t len); /* in PROTO_MAX_DATA chunks */
int sh_commit(uint32_t size, uint32_t crc, uint32_t version);

/* An application image for the medium-density part: SP 0x20005000, reset vector APP_START + 0x101, pseudo-random body. */
void sh_image(uint8_t *img, size_t size, uint32_t seed);
/* SYNC, then WRITE chunks of `chunk` bytes, `window` frames in flight, then COMMIT. Returns the
 * first non-OK status (100 for a missing response). */
int sh_update(const uint8_t *img, size_t size, uint32_t version, size_t chunk, unsigned window);

#endif
