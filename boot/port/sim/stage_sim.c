/* STAGED=1 on the sim port: port_watchdog_start (boot/core/stage.h) only records its timeout; the
 * tests play the watchdog's reset themselves (a power cycle). */
#include "stage_sim.h"

#include "../../core/stage.h"

uint32_t sim_wdg_ms;
long sim_wdg_starts;

void sim_wdg_clear(void)
{
    sim_wdg_ms = 0;
    sim_wdg_starts = 0;
}

void port_watchdog_start(uint32_t ms)
{
    sim_wdg_ms = ms;
    sim_wdg_starts++;
}
