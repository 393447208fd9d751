/* Hardware layer of the bootloader. One implementation per port, chosen at link time:
 * port/stm32f1 (the real chip) and port/sim (host unit tests, fake F1 flash).
 * The portable core (boot/core) touches hardware only through these functions. */
#ifndef PORT_H
#define PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* The bootloader's size is a build setting (make SECURE=1: 16 KB, application at 0x08004000). */
#ifndef BOOT_SIZE
#define BOOT_SIZE 0x2000u
#endif
#define BOOT_APP_START (PROTO_FLASH_BASE + BOOT_SIZE)

/* Clocks, GPIO (the board profile's entry input and LED), its USART at 115200 8N1 with DMA
 * reception, SysTick millisecond time base. */
void port_init(void);
/* Put every peripheral the bootloader touched back to its reset state (clock tree on HSI,
 * USART1/DMA/GPIO/SysTick off, pending interrupts cleared). Called before jumping. */
void port_deinit(void);

bool port_button_held(void);           /* the profile's entry input at its active level */
void port_led(bool on);                /* the profile's LED, at its active level */
uint32_t port_millis(void);            /* monotonic, wraps at 2^32 ms */
void port_watchdog_kick(void);         /* reloads the IWDG if an application started it */

/* The profile's USART. Reception never loses bytes while the CPU is stalled by flash (DMA ring
 * buffer). */
size_t port_uart_read(uint8_t *buf, size_t max); /* bytes copied; with none waiting it may first
                                                  * sleep until an interrupt (<= 1 ms) */
void port_uart_write(const void *buf, size_t len); /* returns when the bytes are queued/sent */
void port_uart_flush(void);                       /* waits until the last byte left the wire */
void port_uart_set_even_parity(bool even);        /* 8N1 <-> 8E1 (AN3155) */
/* Flushes, then runs the USART at the rate closest to baud its clock makes, if within
 * PROTO_BAUD_MAX_ERR_PERMILLE: returns that rate, or 0 (rate unchanged). baud = 0: the boot rate
 * (always possible). */
uint32_t port_uart_set_baud(uint32_t baud);
uint32_t port_uart_baud(void);                    /* the rate the USART runs at now */
/* The closest rate to baud the USART can make, or 0 beyond the tolerance: nothing changes. */
uint32_t port_uart_baud_for(uint32_t baud);
size_t port_uart_rx_capacity(void);               /* size of the receive ring buffer */

/* Flash. Addresses are absolute (0x08xxxxxx). Program/erase return 0 or a negative proto_status
 * (PROTO_E_FLASH). Reads are plain memory reads: port_flash_ptr(addr). */
uint32_t port_flash_size(void);                   /* bytes, F_SIZE as read before the clock rose */
uint8_t port_part_class(void);                    /* enum proto_part_class of the board profile */
/* addr: start of a page of page_size bytes (the part's: 1 or 2 KB); XL bank 2 by address. */
int port_flash_erase_page(uint32_t addr, uint32_t page_size);
int port_flash_program(uint32_t addr, const void *data, size_t len); /* half-words, addr/len even */
const uint8_t *port_flash_ptr(uint32_t addr);

/* Backup register DR1: the application's update request survives the reset. */
uint16_t port_boot_request_get(void);
void port_boot_request_clear(void);

void port_uid(uint8_t uid[12]);

__attribute__((noreturn)) void port_reset(void);  /* SYSRESETREQ */
/* Undo port_init, set VTOR = vector_table, MSP = its word 0, branch to its word 1. */
__attribute__((noreturn)) void port_jump(uint32_t vector_table);

#endif
