/* Writes Project Wycheproof's Ed25519 cases (tests/crypto/vectors.c reads the file) as a flat
 * little-endian blob for tests/crypto/vectors_fw.c, which the virtual board loads into flash:
 *   "WPV1", count, then per case: tc_id, valid, sig_len, msg_len, pk_len (u32 each), pk[32],
 *   sig[64] (zero-padded; meaningful only when sig_len == 64), msg padded to 4 bytes.
 * --flip TCID writes that case with the opposite expectation (the test proves the firmware's
 * comparison can fail). Prints on stdout: the number of cases, the first valid case's tcId and the
 * first invalid case's whose key and signature have the verifier's sizes (what to flip).
 *   wp_blob OUT [--flip TCID] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

static int put32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return fwrite(b, 1, 4, f) == 4 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--flip") == 0)) {
        fprintf(stderr, "usage: wp_blob OUT [--flip TCID]\n");
        return 2;
    }
    int flip = argc == 4 ? atoi(argv[3]) : -1;
    struct wp_file wf;
    char err[600];
    if (wp_load(&wf, err, sizeof err)) {
        fprintf(stderr, "wp_blob: %s\n", err);
        return 1;
    }
    FILE *f = fopen(argv[1], "wb");
    if (!f) {
        perror(argv[1]);
        wp_free(&wf);
        return 1;
    }
    int rc = fwrite("WPV1", 1, 4, f) == 4 ? put32(f, (uint32_t)wf.n) : -1;
    static const uint8_t zero[64];
    for (size_t i = 0; !rc && i < wf.n; i++) {
        const struct wp_case *c = &wf.cases[i];
        uint8_t sig[64] = {0};
        if (c->sig_len == sizeof sig)
            memcpy(sig, c->sig, sizeof sig);
        rc |= put32(f, (uint32_t)c->tc_id);
        rc |= put32(f, (uint32_t)(c->tc_id == flip ? !c->valid : c->valid));
        rc |= put32(f, (uint32_t)c->sig_len);
        rc |= put32(f, (uint32_t)c->msg_len);
        rc |= put32(f, (uint32_t)c->pk_len);
        rc |= fwrite(c->pk, 1, 32, f) == 32 ? 0 : -1;
        rc |= fwrite(sig, 1, 64, f) == 64 ? 0 : -1;
        if (c->msg_len)
            rc |= fwrite(c->msg, 1, c->msg_len, f) == c->msg_len ? 0 : -1;
        size_t pad = (4 - c->msg_len % 4) % 4;
        rc |= fwrite(zero, 1, pad, f) == pad ? 0 : -1;
    }
    if (fclose(f) || rc) {
        fprintf(stderr, "wp_blob: cannot write %s\n", argv[1]);
        wp_free(&wf);
        return 1;
    }
    int valid = -1, invalid = -1;
    for (size_t i = 0; i < wf.n; i++) {
        const struct wp_case *c = &wf.cases[i];
        if (c->valid && valid < 0)
            valid = c->tc_id;
        if (!c->valid && invalid < 0 && c->sig_len == 64 && c->pk_len == 32)
            invalid = c->tc_id;
    }
    printf("%zu %d %d\n", wf.n, valid, invalid);
    wp_free(&wf);
    return 0;
}
