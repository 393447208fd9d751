#include "sign.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sign_key_id(const uint8_t pub[32], uint8_t id[8])
{
    uint8_t h[SHA512_DIGEST_LENGTH];
    SHA512(pub, 32, h);
    memcpy(id, h, 8);
}

void sign_key_id_hex(const uint8_t pub[32], char out[17])
{
    uint8_t id[8];
    sign_key_id(pub, id);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", id[i]);
}

/* Opens path for writing only if it does not exist yet. */
static FILE *create_new(const char *path, int mode, struct iap_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) {
        if (errno == EEXIST)
            iap_fail(err, IAP_ERR_FILE, "%s exists: keygen does not overwrite a key; choose "
                     "another name or remove it", path);
        else
            iap_fail(err, IAP_ERR_FILE, "cannot create %s: %s", path, strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        iap_fail(err, IAP_ERR_FILE, "cannot create %s: %s", path, strerror(errno));
    }
    return f;
}

int sign_keygen(const char *path, char *pub_path, size_t pub_size, struct iap_err *err)
{
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".pem") == 0)
        snprintf(pub_path, pub_size, "%.*s.pub.pem", (int)(n - 4), path);
    else
        snprintf(pub_path, pub_size, "%s.pub.pem", path);
    if (access(pub_path, F_OK) == 0)
        return iap_fail(err, IAP_ERR_FILE, "%s exists: keygen does not overwrite a key; choose "
                        "another name or remove it", pub_path);
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (!key)
        return iap_fail(err, IAP_ERR_FILE, "OpenSSL could not make an Ed25519 key");
    int rc = 0;
    FILE *f = create_new(path, 0600, err);
    if (!f)
        rc = IAP_ERR_FILE;
    else {
        bool ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
        if (fclose(f) != 0 || !ok)
            rc = iap_fail(err, IAP_ERR_FILE, "cannot write %s", path);
    }
    if (!rc) {
        f = create_new(pub_path, 0644, err);
        if (!f)
            rc = IAP_ERR_FILE;
        else {
            bool ok = PEM_write_PUBKEY(f, key) == 1;
            if (fclose(f) != 0 || !ok)
                rc = iap_fail(err, IAP_ERR_FILE, "cannot write %s", pub_path);
        }
    }
    EVP_PKEY_free(key);
    return rc;
}

static EVP_PKEY *load_private(const char *path, struct iap_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        iap_fail(err, IAP_ERR_FILE, "cannot open key %s: %s", path, strerror(errno));
        return NULL;
    }
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        iap_fail(err, IAP_ERR_FORMAT, "%s is not an Ed25519 private key in PEM (make one with iap "
                 "keygen)", path);
        return NULL;
    }
    return key;
}

int sign_image(const char *key_path, uint32_t version, const uint8_t *img, uint32_t len,
               uint32_t app_start, uint8_t **out, uint32_t *out_len, struct iap_err *err)
{
    EVP_PKEY *key = load_private(key_path, err);
    if (!key)
        return err->code;
    uint32_t padded = (len + 3u) & ~3u;
    uint8_t pub[32];
    size_t publen = sizeof pub;
    uint8_t *buf = malloc(padded + sizeof(struct proto_sig));
    int rc = buf ? 0 : iap_fail(err, IAP_ERR_NOMEM, "out of memory");
    if (!rc && (EVP_PKEY_get_raw_public_key(key, pub, &publen) != 1 || publen != 32))
        rc = iap_fail(err, IAP_ERR_FORMAT, "cannot read the public half of %s", key_path);
    if (!rc) {
        memcpy(buf, img, len);
        memset(buf + len, 0xFF, padded - len);
        struct proto_sig t;
        memset(&t, 0, sizeof t);
        t.magic = PROTO_SIG_MAGIC;
        t.header_version = PROTO_SIG_VERSION;
        t.image_size = padded;
        t.image_version = version;
        t.app_start = app_start;
        sign_key_id(pub, t.key_id);
        /* the message: the trailer up to the signature, then the image */
        uint8_t *msg = malloc(PROTO_SIG_SIGNED + padded);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        size_t siglen = sizeof t.sig;
        if (!msg || !md) {
            rc = iap_fail(err, IAP_ERR_NOMEM, "out of memory");
        } else {
            memcpy(msg, &t, PROTO_SIG_SIGNED);
            memcpy(msg + PROTO_SIG_SIGNED, buf, padded);
            if (EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
                EVP_DigestSign(md, t.sig, &siglen, msg, PROTO_SIG_SIGNED + padded) != 1 ||
                siglen != sizeof t.sig)
                rc = iap_fail(err, IAP_ERR_FILE, "OpenSSL could not sign with %s", key_path);
        }
        EVP_MD_CTX_free(md);
        free(msg);
        memcpy(buf + padded, &t, sizeof t);
    }
    EVP_PKEY_free(key);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = padded + (uint32_t)sizeof(struct proto_sig);
    return 0;
}


int sign_check(const uint8_t *buf, uint32_t len, const struct proto_info *info, const char *name,
               struct iap_err *err)
{
    struct proto_sig t;
    char want[17], got[17] = "";
    sign_key_id_hex(info->pubkey, want);
    if (!sign_trailer(buf, len, &t))
        return iap_fail(err, IAP_ERR_FIT, "%s is not signed, and this device (key %s) runs only "
                        "signed images: sign it with iap sign --key KEY.pem --version N", name,
                        want);
    for (int i = 0; i < 8; i++)
        snprintf(got + 2 * i, 3, "%02x", t.key_id[i]);
    if (t.header_version != PROTO_SIG_VERSION || t.image_size != len - sizeof t ||
        t.app_start != info->app_start)
        return iap_fail(err, IAP_ERR_FIT, "%s: its signature trailer does not match its size "
                        "or the device's application start 0x%08x (truncated, or signed for "
                        "another layout)", name, info->app_start);
    if (strcmp(got, want) != 0)
        return iap_fail(err, IAP_ERR_FIT, "%s is signed with key %s, the device takes key %s",
                        name, got, want);
    if (t.image_version < info->version_floor)
        return iap_fail(err, IAP_ERR_FIT, "%s is version %u, below the device's version floor "
                        "%u: an older image cannot be installed again (anti-rollback)", name,
                        t.image_version, info->version_floor);
    EVP_PKEY *pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, info->pubkey, 32);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t *msg = malloc(PROTO_SIG_SIGNED + t.image_size);
    int ok = 0;
    if (pub && md && msg) {
        memcpy(msg, &t, PROTO_SIG_SIGNED);
        memcpy(msg + PROTO_SIG_SIGNED, buf, t.image_size);
        ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, pub) == 1 &&
             EVP_DigestVerify(md, t.sig, sizeof t.sig, msg, PROTO_SIG_SIGNED + t.image_size) == 1;
    }
    free(msg);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pub);
    if (!ok)
        return iap_fail(err, IAP_ERR_FIT, "%s: the signature does not verify with the device's "
                        "key %s: the image was changed after it was signed", name, want);
    return 0;
}
