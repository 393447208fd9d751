/* Host port of the bootloader for unit tests: a fake STM32F1 flash, UART byte queues, a clock the
 * test advances, button/BKP setters, and port_jump/port_reset/power cuts that longjmp back to the
 * test through sim_run(). */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_FLASH_MAX (1024u * 1024u)

/* A fresh board: flash all 0xFF (size 64 or 128 KB), empty UART, time 0, button released,
 * BKP_DR1 = 0, no fault armed, counters cleared. A medium-density part (1 KB pages). */
void sim_reset(uint32_t flash_size);
/* The same for any part: the board's part class (port_part_class), the flash size F_SIZE reads
 * and the chip's page size (which may contradict the class: the core must notice). */
void sim_reset_part(uint8_t cls, uint32_t flash_size, uint32_t page_size);
extern long sim_erase_size_wrong; /* erases asked with another page size than the chip's */
/* The medium-density part sim_reset() makes: 1 KB pages, 20 KB of SRAM. */
#define SIM_MD_PAGE 1024u
#define SIM_MD_SRAM 0x5000u
/* Power cycle: RAM-side state (UART queues, armed faults) cleared, flash and BKP kept. */
void sim_power_cycle(void);

/* How sim_run() ended. */
enum sim_exit { SIM_RETURNED, SIM_JUMPED, SIM_RESET, SIM_POWER_CUT };
/* Calls fn(arg); port_jump, port_reset and a power cut longjmp back here. */
enum sim_exit sim_run(void (*fn)(void *), void *arg);
extern uint32_t sim_jump_addr; /* argument of the last port_jump */

/* Flash: a copy of the F1 behaviour. Erased = 0xFF; a half-word is programmed only onto 0xFFFF
 * (or as 0x0000), otherwise PGERR: PROTO_E_FLASH, counted in sim_pgerr. Erase and program of the
 * bootloader pages are refused and counted in sim_boot_writes (the core must never try). */
extern uint8_t sim_flash[SIM_FLASH_MAX];
extern long sim_ops;        /* erase + program calls so far */
extern long sim_pgerr;
extern long sim_boot_writes;
void sim_cut_at(long n);    /* power cut during the n-th operation from now: half done, no more */
void sim_fail_at(long n);   /* the n-th operation from now fails with PROTO_E_FLASH, no effect */
uint8_t *sim_flash_at(uint32_t addr);

/* UART: the host's side of the wire. */
void sim_uart_put(const void *data, size_t len); /* host -> device */
size_t sim_uart_get(void *buf, size_t max);      /* device -> host */
size_t sim_uart_pending(void);                   /* device -> host bytes not yet read */
size_t sim_uart_rx_pending(void);                /* host -> device bytes not yet read */
/* Like sim_uart_put, but the bytes arrive when sim_ms reaches at_ms (one chunk at a time). */
void sim_uart_put_at(uint32_t at_ms, const void *data, size_t len);
extern size_t sim_uart_capacity;                 /* port_uart_rx_capacity, default 4096 */
extern uint32_t sim_baud, sim_baud_changes;      /* port_uart_set_baud: the USART's rate */
extern int sim_flushes;

/* Time: port_millis() returns sim_ms and then adds sim_ms_step (0: the test advances sim_ms). */
extern uint32_t sim_ms, sim_ms_step;

extern bool sim_button, sim_led;
extern uint16_t sim_bkp;
extern long sim_kicks; /* watchdog kicks */

#endif
