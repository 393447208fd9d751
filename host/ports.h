/* `iap ports`: the serial ports this machine has, with what identifies a USB adapter (vendor and
 * product IDs, strings, serial number) and its stable name. The scan is per OS (ports_linux.c:
 * /dev and sysfs; ports_win.c: SetupAPI and QueryDosDevice); the list and its printing are
 * here. */
#ifndef IAP_PORTS_H
#define IAP_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct port_info {
    char name[64];   /* what -p takes: "/dev/ttyUSB0", "COM5" */
    char by_id[256]; /* a name that survives replugging: "/dev/serial/by-id/usb-FTDI_..." */
    char driver[32]; /* "ftdi_sio", "cdc_acm", "serial" */
    char description[128]; /* Windows' friendly name: "USB Serial Port (COM5)" */
    bool usb;
    uint16_t vid, pid;
    char manufacturer[64], product[64], serial[64];
};

struct port_list {
    struct port_info *v;
    size_t n, cap;
};

/* Fills list (empty at first) with the ports found, USB adapters first, then by name. root is
 * where /dev and /sys are ("/"; a fake tree in the tests); Windows ignores it. Errors only for
 * memory: a port that cannot be read is listed with what could be read. */
int ports_scan(const char *root, struct port_list *list, struct iap_err *err);
/* Appends an entry (for the scanners); NULL when out of memory. */
struct port_info *ports_add(struct port_list *list);
void ports_sort(struct port_list *list);
void ports_free(struct port_list *list);

/* Prints the list: one block per port, or with json one {"event":"port",...} line per port. */
void ports_print(FILE *out, const struct port_list *list, bool json);
/* `iap ports`: scan this machine and print. */
int ports_list(FILE *out, bool json, struct iap_err *err);

#endif
