#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#ifndef IAP_ROOT
#define IAP_ROOT "."
#endif

long wp_hex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > max)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + (size_t)k];
            unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                         : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                         : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
            if (d > 15)
                return -1;
            v = v << 4 | d;
        }
        out[i] = (uint8_t)v;
    }
    return (long)(n / 2);
}

/* A malloc'd copy of the bytes in hex (at least one byte allocated). */
static uint8_t *wp_hex_alloc(const char *hex, size_t *len)
{
    size_t max = strlen(hex) / 2;
    uint8_t *b = malloc(max + 1);
    long n = b ? wp_hex(hex, b, max) : -1;
    if (n < 0) {
        free(b);
        return NULL;
    }
    *len = (size_t)n;
    return b;
}

static char *wp_read(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n + 65536 > cap) {
            char *t = realloc(buf, cap = n + 65536);
            if (!t) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = t;
        }
        got = fread(buf + n, 1, cap - n, fp);
        n += got;
    } while (got > 0);
    fclose(fp);
    *len = n;
    return buf;
}

/* One test of a group; 0 or -1 with err set. */
static int wp_case(struct wp_case *c, const struct json *t, const uint8_t *pk, size_t pk_len,
                   char *err, size_t errlen)
{
    const struct json *id = json_get(t, "tcId"), *flags = json_get(t, "flags");
    const char *msg = json_get_str(t, "msg"), *sig = json_get_str(t, "sig");
    const char *result = json_get_str(t, "result"), *comment = json_get_str(t, "comment");
    memset(c, 0, sizeof *c);
    if (!id || id->type != JSON_NUMBER || !msg || !sig || !result) {
        snprintf(err, errlen, "a test lacks tcId, msg, sig or result");
        return -1;
    }
    c->tc_id = (int)id->num;
    memcpy(c->pk, pk, pk_len);
    c->pk_len = pk_len;
    if (strcmp(result, "valid") != 0 && strcmp(result, "invalid") != 0) {
        snprintf(err, errlen, "tcId %d: result \"%s\" is neither valid nor invalid", c->tc_id,
                 result);
        return -1;
    }
    c->valid = strcmp(result, "valid") == 0;
    snprintf(c->comment, sizeof c->comment, "%s", comment ? comment : "");
    for (const struct json *f = flags ? flags->child : NULL; f; f = f->next) {
        size_t used = strlen(c->flags);
        if (f->type == JSON_STRING)
            snprintf(c->flags + used, sizeof c->flags - used, "%s%s", used ? "," : "", f->str);
    }
    if (!(c->msg = wp_hex_alloc(msg, &c->msg_len)) || !(c->sig = wp_hex_alloc(sig, &c->sig_len))) {
        snprintf(err, errlen, "tcId %d: msg or sig is not hex", c->tc_id);
        return -1;
    }
    return 0;
}

static int wp_walk(struct wp_file *f, const struct json *root, char *err, size_t errlen)
{
    const struct json *groups = json_get(root, "testGroups");
    const struct json *num = json_get(root, "numberOfTests");
    const char *alg = json_get_str(root, "algorithm");
    if (!groups || groups->type != JSON_ARRAY || !num || !alg || strcmp(alg, "EDDSA") != 0) {
        snprintf(err, errlen, "%s: not a Wycheproof EdDSA file (algorithm, numberOfTests, "
                 "testGroups)", f->path);
        return -1;
    }
    f->declared = (int)num->num;
    size_t cap = 0;
    for (const struct json *g = groups->child; g; g = g->next) {
        const char *pkhex = json_get_str(json_get(g, "publicKey"), "pk");
        const struct json *tests = json_get(g, "tests");
        uint8_t pk[32];
        long pk_len = pkhex ? wp_hex(pkhex, pk, sizeof pk) : -1;
        if (pk_len < 0 || !tests || tests->type != JSON_ARRAY) {
            snprintf(err, errlen, "%s: a test group lacks publicKey.pk (32 bytes of hex) or tests",
                     f->path);
            return -1;
        }
        for (const struct json *t = tests->child; t; t = t->next) {
            if (f->n == cap) {
                struct wp_case *nc = realloc(f->cases, (cap = cap * 2 + 64) * sizeof *nc);
                if (!nc) {
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
                f->cases = nc;
            }
            if (wp_case(&f->cases[f->n], t, pk, (size_t)pk_len, err, errlen) != 0) {
                free(f->cases[f->n].msg); /* the failed case still owns what it allocated */
                free(f->cases[f->n].sig);
                return -1;
            }
            f->n++;
        }
    }
    return 0;
}

int wp_load(struct wp_file *f, char *err, size_t errlen)
{
    const char *dir = getenv("IAP_VECTORS");
    memset(f, 0, sizeof *f);
    if (dir && *dir)
        snprintf(f->path, sizeof f->path, "%s/ed25519_test.json", dir);
    else
        snprintf(f->path, sizeof f->path, "%s/../shared/vectors/ed25519_test.json", IAP_ROOT);
    size_t len = 0;
    char *text = wp_read(f->path, &len);
    if (!text) {
        snprintf(err, errlen, "cannot read %s: set IAP_VECTORS to the folder holding Project "
                 "Wycheproof's ed25519_test.json", f->path);
        return -1;
    }
    char jerr[128] = "";
    struct json *root = json_parse(text, len, jerr, sizeof jerr);
    free(text);
    if (!root) {
        snprintf(err, errlen, "%s: %s", f->path, jerr);
        return -1;
    }
    int rc = wp_walk(f, root, err, errlen);
    json_free(root);
    if (rc != 0)
        wp_free(f);
    return rc;
}

void wp_free(struct wp_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->cases[i].msg);
        free(f->cases[i].sig);
    }
    free(f->cases);
    f->cases = NULL;
    f->n = 0;
}
