/* A build without OpenSSL (the Windows build: Debian has no libcrypto for mingw): iap can neither
 * make keys nor sign, and sends images to a SECURE device without checking them first (the device
 * checks the signature itself at COMMIT). */
#include <stdio.h>
#include <string.h>

#include "sign.h"

static int unavailable(struct iap_err *err, const char *what)
{
    return iap_fail(err, IAP_ERR_USAGE, "%s needs OpenSSL, which this build of iap lacks: use the "
                    "Linux build", what);
}

int sign_keygen(const char *path, char *pub_path, size_t pub_size, struct iap_err *err)
{
    (void)path;
    if (pub_size)
        pub_path[0] = '\0';
    return unavailable(err, "keygen");
}

int sign_image(const char *key_path, uint32_t version, const uint8_t *img, uint32_t len,
               uint32_t app_start, uint8_t **out, uint32_t *out_len, struct iap_err *err)
{
    (void)key_path;
    (void)version;
    (void)img;
    (void)len;
    (void)app_start;
    (void)out;
    (void)out_len;
    return unavailable(err, "sign");
}


/* The device decides: its key, floor and signature check at COMMIT. */
int sign_check(const uint8_t *buf, uint32_t len, const struct proto_info *info, const char *name,
               struct iap_err *err)
{
    (void)buf;
    (void)len;
    (void)info;
    (void)name;
    (void)err;
    return 0;
}

/* Without SHA-512 the id is shown as the key's first bytes. */
void sign_key_id(const uint8_t pub[32], uint8_t id[8]) { memcpy(id, pub, 8); }

void sign_key_id_hex(const uint8_t pub[32], char out[17])
{
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", pub[i]);
}
