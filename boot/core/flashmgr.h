/* Flash manager: the only code that erases or programs flash. Every protocol (native, AN3155,
 * YMODEM) writes through it, so one range check protects the bootloader whatever the host sends:
 * fm_erase/fm_write refuse anything outside [BOOT_APP_START, fm_app_end()); only fm_begin_update
 * and fm_commit touch the record page (last page of flash).
 *
 * Update rule (docs/DESIGN.md): the first modifying operation of a session erases the record
 * page (the old application is given up there); a page is erased the first time a write of the
 * session touches it; fm_commit checks the image and writes the record last.
 * Functions returning int give 0 or a negative enum proto_status. */
#ifndef FLASHMGR_H
#define FLASHMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "part.h"
#include "proto.h"

/* Start a new update session: read the geometry (the board's part class and F_SIZE, through the
 * part table), forget which pages were erased, so the next modifying operation erases the record
 * page again and pages are erased again on first write. Called at power-up, by native SYNC and
 * after a successful commit. */
void fm_new_session(void);

/* The part row, or NULL when F_SIZE contradicts the board's part class: then every check below
 * answers PROTO_E_PART, no application is valid and nothing is written. */
const struct part *fm_part(void);
uint32_t fm_flash_size(void); /* bytes (0 without a part) */
uint32_t fm_page_size(void);
uint32_t fm_sram_size(void);
uint32_t fm_record_addr(void); /* the last page of flash: the image record */
/* End of the area images may use: the record page, below it the pages a module keeps
 * (secure_meta_pages: the SECURE build's version floor). */
uint32_t fm_area_end(void);
/* Exclusive end of the application area: fm_area_end(), or in a STAGED=1 build on a part with
 * room for two slots the end of the primary slot (stage_app_end). */
uint32_t fm_app_end(void);
/* Erase / program the module pages between fm_area_end() and the record page, and only those
 * (PROTO_E_RANGE otherwise): the version floor is written through here. */
int fm_meta_erase(uint32_t addr);
int fm_meta_program(uint32_t addr, const void *data, size_t len);

/* Staged updates (boot/core/stage.c): erase a page / program inside [BOOT_APP_START,
 * fm_area_end()): the slots and the status pages, never the bootloader, the record or a module's
 * pages (PROTO_E_RANGE). No session rule: the install's own marks make it resumable. */
int fm_slot_erase(uint32_t addr);
int fm_slot_program(uint32_t addr, const void *data, size_t len);
/* Erase the record page: the application stops being valid. */
int fm_record_erase(void);
/* The record for the image now in the application area, after fm_commit's image checks (size,
 * vectors, CRC; not secure_commit_check: a staged image was verified before its install); the
 * record page is erased first unless it is blank. */
int fm_record_write(uint32_t size, uint32_t crc, uint32_t version);
/* The vector check of fm_write and fm_commit on the first 8 bytes of an image of size bytes
 * linked for BOOT_APP_START (wherever those bytes are stored). */
bool fm_vectors_ok(const uint8_t *vectors, uint32_t size);

/* 0 if [addr, addr+len) lies inside the application area (len may be 0), else PROTO_E_RANGE
 * (PROTO_E_PART without a part). */
int fm_check_app(uint32_t addr, uint32_t len);
/* 0 if [addr, addr+len) lies inside flash (reads: READ, CRC), else PROTO_E_RANGE. */
int fm_check_read(uint32_t addr, uint32_t len);

/* Erase the record page unless this session already did: the application stops being valid.
 * fm_erase and fm_write call it; a protocol may call it earlier. */
int fm_begin_update(void);

/* Erase every page covering [addr, addr+len); len > 0 (else PROTO_E_LEN), range checked. */
int fm_erase(uint32_t addr, uint32_t len);

/* Program len bytes at addr: addr and len even (PROTO_E_ALIGN), range checked (PROTO_E_RANGE).
 * A write of at least 8 bytes at the application start whose vectors cannot be an application's
 * (as fm_commit checks them) is refused with PROTO_E_VECTOR before anything is erased.
 * Pages not yet erased in this session are erased first; half-words already equal are skipped;
 * a different non-erased half-word gives PROTO_E_NOT_ERASED; read back (PROTO_E_VERIFY). */
int fm_write(uint32_t addr, const uint8_t *data, size_t len);

/* One past the highest byte fm_write programmed in this session (BOOT_APP_START if none): lets a
 * protocol without an explicit size (AN3155, YMODEM) commit what it wrote. */
uint32_t fm_written_end(void);

/* Make [BOOT_APP_START, +size) the application: size in (0, app area] (PROTO_E_SIZE), CRC-32 of the
 * image == crc (PROTO_E_IMAGE_CRC), vectors plausible (PROTO_E_VECTOR); then program the record and
 * read it back (PROTO_E_VERIFY). Starts a new session on success. */
int fm_commit(uint32_t size, uint32_t crc, uint32_t version);

/* The DESIGN.md validity rule: record magic and rec_crc, size, image CRC, SP and reset vector.
 * Copies the record to *out when valid (out may be NULL). */
bool fm_app_valid(struct proto_record *out);

/* CRC-32 (proto_crc32) of flash [addr, addr+len), feeding the watchdog; range checked by caller. */
uint32_t fm_crc(uint32_t addr, uint32_t len);

#endif
