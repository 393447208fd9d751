#include "session.h"

#include <stddef.h>

#include "flashmgr.h"
#include "port.h"

/* Error pattern: two short flashes every 800 ms, distinct from the app's steady blink. */
#define LED_PERIOD_MS 800u

static const struct session_proto *active; /* protocol holding the line, or NULL */
static bool iap_mode, error, host;
static uint32_t last_activity, host_at;

void session_init(void)
{
    for (const struct session_proto *const *p = session_protos; *p; p++)
        (*p)->init();
    fm_new_session();
    active = NULL;
    iap_mode = host = false;
    error = !fm_part(); /* F_SIZE contradicts the board's part class: nothing will be written */
    last_activity = port_millis();
    port_led(false);
}

void session_touch(void) { last_activity = port_millis(); }
uint32_t session_last_activity(void) { return last_activity; }
bool session_in_iap(void) { return iap_mode; }

void session_enter_iap(void)
{
    iap_mode = true;
    session_touch();
}

void session_host_seen(void)
{
    host = true;
    host_at = port_millis();
    session_enter_iap();
}

bool session_host_within(uint32_t ms) { return host && port_millis() - host_at < ms; }
void session_error(void) { error = true; }
void session_error_clear(void) { error = !fm_part(); }

static void dispatch(uint8_t byte)
{
    if (active && active->feed(byte))
        return;
    active = NULL;
    for (const struct session_proto *const *p = session_protos; *p; p++) {
        if ((*p)->claims(byte)) {
            active = *p;
            if (!active->feed(byte))
                active = NULL;
            return;
        }
    }
}

static void led_update(void)
{
    bool on = iap_mode;
    if (error) {
        uint32_t t = port_millis() % LED_PERIOD_MS;
        on = t < 100u || (t >= 200u && t < 300u);
    }
    port_led(on);
}

void session_poll(void)
{
    static uint8_t buf[64];
    port_watchdog_kick();
    size_t n = port_uart_read(buf, sizeof buf);
    for (size_t i = 0; i < n; i++)
        dispatch(buf[i]);
    for (const struct session_proto *const *p = session_protos; *p; p++)
        if ((*p)->poll)
            (*p)->poll();
    led_update();
}
