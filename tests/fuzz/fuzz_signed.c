/* The signed-image parsers: the SECURE bootloader's (boot/core/secure.c secure_check_image, on the
 * sim port with the test key built in, reading the image from its flash) and iap's (host/sign.c
 * sign_check, OpenSSL verifying), fed arbitrary images and near-valid ones.
 * Input: byte 0 bit 0 set: the rest is the image as it is. Else byte 1 cuts 0..255 bytes off (or
 * appends them, bit 7 of byte 0) a valid image signed with the test key at version 5 (made once in
 * LLVMFuzzerInitialize by iap's signer), and the following bytes, read as (offset high, offset low,
 * xor) triples, patch it.
 * Oracles:
 *   - neither parser crashes or reads outside the image (ASan; the sim flash is the whole part);
 *   - whatever either accepts is the signed image exactly (Ed25519 as verified here is not
 *     malleable: S < L, canonical R and A), with the signed version;
 *   - they agree: the device takes it exactly when iap's check does. */
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "flashmgr.h"
#include "frame.h"
#include "oracle.h"
#include "port.h"
#include "secure.h"
#include "session.h"
#include "sign.h"
#include "sim.h"
#include "simhost.h"

#define APP BOOT_APP_START
#define BASE_LEN 2048u

int LLVMFuzzerInitialize(int *argc, char ***argv);

static uint8_t *base;
static uint32_t base_len;
static struct proto_info info;
static uint8_t img[64 * 1024];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static uint8_t raw[BASE_LEN];
    struct iap_err err;
    sim_reset(64 * 1024);
    session_init();
    sh_image(raw, sizeof raw, 1);
    if (sign_image(TEST_KEY, 5, raw, sizeof raw, APP, &base, &base_len, &err)) {
        fprintf(stderr, "fuzz_signed: cannot sign with %s: %s\n", TEST_KEY, err.msg);
        abort();
    }
    secure_info(&info); /* the key and the floor (0: nothing committed) */
    info.app_start = APP;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t area = fm_app_end() - APP, len;
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        len = (uint32_t)(size - 1) < area ? (uint32_t)(size - 1) : area;
        memcpy(img, data + 1, len);
    } else {
        uint32_t d = size > 1 ? data[1] : 0;
        len = data[0] & 0x80 ? base_len + d : base_len - d;
        memcpy(img, base, base_len);
        memset(img + base_len, 0xFF, d);
        for (size_t i = 2; i + 2 < size; i += 3) {
            uint32_t at = ((uint32_t)data[i] << 8 | data[i + 1]) % len;
            img[at] ^= data[i + 2];
        }
    }
    uint8_t *flash = sim_flash_at(APP);
    memcpy(flash, img, len);
    memset(flash + len, 0xFF, area - len);

    uint32_t version = 0xDEADBEEFu;
    int dev = secure_check_image(APP, len, &version);
    struct iap_err err;
    int host = sign_check(img, len, &info, "fuzz", &err);
    bool exact = len == base_len && memcmp(img, base, base_len) == 0;
    if (dev == PROTO_OK)
        ORACLE(exact && version == 5);
    if (host == 0)
        ORACLE(exact);
    ORACLE((dev == PROTO_OK) == (host == 0));
    if (exact)
        ORACLE(dev == PROTO_OK);
    return 0;
}
