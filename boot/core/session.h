/* IAP session: reads the UART, hands bytes to the wire protocol selected by the first byte of a
 * session (0xA5 native, 0x7F AN3155, a printable key YMODEM), drives the LED and timers. */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>
#include <stdint.h>

/* A wire protocol: one file with one of these, listed in session_protos (protos.c). */
struct session_proto {
    void (*init)(void);             /* power-up state */
    bool (*claims)(uint8_t first);  /* does a byte, arriving while no protocol holds the line,
                                       start this protocol? It is then fed that byte. */
    /* Consume one byte. false = not consumed and the protocol lets go of the line: the session
     * offers the byte to every protocol's claims() again. */
    bool (*feed)(uint8_t byte);
    void (*poll)(void);             /* once per loop iteration: timeouts (may be NULL) */
};

/* NULL-terminated table, defined in protos.c: add a protocol there and its file to the build. */
extern const struct session_proto *const session_protos[];

void session_init(void);          /* power-up: protocols' init, fm_new_session, LED off */
void session_poll(void);          /* read the UART, feed bytes, protocols' poll, LED, watchdog */

/* Called by a protocol when it recognises a host (a valid native frame, AN3155 0x7F or command):
 * enters IAP mode (LED on) and restarts the inactivity timer. A person's keys and YMODEM blocks
 * use session_enter_iap(). */
void session_host_seen(void);
bool session_host_within(uint32_t ms); /* session_host_seen() in the last ms milliseconds */
void session_enter_iap(void);     /* IAP mode without a host (request, button, no app) */
bool session_in_iap(void);
uint32_t session_last_activity(void); /* port_millis() of the last session_host_seen/enter */
void session_touch(void);         /* restart the inactivity timer */

/* LED: steady on in IAP mode; session_error() switches to the error pattern (flash failure,
 * commit refused) until session_error_clear() (successful commit, new session). */
void session_error(void);
void session_error_clear(void);

#endif
