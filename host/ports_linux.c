/* The serial ports of a Linux machine: /dev/ttyUSB* (USB adapters with a vendor driver: FTDI,
 * CP210x, CH340...), /dev/ttyACM* (CDC adapters, ST-LINK's virtual COM port), /dev/ttyAMA*
 * (Raspberry Pi) and /dev/ttyS* that are real UARTs (the kernel keeps placeholders of type 0),
 * from /sys/class/tty; for USB, the device's sysfs attributes; the stable names from
 * /dev/serial/by-id. Everything under a root directory, so the tests can fake the tree. */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ports.h"

/* snprintf that says whether it all fit (a cut path or name is no use). */
static bool fmt(char *out, size_t size, const char *f, ...) __attribute__((format(printf, 3, 4)));
static bool fmt(char *out, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(out, size, f, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < size;
}

static const char *const families[] = {"ttyUSB", "ttyACM", "ttyAMA", "ttyS"};

static bool is_port_name(const char *name)
{
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        size_t n = strlen(families[i]);
        if (strncmp(name, families[i], n) == 0 && name[n] >= '0' && name[n] <= '9')
            return true;
    }
    return false;
}

/* The first line of a sysfs attribute, without its newline; "" when unreadable. */
static void read_attr(const char *dir, const char *attr, char *out, size_t size)
{
    char path[PATH_MAX];
    out[0] = 0;
    if (snprintf(path, sizeof path, "%s/%s", dir, attr) >= (int)sizeof path)
        return;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(out, (int)size, f))
        out[strcspn(out, "\r\n")] = 0;
    fclose(f);
}

/* The last part of a symbolic link's target ("ftdi_sio" from .../drivers/ftdi_sio). */
static void link_base(const char *path, char *out, size_t size)
{
    char target[PATH_MAX];
    out[0] = 0;
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0)
        return;
    target[n] = 0;
    const char *slash = strrchr(target, '/');
    if (!fmt(out, size, "%s", slash ? slash + 1 : target))
        out[0] = 0;
}

/* The USB device above a tty's device in sysfs: the first directory with idVendor, at most four
 * levels up (tty device -> interface -> device), never above sysroot. */
static bool find_usb_device(const char *dev, const char *sysroot, char *out, size_t size)
{
    char path[PATH_MAX];
    if (!realpath(dev, path))
        return false;
    size_t rootlen = strlen(sysroot);
    for (int up = 0; up < 4; up++) {
        char probe[PATH_MAX + 16];
        struct stat st;
        snprintf(probe, sizeof probe, "%s/idVendor", path);
        if (stat(probe, &st) == 0) {
            snprintf(out, size, "%s", path);
            return true;
        }
        char *slash = strrchr(path, '/');
        if (!slash || (size_t)(slash - path) <= rootlen)
            return false;
        *slash = 0;
    }
    return false;
}

static void describe(struct port_info *p, const char *root, const char *name)
{
    char sysroot[PATH_MAX], tty[PATH_MAX], dev[PATH_MAX + 8], usb[PATH_MAX], val[16];
    fmt(p->name, sizeof p->name, "/dev/%s", name); /* ports_scan checked the length */
    snprintf(tty, sizeof tty, "%s/sys/class/tty/%s", root, name);
    snprintf(dev, sizeof dev, "%s/device", tty);
    snprintf(sysroot, sizeof sysroot, "%s/sys", root);
    char realroot[PATH_MAX];
    if (!realpath(sysroot, realroot) || !find_usb_device(dev, realroot, usb, sizeof usb))
        return;
    p->usb = true;
    /* the adapter's driver tells the chip (ftdi_sio, cp210x, ch341-uart, cdc_acm); a built-in
     * UART's is the serial core's own ("port" on Linux 6) and says nothing */
    char drv[PATH_MAX + 16];
    snprintf(drv, sizeof drv, "%s/driver", dev);
    link_base(drv, p->driver, sizeof p->driver);
    read_attr(usb, "idVendor", val, sizeof val);
    p->vid = (uint16_t)strtoul(val, NULL, 16);
    read_attr(usb, "idProduct", val, sizeof val);
    p->pid = (uint16_t)strtoul(val, NULL, 16);
    read_attr(usb, "manufacturer", p->manufacturer, sizeof p->manufacturer);
    read_attr(usb, "product", p->product, sizeof p->product);
    read_attr(usb, "serial", p->serial, sizeof p->serial);
}

/* A ttyS the kernel only keeps a slot for: UART type 0 (PORT_UNKNOWN), nothing behind it. */
static bool is_placeholder(const char *root, const char *name)
{
    char tty[PATH_MAX], type[16];
    if (strncmp(name, "ttyS", 4) != 0)
        return false;
    snprintf(tty, sizeof tty, "%s/sys/class/tty/%s", root, name);
    read_attr(tty, "type", type, sizeof type);
    return strcmp(type, "0") == 0;
}

/* /dev/serial/by-id/NAME -> ../../ttyUSB0: the stable name of each port. */
static void add_by_id(const char *root, struct port_list *list)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/dev/serial/by-id", root);
    DIR *d = opendir(dir);
    if (!d)
        return;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX + 256], target[64];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        link_base(path, target, sizeof target);
        for (size_t i = 0; i < list->n; i++)
            if (strcmp(list->v[i].name + 5, target) == 0 && !list->v[i].by_id[0])
                if (!fmt(list->v[i].by_id, sizeof list->v[i].by_id, "/dev/serial/by-id/%s",
                         e->d_name))
                    list->v[i].by_id[0] = 0;
    }
    closedir(d);
}

int ports_scan(const char *root, struct port_list *list, struct iap_err *err)
{
    char dir[PATH_MAX];
    if (!strcmp(root, "/"))
        root = "";
    snprintf(dir, sizeof dir, "%s/sys/class/tty", root);
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* no sysfs (a container): nothing to list */
    const struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        char node[PATH_MAX + 256];
        struct stat st;
        if (!is_port_name(e->d_name) || strlen(e->d_name) + 5 >= sizeof list->v->name ||
            is_placeholder(root, e->d_name))
            continue;
        snprintf(node, sizeof node, "%s/dev/%s", root, e->d_name);
        if (stat(node, &st) != 0)
            continue; /* no device node: nothing to open */
        struct port_info *p = ports_add(list);
        if (!p) {
            rc = iap_fail(err, IAP_ERR_NOMEM, "out of memory");
            break;
        }
        describe(p, root, e->d_name);
    }
    closedir(d);
    add_by_id(root, list);
    return rc;
}
