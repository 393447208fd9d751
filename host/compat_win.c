#include "compat.h"

#include <io.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

/* The progress bar ends its line with ESC [ K: Windows 10's console draws it once asked to;
 * older consoles show the escape, which is only cosmetic. Sockets start in tcp_win.c. */
void compat_init(void)
{
    HANDLE h = GetStdHandle(STD_ERROR_HANDLE);
    DWORD mode;
    if (h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode))
        SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
}

uint64_t compat_now_ms(void) { return (uint64_t)GetTickCount64(); }

double compat_now_s(void)
{
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart / (double)f.QuadPart;
}

bool compat_isatty_stderr(void) { return _isatty(_fileno(stderr)) != 0; }

void compat_sleep_ms(unsigned ms) { Sleep(ms); }

/* "COM5", "com5" and \\.\COM5 are one port. */
static const char *port_name(const char *p)
{
    return strncmp(p, "\\\\.\\", 4) == 0 ? p + 4 : p;
}

bool compat_same_port(const char *a, const char *b)
{
    return _stricmp(port_name(a), port_name(b)) == 0;
}
