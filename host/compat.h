/* The few operating-system services the portable part of iap needs (main, ui, session,
 * rfc2217), behind one header: compat_posix.c on Linux and macOS, compat_win.c on Windows. The
 * transports and the port list have their own per-OS files. */
#ifndef IAP_COMPAT_H
#define IAP_COMPAT_H

#include <stdbool.h>
#include <stdint.h>

/* Once at start-up: on POSIX a closed TCP bridge becomes an error, not a silent death (SIGPIPE
 * ignored); on Windows the console draws the progress bar's escape sequence. */
void compat_init(void);
/* Monotonic time: milliseconds and seconds since an arbitrary origin. */
uint64_t compat_now_ms(void);
double compat_now_s(void);
/* stderr is a terminal (the progress bar is drawn only there). */
bool compat_isatty_stderr(void);
/* Sleeps ms milliseconds. */
void compat_sleep_ms(unsigned ms);

/* Two -p names for the same port: the same device file (a by-id link and its tty), or the same
 * URL (tcp://, rfc2217://, compared without regard to case). */
bool compat_same_port(const char *a, const char *b);

#endif
