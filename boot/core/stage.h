/* Staged updates (docs/STAGED.md): in a STAGED=1 build (stage.c) the bootloader installs at reset
 * the image an application staged while it ran, keeps the previous one in the staging slot, boots
 * the new one on trial and swaps back when it does not confirm itself; the default build links
 * stage_none.c, whose hooks do nothing. The slots and on-flash formats: proto/stage.h. */
#ifndef BOOT_STAGE_H
#define BOOT_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the shared header of the same name, by its path: "stage.h" is this file inside boot/core */
#include "../../proto/stage.h"

/* Boots a new image gets to confirm itself, and the IWDG timeout of each (make STAGED=1
 * STAGE_TRIAL_BOOTS=N STAGE_WDG_MS=MS; at most PROTO_STAGE_MAX_BOOTS, 26214 ms). */
#ifndef STAGE_TRIAL_BOOTS
#define STAGE_TRIAL_BOOTS 3u
#endif
#ifndef STAGE_WDG_MS
#define STAGE_WDG_MS 4000u
#endif

/* The end of the application area of direct updates: the primary slot's end when the part has
 * two slots, else area_end (the flash manager's fm_app_end). */
uint32_t stage_app_end(uint32_t area_end);

/* At reset, before the boot decision: resume an install or a rollback a power cut stopped, roll a
 * trial image that used up its boots back, start a requested install (or refuse it: the result
 * goes to the staging slot's trailer for the application). true when it acted on any of them or
 * the image runs on trial: the boot then skips the listening window (the host that asked for the
 * install probes for the application meanwhile; a frame in the window would hold the trial up in
 * IAP mode). The update request and the entry button still work. */
bool stage_boot(void);

/* Before every jump to the application: a trial boot is counted and the IWDG started for it
 * (a trial image out of boots resets instead: the rollback runs at reset). */
void stage_before_jump(void);

/* INFO: PROTO_FEAT_STAGED. */
void stage_info(struct proto_info *info);

/* A native command 0x10..0x1F (PROTO_CMD_STAGE_STATUS): 0 and the answer's data in out, or a
 * negative enum proto_status (PROTO_E_CMD in the default build). */
int stage_command(uint8_t type, const uint8_t *p, size_t len, uint8_t *out, size_t *out_len);

/* Port (belongs in port.h; boot/port/stm32f1/stage_port.c, boot/port/sim/stage_sim.c): start the
 * IWDG with a timeout of about ms (RM0008 19.3: it then runs until the next reset). */
void port_watchdog_start(uint32_t ms);

#endif
