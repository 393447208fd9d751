/* A small JSON reader for test data (Wycheproof vector files): parses a whole document into a
 * tree of nodes. Strings are unescaped (\uXXXX to UTF-8); numbers are kept as text and a double. */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    char *key;           /* member name when the parent is an object, else NULL */
    char *str;           /* JSON_STRING: the value; JSON_NUMBER: its text */
    double num;          /* JSON_NUMBER, or JSON_BOOL as 0/1 */
    struct json *child;  /* first element or member of an array or object */
    struct json *next;   /* next sibling */
};

/* Parses text[0..len); NULL on a syntax error, with "line N: what" in err. */
struct json *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(struct json *j);
/* The member called key of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
/* The string member called key, or NULL when missing or not a string. */
const char *json_get_str(const struct json *obj, const char *key);

#endif
