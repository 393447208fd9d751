/* Signed images (docs/SECURITY.md): in a SECURE=1 build (secure.c) COMMIT makes an image bootable
 * only when its signature trailer verifies with the built-in Ed25519 key and its version is not
 * below the version floor, which then rises; the default build links secure_none.c. */
#ifndef SECURE_H
#define SECURE_H

#include <stdint.h>

#include "proto.h"

/* Pages at the end of flash, below the record page, that the module keeps (the version floor). */
extern const uint8_t secure_meta_pages;

/* Called by fm_commit once the image [BOOT_APP_START, +size) passed its CRC and vector checks,
 * before the record is written: 0 and the version to record in *version, or PROTO_E_UNSIGNED,
 * PROTO_E_SIG_KEY, PROTO_E_SIG, PROTO_E_ROLLBACK (nothing changed), or a flash error of the
 * floor's rise. */
int secure_commit_check(uint32_t size, uint32_t *version);

/* Staged updates (boot/core/stage.c): secure_commit_check's checks of an image stored at addr
 * (the staging slot) but linked for BOOT_APP_START, without touching the floor; and the floor's
 * rise to version (if above), once that image confirmed itself after its install. */
int secure_check_image(uint32_t addr, uint32_t size, uint32_t *version);
int secure_floor_rise(uint32_t version);

/* INFO: features, version floor, key id. */
void secure_info(struct proto_info *info);

#endif
