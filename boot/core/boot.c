#include "boot.h"

#include "flashmgr.h"
#include "port.h"
#include "session.h"
#include "stage.h"

enum boot_decision boot_decide(uint32_t listen_ms)
{
    enum boot_decision d = BOOT_APP;
    if (port_boot_request_get() == PROTO_BKP_REQUEST) {
        port_boot_request_clear();
        d = BOOT_IAP_REQUEST;
    } else if (port_button_held()) {
        d = BOOT_IAP_BUTTON;
    } else if (!fm_app_valid(NULL)) {
        d = BOOT_IAP_NO_APP;
    } else {
        uint32_t start = port_millis();
        while (!session_in_iap() && port_millis() - start < listen_ms)
            session_poll();
        return session_in_iap() ? BOOT_IAP_HOST : BOOT_APP;
    }
    session_enter_iap();
    return d;
}

void boot_start_app(void)
{
    stage_before_jump();
    port_led(false);
    port_jump(BOOT_APP_START);
}

void boot_finish(void)
{
    port_uart_flush();
    if (fm_app_valid(NULL))
        boot_start_app();
    port_reset();
}

void boot_iap_poll(void)
{
    session_poll();
    if (port_millis() - session_last_activity() >= BOOT_IDLE_MS) {
        session_touch(); /* without a valid app, look again after another BOOT_IDLE_MS */
        if (fm_app_valid(NULL))
            boot_start_app();
    }
}

void boot_main(void)
{
    port_init();
    session_init();
    if (boot_decide(stage_boot() ? 0 : BOOT_LISTEN_MS) == BOOT_APP)
        boot_start_app();
    for (;;)
        boot_iap_poll();
}
