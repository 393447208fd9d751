/* Signed images for SECURE=1 bootloaders (docs/SECURITY.md), with OpenSSL's libcrypto: key
 * generation, signing, and the check iap makes against the device's key before it touches flash
 * (the bootloader verifies again at COMMIT: it is the one that decides). */
#ifndef IAP_SIGN_H
#define IAP_SIGN_H

#include <stdint.h>

#include "err.h"
#include "proto.h"

/* A new Ed25519 key: the private key in PEM at path (mode 0600), the public key beside it
 * (path with .pem replaced by .pub.pem, or .pub.pem appended). Refuses to overwrite either. */
int sign_keygen(const char *path, char *pub_path, size_t pub_size, struct iap_err *err);

/* The signed image of img (len bytes linked at app_start): img padded with 0xFF to a multiple of
 * 4, then the trailer (struct proto_sig) signed with the private key in key_path. *out is
 * malloc'ed. */
int sign_image(const char *key_path, uint32_t version, const uint8_t *img, uint32_t len,
               uint32_t app_start, uint8_t **out, uint32_t *out_len, struct iap_err *err);

/* The trailer at the end of buf, or 0 when buf does not end with one (unsigned). */
int sign_trailer(const uint8_t *buf, uint32_t len, struct proto_sig *t);

/* Whether the device (INFO: key, floor, app start) will take buf: IAP_ERR_FIT naming the reason
 * (unsigned, another key, truncated or changed, below the version floor) or 0. */
int sign_check(const uint8_t *buf, uint32_t len, const struct proto_info *info, const char *name,
               struct iap_err *err);

/* A key's id: the first 8 bytes of SHA-512 of the public key, as 16 hex digits in out[17]. */
void sign_key_id(const uint8_t pub[32], uint8_t id[8]);
void sign_key_id_hex(const uint8_t pub[32], char out[17]);

#endif
