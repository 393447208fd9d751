/* Bootloader core: boot decision and the IAP session loop. Portable: hardware only via port.h.
 * boot_main() is the whole bootloader; the other functions are its steps, exposed so host tests
 * (boot/port/sim) can drive it one step at a time. */
#ifndef BOOT_H
#define BOOT_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_VERSION_MAJOR 1
#define BOOT_VERSION_MINOR 0
#define BOOT_VERSION_PATCH 0

#ifndef BOOT_LISTEN_MS
#define BOOT_LISTEN_MS 300u /* listening window after reset when an app is valid; 0 disables */
#endif
#define BOOT_IDLE_MS     30000u /* silent IAP session: start the app if valid, else keep waiting */
#define BOOT_ERASE_MS    40u    /* worst-case page erase, reported by INFO */
#define BOOT_PROG_US     70u    /* worst-case half-word program, reported by INFO */

enum boot_decision {
    BOOT_APP,         /* start the application */
    BOOT_IAP_REQUEST, /* the application left PROTO_BKP_REQUEST in BKP_DR1 (now cleared) */
    BOOT_IAP_BUTTON,  /* PA0 held */
    BOOT_IAP_NO_APP,  /* no valid image record */
    BOOT_IAP_HOST,    /* a host spoke (native frame, AN3155 0x7F) within the listening window */
};

/* port_init(), session_init(), boot_decide(BOOT_LISTEN_MS), then the application or the
 * IAP loop (boot_iap_poll forever). The F1 reset handler calls it after .data/.bss init. */
__attribute__((noreturn)) void boot_main(void);

/* The decision in DESIGN.md order. Needs session_init() first: the listening window runs the
 * session, so a frame received in it is executed and answered, and the session goes on. */
enum boot_decision boot_decide(uint32_t listen_ms);

/* One iteration of the IAP loop: session_poll() plus the inactivity timeout. Does not return
 * when the timeout starts the application. */
void boot_iap_poll(void);

/* LED off, then port_jump(PROTO_APP_START). Callers check fm_app_valid() first. */
__attribute__((noreturn)) void boot_start_app(void);
/* End of an update (native RESET, AN3155 GO, ...): flush the UART, start the application if
 * it is valid, else reset the chip. */
__attribute__((noreturn)) void boot_finish(void);

#endif
