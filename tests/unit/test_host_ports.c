/* `iap ports` on a fake /dev and /sys: an FTDI adapter (ttyUSB, vendor driver), a CDC adapter
 * (ttyACM, found through its interface), a real 16550 (ttyS0), the kernel's placeholder UARTs,
 * a tty without a device node, the stable names of /dev/serial/by-id, the order, the text and
 * the JSON. */
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ports.h"
#include "test.h"

static char root[PATH_MAX];
static struct iap_err err;

/* mkdir -p ROOT/path */
static void mk(const char *path)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", root, path);
    for (char *s = p + strlen(root) + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0755);
            *s = '/';
        }
    }
    mkdir(p, 0755);
}

/* ROOT/path holds text (a sysfs attribute ends with a newline). */
static void put(const char *path, const char *text)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", root, path);
    FILE *f = fopen(p, "w");
    if (f) {
        fprintf(f, "%s\n", text);
        fclose(f);
    }
}

/* ROOT/path -> target (relative, as in sysfs) */
static void ln(const char *target, const char *path)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/%s", root, path);
    if (symlink(target, p) != 0)
        perror(p);
}

#define USB1 "sys/devices/pci0000:00/0000:00:14.0/usb1"

/* A USB device DEV (e.g. "1-2") with its IDs and strings. */
static void usb_device(const char *dev, const char *vid, const char *pid, const char *mfr,
                       const char *prod, const char *serial)
{
    char d[256], f[320];
    snprintf(d, sizeof d, USB1 "/%s", dev);
    mk(d);
    snprintf(f, sizeof f, "%s/idVendor", d);
    put(f, vid);
    snprintf(f, sizeof f, "%s/idProduct", d);
    put(f, pid);
    if (mfr) {
        snprintf(f, sizeof f, "%s/manufacturer", d);
        put(f, mfr);
    }
    if (prod) {
        snprintf(f, sizeof f, "%s/product", d);
        put(f, prod);
    }
    if (serial) {
        snprintf(f, sizeof f, "%s/serial", d);
        put(f, serial);
    }
}

/* A usb-serial port NAME on interface DEV:1.0 of USB device DEV, driven by DRIVER, as the
 * kernel lays it out: .../DEV/DEV:1.0/NAME/tty/NAME, /sys/class/tty/NAME -> there, device ->
 * the port device NAME, whose driver is the usb-serial driver. */
static void usb_serial_port(const char *dev, const char *name, const char *driver)
{
    char port[200], cls[300], p[400], t[400];
    snprintf(port, sizeof port, USB1 "/%s/%s:1.0/%s", dev, dev, name);
    snprintf(cls, sizeof cls, "%s/tty/%s", port, name);
    mk(cls);
    mk("sys/bus/usb-serial/drivers");
    snprintf(p, sizeof p, "sys/bus/usb-serial/drivers/%s", driver);
    mk(p);
    snprintf(p, sizeof p, "%s/driver", port);
    snprintf(t, sizeof t, "../../../../../../../bus/usb-serial/drivers/%s", driver);
    ln(t, p);
    snprintf(p, sizeof p, "%s/device", cls);
    snprintf(t, sizeof t, "../../../%s", name);
    ln(t, p); /* tty/NAME/device -> the port device */
    snprintf(p, sizeof p, "sys/class/tty/%s", name);
    snprintf(t, sizeof t, "../../devices/pci0000:00/0000:00:14.0/usb1/%s/%s:1.0/%s/tty/%s", dev,
             dev, name, name);
    ln(t, p);
    snprintf(p, sizeof p, "dev/%s", name);
    put(p, "");
}

static void build_tree(void)
{
    snprintf(root, sizeof root, "%s/ports.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root))
        return;
    mk("sys/class/tty");
    mk("dev/serial/by-id");

    usb_device("1-2", "0403", "6001", "FTDI", "FT232R USB UART", "A5XK3RJT");
    usb_serial_port("1-2", "ttyUSB0", "ftdi_sio");
    ln("../../ttyUSB0", "dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A5XK3RJT-if00-port0");

    usb_device("1-4", "1a86", "7523", NULL, "USB2.0-Serial \"CH340\"", NULL);
    usb_serial_port("1-4", "ttyUSB10", "ch341-uart");

    /* CDC ACM: the tty's device is the interface itself, driven by cdc_acm */
    usb_device("1-3", "0483", "374b", "STMicroelectronics", "STM32 STLink", "0669FF");
    mk(USB1 "/1-3/1-3:1.2/tty/ttyACM0");
    mk("sys/bus/usb/drivers/cdc_acm");
    ln("../../../../../../bus/usb/drivers/cdc_acm", USB1 "/1-3/1-3:1.2/driver");
    ln("../../../1-3:1.2", USB1 "/1-3/1-3:1.2/tty/ttyACM0/device");
    ln("../../devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.2/tty/ttyACM0", "sys/class/tty/ttyACM0");
    put("dev/ttyACM0", "");
    ln("../../ttyACM0", "dev/serial/by-id/usb-STMicroelectronics_STM32_STLink_0669FF-if02");

    /* a real 16550A on the PNP bus, and a placeholder slot of the 8250 driver */
    mk("sys/devices/pnp0/00:05/tty/ttyS0");
    mk("sys/bus/pnp/drivers/serial");
    ln("../../../bus/pnp/drivers/serial", "sys/devices/pnp0/00:05/driver");
    ln("../../../00:05", "sys/devices/pnp0/00:05/tty/ttyS0/device");
    put("sys/devices/pnp0/00:05/tty/ttyS0/type", "4");
    ln("../../devices/pnp0/00:05/tty/ttyS0", "sys/class/tty/ttyS0");
    put("dev/ttyS0", "");
    mk("sys/devices/platform/serial8250/tty/ttyS1");
    ln("../../../serial8250", "sys/devices/platform/serial8250/tty/ttyS1/device");
    put("sys/devices/platform/serial8250/tty/ttyS1/type", "0");
    ln("../../devices/platform/serial8250/tty/ttyS1", "sys/class/tty/ttyS1");
    put("dev/ttyS1", "");

    /* a tty without a device node, and a virtual console */
    usb_device("1-5", "0403", "6015", "FTDI", "FT231X", "X");
    usb_serial_port("1-5", "ttyUSB3", "ftdi_sio");
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/dev/ttyUSB3", root);
    unlink(p);
    mk("sys/devices/virtual/tty/tty0");
    ln("../../devices/virtual/tty/tty0", "sys/class/tty/tty0");
    put("dev/tty0", "");
}

static void remove_tree(void)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        printf("could not remove %s\n", root);
}

static const struct port_info *find(const struct port_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].name, name))
            return &l->v[i];
    return NULL;
}

TEST(usb_adapter_is_listed_with_ids_strings_serial_driver_and_by_id_name)
{
    struct port_list l = {0};
    CHECK_EQ(ports_scan(root, &l, &err), 0);
    const struct port_info *p = find(&l, "/dev/ttyUSB0");
    CHECK(p != NULL);
    CHECK(p->usb);
    CHECK_EQ(p->vid, 0x0403);
    CHECK_EQ(p->pid, 0x6001);
    CHECK(!strcmp(p->manufacturer, "FTDI"));
    CHECK(!strcmp(p->product, "FT232R USB UART"));
    CHECK(!strcmp(p->serial, "A5XK3RJT"));
    CHECK(!strcmp(p->driver, "ftdi_sio"));
    CHECK(!strcmp(p->by_id, "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A5XK3RJT-if00-port0"));
    ports_free(&l);
}

TEST(cdc_adapter_is_found_through_its_interface)
{
    struct port_list l = {0};
    CHECK_EQ(ports_scan(root, &l, &err), 0);
    const struct port_info *p = find(&l, "/dev/ttyACM0");
    CHECK(p != NULL);
    CHECK(p->usb);
    CHECK_EQ(p->vid, 0x0483);
    CHECK_EQ(p->pid, 0x374b);
    CHECK(!strcmp(p->driver, "cdc_acm"));
    CHECK(!strcmp(p->serial, "0669FF"));
    CHECK(!strcmp(p->by_id, "/dev/serial/by-id/usb-STMicroelectronics_STM32_STLink_0669FF-if02"));
    ports_free(&l);
}

TEST(adapter_without_strings_has_its_ids_only)
{
    struct port_list l = {0};
    CHECK_EQ(ports_scan(root, &l, &err), 0);
    const struct port_info *p = find(&l, "/dev/ttyUSB10");
    CHECK(p != NULL);
    CHECK_EQ(p->vid, 0x1a86);
    CHECK(!strcmp(p->manufacturer, ""));
    CHECK(!strcmp(p->serial, ""));
    CHECK(!strcmp(p->by_id, ""));
    ports_free(&l);
}

TEST(real_uart_is_listed_without_usb_and_placeholders_are_not)
{
    struct port_list l = {0};
    CHECK_EQ(ports_scan(root, &l, &err), 0);
    const struct port_info *p = find(&l, "/dev/ttyS0");
    CHECK(p != NULL);
    CHECK(!p->usb);
    CHECK(find(&l, "/dev/ttyS1") == NULL);
    ports_free(&l);
}

TEST(ttys_without_a_device_node_and_consoles_are_not_listed)
{
    struct port_list l = {0};
    CHECK_EQ(ports_scan(root, &l, &err), 0);
    CHECK(find(&l, "/dev/ttyUSB3") == NULL);
    CHECK(find(&l, "/dev/tty0") == NULL);
    CHECK_EQ(l.n, 4);
    ports_free(&l);
}

TEST(adapters_come_first_then_names_in_numeric_order)
{
    struct port_list l = {0};
    CHECK_EQ(ports_scan(root, &l, &err), 0);
    ports_sort(&l);
    CHECK_EQ(l.n, 4);
    CHECK(!strcmp(l.v[0].name, "/dev/ttyACM0"));
    CHECK(!strcmp(l.v[1].name, "/dev/ttyUSB0"));
    CHECK(!strcmp(l.v[2].name, "/dev/ttyUSB10"));
    CHECK(!strcmp(l.v[3].name, "/dev/ttyS0"));
    ports_free(&l);
}

/* The list printed into a string. */
static char *printed(const struct port_list *l, bool json)
{
    static char buf[8192];
    buf[0] = 0;
    FILE *f = fmemopen(buf, sizeof buf, "w");
    if (!f)
        return NULL;
    ports_print(f, l, json);
    fclose(f);
    return buf;
}

TEST(text_shows_what_identifies_an_adapter_and_its_stable_name)
{
    struct port_list l = {0};
    CHECK_EQ(ports_scan(root, &l, &err), 0);
    ports_sort(&l);
    const char *out = printed(&l, false);
    ports_free(&l);
    CHECK(out != NULL);
    CHECK(strstr(out, "/dev/ttyUSB0   USB 0403:6001 FTDI FT232R USB UART, serial A5XK3RJT "
                      "(ftdi_sio)\n") != NULL);
    /* the stable name under the details, names padded to the longest (/dev/ttyUSB10) */
    CHECK(strstr(out, "\n               /dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A5XK3RJT-"
                      "if00-port0\n") != NULL);
    CHECK(strstr(out, "/dev/ttyS0     serial port\n") != NULL);
}

TEST(json_is_one_port_event_per_line_with_strings_escaped)
{
    struct port_list l = {0};
    CHECK_EQ(ports_scan(root, &l, &err), 0);
    ports_sort(&l);
    const char *out = printed(&l, true);
    ports_free(&l);
    CHECK(out != NULL);
    CHECK(strstr(out, "{\"event\":\"port\",\"port\":\"/dev/ttyUSB0\",\"by_id\":\"/dev/serial/"
                      "by-id/usb-FTDI_FT232R_USB_UART_A5XK3RJT-if00-port0\",\"driver\":"
                      "\"ftdi_sio\",\"description\":\"\",\"usb\":true,\"vid\":\"0403\",\"pid\":"
                      "\"6001\",\"manufacturer\":\"FTDI\",\"product\":\"FT232R USB UART\","
                      "\"serial\":\"A5XK3RJT\"}\n") != NULL);
    CHECK(strstr(out, "\"product\":\"USB2.0-Serial \\\"CH340\\\"\"") != NULL);
    CHECK(strstr(out, "\"port\":\"/dev/ttyS0\",\"by_id\":\"\",\"driver\":\"\","
                      "\"description\":\"\",\"usb\":false}\n") != NULL);
    int lines = 0;
    for (const char *s = out; *s; s++)
        lines += *s == '\n';
    CHECK_EQ(lines, 4);
}

TEST(machine_without_sysfs_lists_nothing_and_says_so)
{
    char empty[PATH_MAX + 8];
    snprintf(empty, sizeof empty, "%s/dev", root); /* no sys/ under it */
    struct port_list l = {0};
    CHECK_EQ(ports_scan(empty, &l, &err), 0);
    CHECK_EQ(l.n, 0);
    const char *out = printed(&l, false);
    CHECK(strstr(out, "no serial ports found") != NULL);
    CHECK(!strcmp(printed(&l, true), ""));
}

int main(void)
{
    build_tree();
    RUN(usb_adapter_is_listed_with_ids_strings_serial_driver_and_by_id_name);
    RUN(cdc_adapter_is_found_through_its_interface);
    RUN(adapter_without_strings_has_its_ids_only);
    RUN(real_uart_is_listed_without_usb_and_placeholders_are_not);
    RUN(ttys_without_a_device_node_and_consoles_are_not_listed);
    RUN(adapters_come_first_then_names_in_numeric_order);
    RUN(text_shows_what_identifies_an_adapter_and_its_stable_name);
    RUN(json_is_one_port_event_per_line_with_strings_escaped);
    RUN(machine_without_sysfs_lists_nothing_and_says_so);
    remove_tree();
    return test_summary();
}
