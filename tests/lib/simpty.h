/* The real bootloader core (sim port, fake F1 flash) served on a pseudo-terminal by a child
 * process, for tests that run iap or libiap against a port by name. In IAP mode; after a RESET to
 * a valid image it plays the template application, which only answers its reboot command. */
#ifndef SIMPTY_H
#define SIMPTY_H

#include <stddef.h>
#include <sys/types.h>

/* Opens a pty, forks the board onto its master and names the slave in port. The parent keeps
 * the master open too, so the slave never sees a hangup between clients. The child's pid (stop
 * it with SIGTERM), or -1. */
pid_t sh_pty_board(char *port, size_t port_size);

#endif
