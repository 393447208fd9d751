#include "ports.h"

#include <stdlib.h>
#include <string.h>

struct port_info *ports_add(struct port_list *list)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 8;
        struct port_info *v = realloc(list->v, cap * sizeof *v);
        if (!v)
            return NULL;
        list->v = v;
        list->cap = cap;
    }
    struct port_info *p = &list->v[list->n++];
    memset(p, 0, sizeof *p);
    return p;
}

void ports_free(struct port_list *list)
{
    free(list->v);
    *list = (struct port_list){0};
}

/* Names compared with their numbers as numbers: ttyUSB2 before ttyUSB10, COM3 before COM12. */
static int natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            char *ea, *eb;
            unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);
            if (x != y)
                return x < y ? -1 : 1;
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int port_cmp(const void *x, const void *y)
{
    const struct port_info *a = x, *b = y;
    if (a->usb != b->usb)
        return a->usb ? -1 : 1; /* adapters first: what iap is usually pointed at */
    return natural_cmp(a->name, b->name);
}

void ports_sort(struct port_list *list)
{
    if (list->n > 1)
        qsort(list->v, list->n, sizeof *list->v, port_cmp);
}

/* "name":"value" with value as a JSON string. Written to the stream: the port list stays free of
 * the UI (the tests of the library part of iap link it without ui.c). */
static void json_member(FILE *out, const char *name, const char *value)
{
    fprintf(out, ",\"%s\":\"", name);
    for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(out, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(out, "\\u%04x", *c);
        else
            fputc(*c, out);
    }
    fputc('"', out);
}

static void print_json(FILE *out, const struct port_info *p)
{
    fputs("{\"event\":\"port\"", out);
    json_member(out, "port", p->name);
    json_member(out, "by_id", p->by_id);
    json_member(out, "driver", p->driver);
    json_member(out, "description", p->description);
    fprintf(out, ",\"usb\":%s", p->usb ? "true" : "false");
    if (p->usb) {
        fprintf(out, ",\"vid\":\"%04x\",\"pid\":\"%04x\"", p->vid, p->pid);
        json_member(out, "manufacturer", p->manufacturer);
        json_member(out, "product", p->product);
        json_member(out, "serial", p->serial);
    }
    fputs("}\n", out);
}

/*   /dev/ttyUSB0  USB 0403:6001 FTDI FT232R USB UART, serial A5XK3RJT (ftdi_sio)
 *                 /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A5XK3RJT-if00-port0
 *   /dev/ttyS0    serial port */
static void print_text(FILE *out, const struct port_info *p, int width)
{
    fprintf(out, "%-*s ", width, p->name);
    if (p->usb) {
        fprintf(out, " USB %04x:%04x", p->vid, p->pid);
        if (*p->manufacturer)
            fprintf(out, " %s", p->manufacturer);
        if (*p->product)
            fprintf(out, " %s", p->product);
        if (*p->serial)
            fprintf(out, ", serial %s", p->serial);
    } else {
        fprintf(out, " %s", *p->description ? p->description : "serial port");
    }
    if (*p->driver)
        fprintf(out, " (%s)", p->driver);
    fputc('\n', out);
    if (*p->by_id)
        fprintf(out, "%-*s  %s\n", width, "", p->by_id);
}

void ports_print(FILE *out, const struct port_list *list, bool json)
{
    int width = 0;
    for (size_t i = 0; i < list->n; i++) {
        int w = (int)strlen(list->v[i].name);
        width = w > width ? w : width;
    }
    for (size_t i = 0; i < list->n; i++) {
        if (json)
            print_json(out, &list->v[i]);
        else
            print_text(out, &list->v[i], width);
    }
    if (!list->n && !json)
        fprintf(out, "no serial ports found: plug the adapter in (on Linux, `dmesg | tail` names "
                     "it; on Windows, Device Manager under Ports)\n");
}

int ports_list(FILE *out, bool json, struct iap_err *err)
{
    struct port_list list = {0};
    int rc = ports_scan("/", &list, err);
    if (!rc) {
        ports_sort(&list);
        ports_print(out, &list, json);
    }
    ports_free(&list);
    return rc;
}
