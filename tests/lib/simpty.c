/* The core on a pty in a child process (simpty.h). */
#include "simpty.h"

#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "boot.h"
#include "proto.h"
#include "session.h"
#include "sim.h"

static void dev_poll(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100000 && sim_uart_rx_pending(); i++)
        session_poll();
    session_poll();
}

static void serve(int m)
{
    static const char req[] = PROTO_APP_UPDATE_CMD;
    size_t matched = 0;
    bool app = false;
    sim_reset(64 * 1024);
    session_init();
    session_enter_iap();
    for (;;) {
        struct pollfd p = {.fd = m, .events = POLLIN};
        uint8_t buf[4096];
        ssize_t n = 0;
        if (poll(&p, 1, 5) == 1) {
            n = read(m, buf, sizeof buf);
            if (n < 0)
                n = 0; /* EIO while no iap has the slave open */
        }
        if (n == 0)
            usleep(2000); /* keep the loop from spinning on a hung-up pty */
        sim_ms += 5;
        if (app) { /* the template application: only its reboot command matters */
            for (ssize_t i = 0; i < n; i++) {
                matched = buf[i] == (uint8_t)req[matched] ? matched + 1 : buf[i] == (uint8_t)req[0];
                if (matched == sizeof req - 1) {
                    app = false;
                    matched = 0;
                    sim_power_cycle();
                    sim_bkp = PROTO_BKP_REQUEST;
                    session_init();
                    boot_decide(BOOT_LISTEN_MS);
                }
            }
            continue;
        }
        if (n > 0)
            sim_uart_put(buf, (size_t)n);
        enum sim_exit x = sim_run(dev_poll, NULL);
        size_t k;
        while ((k = sim_uart_get(buf, sizeof buf)) > 0)
            if (write(m, buf, k) < 0)
                break;
        if (x == SIM_JUMPED) {
            app = true;
        } else if (x != SIM_RETURNED) {
            sim_power_cycle();
            session_init();
            session_enter_iap();
        }
    }
}

pid_t sh_pty_board(char *port, size_t port_size)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, port, port_size))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        serve(m);
        _exit(0);
    }
    return pid;
}
