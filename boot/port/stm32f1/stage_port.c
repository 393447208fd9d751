/* STAGED=1 (boot/core/stage.h; to move into port.c with its prototype in port.h): the IWDG for a
 * trial boot. RM0008 19.3-19.4: 0xCCCC starts it (and forces the LSI on); 0x5555 unlocks PR and
 * RLR; PR = 6 divides the LSI, nominally 40 kHz (30 to 60 kHz on real parts), by 256: 6.4 ms per
 * count, RLR at most 0xFFF (26.2 s). The new PR and RLR take effect once SR's PVU and RVU are
 * clear (5 LSI periods, which need the LSI running: hence the start first), then the reload loads
 * the counter from the new RLR. Nothing but a reset stops it. */
#include "port.h"
#include "regs.h"

#include "../../core/stage.h"

#define IWDG_PR  REG32(0x40003004u)
#define IWDG_RLR REG32(0x40003008u)
#define IWDG_SR  REG32(0x4000300Cu)
#define IWDG_KEY_START  0xCCCCu
#define IWDG_KEY_ACCESS 0x5555u
#define IWDG_PR_256     6u
#define IWDG_WAIT_LOOPS 200000u /* > 3 ms at 64 MHz: the LSI starts in 85 us, 5 periods 167 us */

void port_watchdog_start(uint32_t ms)
{
    uint32_t rlr = ms * 5u / 32u; /* ms / 6.4 */
    if (rlr < 1u)
        rlr = 1u;
    if (rlr > 0xFFFu)
        rlr = 0xFFFu;
    IWDG_KR = IWDG_KEY_START;
    IWDG_KR = IWDG_KEY_ACCESS;
    IWDG_PR = IWDG_PR_256;
    IWDG_RLR = rlr;
    for (uint32_t n = IWDG_WAIT_LOOPS; n && IWDG_SR != 0; n--) {
    }
    IWDG_KR = IWDG_KEY_RELOAD;
}
