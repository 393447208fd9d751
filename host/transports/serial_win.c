/* Windows serial port: \\.\COMn opened exclusively, the DCB set to 8N1 at the requested rate
 * without flow control (DTR and RTS left as they are, unless they were handshake lines), reads
 * that return soon after bytes arrive or after the timeout (COMMTIMEOUTS), writes bounded to
 * 5 s. The counterpart of serial.c, with the same messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "../transport.h"

#define WRITE_STALL_MS 5000
#define READ_GAP_MS 2 /* a pause in the input this long ends a read that has bytes */

struct serial_win {
    struct iap_transport t;
    HANDLE h;
    DCB saved; /* the port's settings before iap, given back on close */
    int timeout_ms; /* the read timeout in effect, -1 before the first read */
    char name[64];
    char lost[400];
};

/* The system's text for a Win32 error, on one line. */
static const char *win_error(DWORD e, char *buf, size_t size)
{
    if (!FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0,
                        buf, (DWORD)size, NULL))
        snprintf(buf, size, "error %lu", (unsigned long)e);
    buf[strcspn(buf, "\r\n")] = 0;
    return buf;
}

/* A device the port was on is gone: unplugged, or its driver stopped. */
static int vanished(struct serial_win *s, struct iap_err *err)
{
    char why[160];
    return iap_fail(err, IAP_ERR_PORT, "%s (%s)", s->lost, win_error(GetLastError(), why, sizeof why));
}

static int serial_write(struct iap_transport *t, const uint8_t *buf, size_t len,
                        struct iap_err *err)
{
    struct serial_win *s = (struct serial_win *)t;
    while (len) {
        DWORD chunk = len > 65536 ? 65536 : (DWORD)len, n = 0;
        if (!WriteFile(s->h, buf, chunk, &n, NULL))
            return vanished(s, err);
        if (n == 0)
            return iap_fail(err, IAP_ERR_PORT, "%s (output stalled for %d s)", s->lost,
                            WRITE_STALL_MS / 1000);
        buf += n;
        len -= n;
    }
    return 0;
}

/* ReadFile returns once bytes came and the line paused for READ_GAP_MS, when buf is full, or
 * after timeout_ms with nothing; 0 returns at once with what is there. (The documented
 * MAXDWORD/MAXDWORD/timeout rule, "return at the first byte", is not what Wine does: it waits
 * for the whole timeout. The interval timeout behaves the same on both.) */
static int set_read_timeout(struct serial_win *s, int timeout_ms)
{
    if (timeout_ms < 0)
        timeout_ms = 0;
    if (timeout_ms == s->timeout_ms)
        return 0;
    COMMTIMEOUTS to = {0};
    to.ReadIntervalTimeout = timeout_ms > 0 ? READ_GAP_MS : MAXDWORD;
    to.ReadTotalTimeoutConstant = (DWORD)timeout_ms;
    to.WriteTotalTimeoutConstant = WRITE_STALL_MS;
    if (!SetCommTimeouts(s->h, &to))
        return -1;
    s->timeout_ms = timeout_ms;
    return 0;
}

static int serial_read(struct iap_transport *t, uint8_t *buf, size_t max, int timeout_ms,
                       struct iap_err *err)
{
    struct serial_win *s = (struct serial_win *)t;
    DWORD n = 0;
    if (set_read_timeout(s, timeout_ms) || !ReadFile(s->h, buf, (DWORD)max, &n, NULL))
        return vanished(s, err);
    return (int)n;
}

static void serial_discard(struct iap_transport *t)
{
    struct serial_win *s = (struct serial_win *)t;
    PurgeComm(s->h, PURGE_RXCLEAR | PURGE_RXABORT);
}

static void serial_close(struct iap_transport *t)
{
    struct serial_win *s = (struct serial_win *)t;
    FlushFileBuffers(s->h); /* what is still in the driver goes out first */
    SetCommState(s->h, &s->saved);
    CloseHandle(s->h);
    free(s);
}

/* "COM5" and "com5" become \\.\COM5 (needed from COM10 on); a name given as \\.\X stays. */
/* The step-up: the DCB at another rate once the output has drained. */
static int serial_set_baud(struct iap_transport *t, unsigned baud, struct iap_err *err)
{
    struct serial_win *s = (struct serial_win *)t;
    DCB dcb;
    memset(&dcb, 0, sizeof dcb);
    dcb.DCBlength = sizeof dcb;
    FlushFileBuffers(s->h);
    if (!GetCommState(s->h, &dcb))
        return vanished(s, err);
    dcb.BaudRate = baud;
    if (!SetCommState(s->h, &dcb))
        return iap_fail(err, IAP_ERR_PORT, "the port refuses %u baud", baud);
    return 0;
}

static void device_path(const char *name, char *out, size_t size)
{
    if (strncmp(name, "\\\\.\\", 4) == 0)
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "\\\\.\\%s", name);
}

int serial_open(const char *path, unsigned baud, struct iap_transport **out, struct iap_err *err)
{
    char dev[80], why[160];
    if (strlen(path) > 60)
        return iap_fail(err, IAP_ERR_PORT, "port %.60s... does not exist: pass -p COMn", path);
    device_path(path, dev, sizeof dev);
    HANDLE h = CreateFileA(dev, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND || e == ERROR_INVALID_NAME)
            return iap_fail(err, IAP_ERR_PORT,
                            "port %s does not exist: check the cable and the name (iap ports, or "
                            "Device Manager under Ports (COM & LPT)), then pass -p COMn or set "
                            "IAP_PORT",
                            path);
        if (e == ERROR_ACCESS_DENIED || e == ERROR_SHARING_VIOLATION)
            return iap_fail(err, IAP_ERR_PORT,
                            "port %s is in use by another program: close it (a terminal, another "
                            "iap)",
                            path);
        return iap_fail(err, IAP_ERR_PORT, "cannot open %s: %s", path, win_error(e, why, sizeof why));
    }
    DCB dcb;
    memset(&dcb, 0, sizeof dcb);
    dcb.DCBlength = sizeof dcb;
    if (!GetCommState(h, &dcb)) {
        DWORD e = GetLastError();
        CloseHandle(h);
        return iap_fail(err, IAP_ERR_PORT, "%s is not a serial port (%s): pass the right -p PORT",
                        path, win_error(e, why, sizeof why));
    }
    DCB saved = dcb;
    dcb.BaudRate = baud;
    dcb.ByteSize = 8;
    dcb.Parity = NOPARITY;
    dcb.StopBits = ONESTOPBIT;
    dcb.fBinary = TRUE;
    dcb.fParity = FALSE;
    dcb.fOutxCtsFlow = FALSE;
    dcb.fOutxDsrFlow = FALSE;
    dcb.fDsrSensitivity = FALSE;
    dcb.fOutX = FALSE;
    dcb.fInX = FALSE;
    dcb.fErrorChar = FALSE;
    dcb.fNull = FALSE;
    dcb.fAbortOnError = FALSE; /* a framing error must not stop every read after it */
    if (dcb.fDtrControl == DTR_CONTROL_HANDSHAKE)
        dcb.fDtrControl = DTR_CONTROL_ENABLE;
    if (dcb.fRtsControl == RTS_CONTROL_HANDSHAKE || dcb.fRtsControl == RTS_CONTROL_TOGGLE)
        dcb.fRtsControl = RTS_CONTROL_ENABLE;
    if (!SetCommState(h, &dcb)) {
        DWORD e = GetLastError();
        CloseHandle(h);
        return iap_fail(err, IAP_ERR_PORT,
                        "cannot configure %s at %u baud (%s): use a rate the adapter supports, "
                        "such as 115200",
                        path, baud, win_error(e, why, sizeof why));
    }
    SetupComm(h, 16384, 16384);
    PurgeComm(h, PURGE_RXCLEAR | PURGE_TXCLEAR | PURGE_RXABORT | PURGE_TXABORT);
    struct serial_win *s = calloc(1, sizeof *s);
    if (!s) {
        CloseHandle(h);
        return iap_fail(err, IAP_ERR_NOMEM, "out of memory");
    }
    s->h = h;
    s->saved = saved;
    s->timeout_ms = -1;
    snprintf(s->t.desc, sizeof s->t.desc, "%s at %u baud", path, baud);
    snprintf(s->lost, sizeof s->lost,
             "port %s vanished (unplugged?): plug it back in and run iap again; an interrupted "
             "update leaves the board in IAP mode",
             path);
    if (set_read_timeout(s, 0)) {
        DWORD e = GetLastError();
        serial_close(&s->t);
        return iap_fail(err, IAP_ERR_PORT, "cannot set the timeouts of %s: %s", path,
                        win_error(e, why, sizeof why));
    }
    s->t.write = serial_write;
    s->t.read = serial_read;
    s->t.discard = serial_discard;
    s->t.close = serial_close;
    s->t.set_baud = serial_set_baud;
    *out = &s->t;
    return 0;
}
