/* Line iteration for the text formats: yields each line without its end (\n or \r\n) and without
 * trailing blanks, with its 1-based number. */
#ifndef IAP_LINES_H
#define IAP_LINES_H

#include <stddef.h>
#include <stdint.h>

struct lines {
    const uint8_t *buf;
    size_t len, pos;
    unsigned lineno;
};

static inline int lines_next(struct lines *it, const uint8_t **line, size_t *n)
{
    if (it->pos >= it->len)
        return 0;
    size_t start = it->pos, end = start;
    while (end < it->len && it->buf[end] != '\n')
        end++;
    it->pos = end + 1;
    it->lineno++;
    while (end > start && (it->buf[end - 1] == '\r' || it->buf[end - 1] == ' ' ||
                           it->buf[end - 1] == '\t'))
        end--;
    *line = it->buf + start;
    *n = end - start;
    return 1;
}

#endif
