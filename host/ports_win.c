/* The serial ports of a Windows machine: every present device of the Ports class (SetupAPI),
 * with its COM name, friendly name, manufacturer and, for USB, the VID/PID and serial number of
 * its instance ID (USB\VID_0403&PID_6001\A5XK3RJT); then any COMn the system knows that SetupAPI
 * did not list (QueryDosDevice: virtual ports, Wine's dosdevices). */
#include <windows.h>

#include <initguid.h> /* before devguid.h: defines GUID_DEVCLASS_PORTS here */

#include <devguid.h>
#include <setupapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ports.h"

static bool listed(const struct port_list *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (_stricmp(list->v[i].name, name) == 0)
            return true;
    return false;
}

/* "USB\VID_0403&PID_6001\A5XK3RJT": the IDs, and the serial number when the last part is one
 * (Windows makes up a location-based id with '&' for adapters without a serial). */
static void parse_usb_id(struct port_info *p, const char *id)
{
    const char *v = strstr(id, "VID_"), *d = strstr(id, "PID_");
    if (strncmp(id, "USB\\", 4) != 0 || !v || !d)
        return;
    p->usb = true;
    p->vid = (uint16_t)strtoul(v + 4, NULL, 16);
    p->pid = (uint16_t)strtoul(d + 4, NULL, 16);
    const char *last = strrchr(id, '\\');
    if (last && last > id + 3 && !strchr(last + 1, '&'))
        snprintf(p->serial, sizeof p->serial, "%s", last + 1);
}

static void registry_string(HDEVINFO set, SP_DEVINFO_DATA *dev, DWORD prop, char *out,
                            size_t size)
{
    DWORD type = 0;
    out[0] = 0;
    if (!SetupDiGetDeviceRegistryPropertyA(set, dev, prop, &type, (BYTE *)out, (DWORD)size, NULL) ||
        (type != REG_SZ && type != REG_MULTI_SZ))
        out[0] = 0;
    out[size - 1] = 0;
}

static int scan_setupapi(struct port_list *list, struct iap_err *err)
{
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_PORTS, NULL, NULL, DIGCF_PRESENT);
    if (set == INVALID_HANDLE_VALUE)
        return 0;
    SP_DEVINFO_DATA dev;
    dev.cbSize = sizeof dev;
    int rc = 0;
    for (DWORD i = 0; SetupDiEnumDeviceInfo(set, i, &dev); i++) {
        char name[64] = "", id[256] = "";
        DWORD size = sizeof name, type = 0;
        HKEY key = SetupDiOpenDevRegKey(set, &dev, DICS_FLAG_GLOBAL, 0, DIREG_DEV, KEY_READ);
        if (key == INVALID_HANDLE_VALUE)
            continue;
        LONG r = RegQueryValueExA(key, "PortName", NULL, &type, (BYTE *)name, &size);
        RegCloseKey(key);
        name[sizeof name - 1] = 0;
        if (r != ERROR_SUCCESS || type != REG_SZ || _strnicmp(name, "COM", 3) != 0)
            continue; /* LPT ports share the class */
        struct port_info *p = ports_add(list);
        if (!p) {
            rc = iap_fail(err, IAP_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(p->name, sizeof p->name, "%s", name);
        registry_string(set, &dev, SPDRP_FRIENDLYNAME, p->description, sizeof p->description);
        registry_string(set, &dev, SPDRP_MFG, p->manufacturer, sizeof p->manufacturer);
        registry_string(set, &dev, SPDRP_SERVICE, p->driver, sizeof p->driver);
        if (SetupDiGetDeviceInstanceIdA(set, &dev, id, sizeof id, NULL))
            parse_usb_id(p, id);
    }
    SetupDiDestroyDeviceInfoList(set);
    return rc;
}

/* Every MS-DOS device name, NUL-separated; the COMn among them. */
static int scan_dos_devices(struct port_list *list, struct iap_err *err)
{
    DWORD size = 65536;
    char *names = malloc(size);
    if (!names)
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory");
    DWORD n = QueryDosDeviceA(NULL, names, size);
    int rc = 0;
    for (const char *s = names; n && s < names + n && *s; s += strlen(s) + 1) {
        if (_strnicmp(s, "COM", 3) != 0 || s[3] < '1' || s[3] > '9' ||
            strspn(s + 3, "0123456789") != strlen(s + 3) || listed(list, s))
            continue;
        struct port_info *p = ports_add(list);
        if (!p) {
            rc = iap_fail(err, IAP_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(p->name, sizeof p->name, "%s", s);
        p->name[0] = 'C'; /* Wine names them com5 */
        p->name[1] = 'O';
        p->name[2] = 'M';
    }
    free(names);
    return rc;
}

int ports_scan(const char *root, struct port_list *list, struct iap_err *err)
{
    (void)root;
    int rc = scan_setupapi(list, err);
    return rc ? rc : scan_dos_devices(list, err);
}
