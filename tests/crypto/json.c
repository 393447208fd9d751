/* Recursive descent over the whole text; depth is capped so hostile input cannot exhaust the
 * stack. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

struct json_in {
    const char *p, *end, *start;
    char *err;
    size_t errlen;
    int failed;
};

static void json_fail(struct json_in *in, const char *what)
{
    if (in->failed)
        return;
    in->failed = 1;
    int line = 1;
    for (const char *q = in->start; q < in->p && q < in->end; q++)
        line += *q == '\n';
    snprintf(in->err, in->errlen, "line %d: %s", line, what);
}

static void json_ws(struct json_in *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
        in->p++;
}

static int json_hex4(struct json_in *in, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++, in->p++) {
        if (in->p >= in->end)
            return -1;
        char c = *in->p;
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (d > 15)
            return -1;
        *v = *v << 4 | d;
    }
    return 0;
}

/* At the opening quote; returns the unescaped string (malloc'd) or NULL. */
static char *json_string(struct json_in *in)
{
    in->p++;
    size_t cap = 16, n = 0;
    char *s = malloc(cap);
    if (!s) {
        json_fail(in, "out of memory");
        return NULL;
    }
    for (;;) {
        if (in->p >= in->end) {
            json_fail(in, "unterminated string");
            break;
        }
        unsigned c = (unsigned char)*in->p++;
        if (c == '"') {
            s[n] = 0;
            return s;
        }
        if (c < 0x20) {
            json_fail(in, "control character in string");
            break;
        }
        if (c == '\\') {
            if (in->p >= in->end) {
                json_fail(in, "unterminated escape");
                break;
            }
            switch (*in->p++) {
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': /* a surrogate pair comes out as two 3-byte sequences: enough for test data */
                if (json_hex4(in, &c) == 0)
                    break;
                json_fail(in, "bad \\u escape");
                goto fail;
            default:
                json_fail(in, "bad escape");
                goto fail;
            }
        }
        if (n + 4 >= cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                json_fail(in, "out of memory");
                break;
            }
            s = t;
        }
        if (c < 0x80) {
            s[n++] = (char)c;
        } else if (c < 0x800) {
            s[n++] = (char)(0xC0 | c >> 6);
            s[n++] = (char)(0x80 | (c & 0x3F));
        } else {
            s[n++] = (char)(0xE0 | c >> 12);
            s[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
            s[n++] = (char)(0x80 | (c & 0x3F));
        }
    }
fail:
    free(s);
    return NULL;
}

static struct json *json_value(struct json_in *in, int depth);

/* Elements of an array or members of an object, up to the closing bracket. */
static int json_items(struct json_in *in, struct json *parent, int depth, char close)
{
    struct json **tail = &parent->child;
    in->p++;
    json_ws(in);
    if (in->p < in->end && *in->p == close) {
        in->p++;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        json_ws(in);
        if (close == '}') {
            if (in->p >= in->end || *in->p != '"') {
                json_fail(in, "expected a member name");
                return -1;
            }
            if (!(key = json_string(in)))
                return -1;
            json_ws(in);
            if (in->p >= in->end || *in->p != ':') {
                free(key);
                json_fail(in, "expected ':'");
                return -1;
            }
            in->p++;
        }
        struct json *v = json_value(in, depth + 1);
        if (!v) {
            free(key);
            return -1;
        }
        v->key = key;
        *tail = v;
        tail = &v->next;
        json_ws(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            continue;
        }
        if (in->p < in->end && *in->p == close) {
            in->p++;
            return 0;
        }
        json_fail(in, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        return -1;
    }
}

static struct json *json_value(struct json_in *in, int depth)
{
    json_ws(in);
    if (depth > JSON_MAX_DEPTH) {
        json_fail(in, "nested too deeply");
        return NULL;
    }
    if (in->p >= in->end) {
        json_fail(in, "unexpected end of input");
        return NULL;
    }
    struct json *v = calloc(1, sizeof *v);
    if (!v) {
        json_fail(in, "out of memory");
        return NULL;
    }
    char c = *in->p;
    static const struct {
        const char *word;
        enum json_type type;
        double num;
    } words[] = {{"true", JSON_BOOL, 1}, {"false", JSON_BOOL, 0}, {"null", JSON_NULL, 0}};
    if (c == '{' || c == '[') {
        v->type = c == '{' ? JSON_OBJECT : JSON_ARRAY;
        if (json_items(in, v, depth, c == '{' ? '}' : ']') == 0)
            return v;
    } else if (c == '"') {
        v->type = JSON_STRING;
        if ((v->str = json_string(in)))
            return v;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        const char *s = in->p;
        while (in->p < in->end && strchr("+-0123456789.eE", *in->p))
            in->p++;
        v->type = JSON_NUMBER;
        v->str = strndup(s, (size_t)(in->p - s));
        char *stop = NULL;
        if (v->str)
            v->num = strtod(v->str, &stop);
        if (v->str && stop && *stop == 0 && stop != v->str)
            return v;
        json_fail(in, "bad number");
    } else {
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
            size_t n = strlen(words[i].word);
            if ((size_t)(in->end - in->p) >= n && memcmp(in->p, words[i].word, n) == 0) {
                in->p += n;
                v->type = words[i].type;
                v->num = words[i].num;
                return v;
            }
        }
        json_fail(in, "unexpected character");
    }
    json_free(v);
    return NULL;
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    struct json_in in = {text, text + len, text, err, errlen, 0};
    struct json *root = json_value(&in, 0);
    json_ws(&in);
    if (root && in.p != in.end) {
        json_fail(&in, "text after the document");
        json_free(root);
        return NULL;
    }
    return root;
}

void json_free(struct json *j)
{
    while (j) {
        struct json *next = j->next;
        json_free(j->child);
        free(j->key);
        free(j->str);
        free(j);
        j = next;
    }
}

const struct json *json_get(const struct json *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (const struct json *m = obj->child; m; m = m->next)
        if (m->key && strcmp(m->key, key) == 0)
            return m;
    return NULL;
}

const char *json_get_str(const struct json *obj, const char *key)
{
    const struct json *m = json_get(obj, key);
    return m && m->type == JSON_STRING ? m->str : NULL;
}
