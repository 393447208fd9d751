/* Application side of stm32-iap: reboot into the bootloader for an update, without a button.
 * Copy app_iap.h, app_iap.c, app_cmd.c and proto/proto.h into your application. */
#ifndef APP_IAP_H
#define APP_IAP_H

#include <stdbool.h>
#include <stdint.h>

/* Leaves PROTO_BKP_REQUEST in BKP_DR1 and resets the chip: the bootloader sees the request, clears
 * it and stays in IAP mode. Flush your UART first if the last bytes matter. */
__attribute__((noreturn)) void app_request_update(void);

/* Recognises PROTO_APP_UPDATE_CMD ("\r#iap-update\r", what `iap flash` sends to a running
 * application) in a stream of received bytes. Zero-initialise, then feed every byte. */
struct app_cmd_matcher {
    uint8_t matched; /* bytes of the command matched so far */
};
/* Returns true on the byte that completes the command. */
bool app_cmd_feed(struct app_cmd_matcher *m, uint8_t c);

#endif
