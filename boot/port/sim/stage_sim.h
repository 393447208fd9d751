/* The sim port's side of STAGED=1 (stage_sim.c): what port_watchdog_start was asked. */
#ifndef STAGE_SIM_H
#define STAGE_SIM_H

#include <stdint.h>

extern uint32_t sim_wdg_ms;  /* the last timeout asked (0: never since sim_wdg_clear) */
extern long sim_wdg_starts;  /* port_watchdog_start calls */
void sim_wdg_clear(void);

#endif
