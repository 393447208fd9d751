/* Forced into the Windows build (host/windows.mk) only while host/main.c still calls
 * signal(SIGPIPE, SIG_IGN) instead of compat_init(): Windows has no SIGPIPE (a closed socket is
 * an error code there), and SIGTERM, which Windows never raises, stands in for it. Delete this
 * file once main.c calls compat_init(). */
#ifndef IAP_COMPAT_SHIM_H
#define IAP_COMPAT_SHIM_H
#include <signal.h>
#ifndef SIGPIPE
#define SIGPIPE SIGTERM
#endif
#endif
