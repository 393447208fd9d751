/* Staged updates from the running application (docs/STAGED.md), for a STAGED=1 bootloader:
 * receive the next image into the staging slot while the application keeps running, ask for its
 * install at the next reset, and confirm a new image once it is healthy (a trial image that
 * resets before it confirms is swapped back by the bootloader).
 *
 * It writes the staging slot only: the image area (app_stage_write refuses any other offset) and
 * the slot's trailer page (begin erases it, finish and request_install program it); confirm
 * programs one mark in the bootloader's current status page. Flash goes through app_flash.c (the
 * F1's flash controller, from flash: the CPU stalls while the controller works, up to 40 ms per
 * page erase and 70 us per half-word, tERASE/tPROG of the F1 datasheets; interrupts wait as long).
 *
 * Copy app_stage.[ch], app_flash.c, proto/stage.[ch], proto/proto.h, proto/crc32.c into your
 * application. Functions return 0 or a negative enum proto_status (proto.h, proto/stage.h). */
#ifndef APP_STAGE_H
#define APP_STAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "stage.h" /* proto/stage.h */

#define APP_STAGE_MAX_PAGES 512u /* the most pages a slot has: 1 MB of 2 KB pages */

struct app_stage {
    struct proto_stage_layout l;
    bool staged;         /* the part has room for two slots (else: direct mode only) */
    uint32_t record;     /* the image record page */
    uint32_t sram_size;
    bool secure;         /* a SECURE bootloader: the signature is checked at install */
    bool begun;          /* app_stage_begin in this transfer */
    uint32_t size, version;
    uint8_t erased[APP_STAGE_MAX_PAGES / 8u]; /* image pages erased in this transfer */
};

/* The layout for the application start (the primary slot: where this image is linked), the flash
 * size (F_SIZE), the page size, the SRAM size (an image's initial SP lies in it) and the pages a
 * SECURE bootloader keeps below the record page (2, else 0). */
void app_stage_init(struct app_stage *s, uint32_t app_start, uint32_t flash_size, uint32_t page,
                    uint32_t sram_size, uint32_t meta_pages);
/* What the flash says (state, trial, staged image, the bootloader's verdict). */
void app_stage_view(const struct app_stage *s, struct proto_stage_view *v);

/* A transfer of size bytes begins or resumes: the trailer is erased (a previous staged image is
 * dropped), the image pages stay; each is erased the first time this transfer writes it.
 * PROTO_E_STAGE_MODE without a staging slot, PROTO_E_STAGE_TRIAL while this image is on trial
 * (the slot holds the way back), PROTO_E_SIZE. */
int app_stage_begin(struct app_stage *s, uint32_t size, uint32_t version);
/* len bytes at offset of the staged image (even, inside the slot: PROTO_E_ALIGN, PROTO_E_RANGE);
 * bytes already equal are skipped (PROTO_E_NOT_ERASED, PROTO_E_VERIFY, PROTO_E_FLASH). */
int app_stage_write(struct app_stage *s, uint32_t offset, const uint8_t *data, uint32_t len);
/* CRC-32 of len bytes at offset of the staging image area (checked by the caller). */
uint32_t app_stage_crc(const struct app_stage *s, uint32_t offset, uint32_t len);
/* The staged image's CRC-32 must be crc (PROTO_E_IMAGE_CRC) and its vectors fit the primary
 * slot (PROTO_E_VECTOR); then the trailer says so. In a SECURE=1 product the bootloader checks the
 * signature at install (the verifier does not come into the application): a refusal is reported
 * by app_stage_view (PROTO_STAGED_TAKEN, result). */
int app_stage_finish(struct app_stage *s, uint32_t crc);
/* Install the finished image at the next reset (PROTO_E_STAGE_ORDER if none); then reset:
 * app_stage_reset(). */
int app_stage_request_install(struct app_stage *s);
/* This image runs on trial and is healthy: it stays (nothing to do otherwise). */
int app_stage_confirm(struct app_stage *s);

/* ---- app_flash.c: the flash controller (a host test brings its own) ---- */
int app_flash_erase(uint32_t page_addr, uint32_t page_size);
int app_flash_program(uint32_t addr, uint16_t value); /* onto an erased half-word */
const uint8_t *app_flash_ptr(uint32_t addr);
/* SYSRESETREQ (no update request: the bootloader installs, then starts the application). */
__attribute__((noreturn)) void app_stage_reset(void);

#endif
