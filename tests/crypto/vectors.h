/* Project Wycheproof's Ed25519 verification vectors (ed25519_test.json), read at run time from
 * $IAP_VECTORS, else <repo>/../shared/vectors (IAP_ROOT, the repo, is set by crypto.mk).
 * The file is data we must not copy into the repo. */
#ifndef VECTORS_H
#define VECTORS_H

#include <stddef.h>
#include <stdint.h>

struct wp_case {
    int tc_id;
    uint8_t pk[32];
    size_t pk_len;
    uint8_t *msg, *sig;     /* malloc'd */
    size_t msg_len, sig_len; /* the file has signatures of 0 to 96 bytes */
    int valid;               /* "result": "valid" (no "acceptable" in this file) */
    char comment[160];
    char flags[96];          /* the flags joined with ',' */
};

struct wp_file {
    struct wp_case *cases;
    size_t n;
    int declared;            /* the file's numberOfTests */
    char path[512];
};

/* Loads every case; 0, or -1 with what went wrong (and where the file was looked for) in err. */
int wp_load(struct wp_file *f, char *err, size_t errlen);
void wp_free(struct wp_file *f);

/* Decodes hex into out (at most max bytes); the byte count, or -1 for bad hex or too long. */
long wp_hex(const char *hex, uint8_t *out, size_t max);

#endif
