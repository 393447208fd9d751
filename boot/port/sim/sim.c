#include "sim.h"

#include <assert.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "port.h"

uint8_t sim_flash[SIM_FLASH_MAX];
static uint32_t flash_size, page_size;
static uint8_t part_class;
long sim_erase_size_wrong;
long sim_ops, sim_pgerr, sim_boot_writes, sim_kicks;
static long cut_at, fail_at; /* absolute operation numbers, 0 = none */
static bool powered;

uint32_t sim_ms, sim_ms_step;
bool sim_button, sim_led;
uint16_t sim_bkp;
uint32_t sim_jump_addr;
size_t sim_uart_capacity;
int sim_flushes;

#define QSIZE (1u << 20)
static uint8_t rxq[QSIZE], txq[QSIZE]; /* rx: host -> device */
static size_t rx_head, rx_tail, tx_head, tx_tail;

static jmp_buf *exit_to;

static uint8_t later[PROTO_MAX_FRAME];
static size_t later_len;
static uint32_t later_at;

void sim_power_cycle(void)
{
    rx_head = rx_tail = tx_head = tx_tail = 0;
    later_len = 0;
    cut_at = fail_at = 0;
    powered = true;
    sim_led = false;
    sim_button = false;
    sim_ms = 0;
    sim_ms_step = 0;
    sim_uart_capacity = 4096;
    sim_baud = 115200;
}

void sim_reset(uint32_t size)
{
    sim_reset_part(PROTO_PART_MD, size, 1024);
}

void sim_reset_part(uint8_t cls, uint32_t size, uint32_t page)
{
    assert(size <= SIM_FLASH_MAX && page && size % page == 0);
    flash_size = size;
    page_size = page;
    part_class = cls;
    memset(sim_flash, 0xFF, size);
    sim_ops = sim_pgerr = sim_boot_writes = sim_kicks = sim_erase_size_wrong = 0;
    sim_bkp = 0;
    sim_flushes = 0;
    sim_power_cycle();
}

enum sim_exit sim_run(void (*fn)(void *), void *arg)
{
    jmp_buf env;
    jmp_buf *saved = exit_to;
    int r = setjmp(env);
    if (r == 0) {
        exit_to = &env;
        fn(arg);
    }
    exit_to = saved;
    return (enum sim_exit)r;
}

static _Noreturn void leave(enum sim_exit why)
{
    assert(exit_to && "port_jump/port_reset/power cut outside sim_run");
    longjmp(*exit_to, (int)why);
}

void sim_cut_at(long n) { cut_at = n ? sim_ops + n : 0; }
void sim_fail_at(long n) { fail_at = n ? sim_ops + n : 0; }

uint8_t *sim_flash_at(uint32_t addr)
{
    assert(addr >= PROTO_FLASH_BASE && addr - PROTO_FLASH_BASE < flash_size);
    return sim_flash + (addr - PROTO_FLASH_BASE);
}

/* Counts the operation; returns 1 when it must fail, 2 when power is cut during it. */
static int next_op(void)
{
    assert(powered);
    sim_ops++;
    if (sim_ops == cut_at)
        return 2;
    if (sim_ops == fail_at)
        return 1;
    return 0;
}

/* Like the chip, erases the page of the chip's size that holds addr, whatever size the caller
 * believes in; a caller with the wrong page size is counted (the core must know the part). */
int port_flash_erase_page(uint32_t addr, uint32_t size)
{
    if (size != page_size)
        sim_erase_size_wrong++;
    addr -= (addr - PROTO_FLASH_BASE) % page_size;
    if (addr < BOOT_APP_START) {
        sim_boot_writes++;
        return PROTO_E_FLASH;
    }
    uint8_t *p = sim_flash_at(addr);
    switch (next_op()) {
    case 1:
        return PROTO_E_FLASH;
    case 2:
        memset(p, 0xFF, page_size / 2); /* erase interrupted half way */
        powered = false;
        leave(SIM_POWER_CUT);
    default:
        break;
    }
    memset(p, 0xFF, page_size);
    return PROTO_OK;
}

int port_flash_program(uint32_t addr, const void *data, size_t len)
{
    assert(addr % 2 == 0 && len % 2 == 0);
    if (addr < BOOT_APP_START) {
        sim_boot_writes++;
        return PROTO_E_FLASH;
    }
    uint8_t *p = sim_flash_at(addr);
    assert(len <= flash_size - (addr - PROTO_FLASH_BASE));
    const uint8_t *d = data;
    size_t n = len;
    switch (next_op()) {
    case 1:
        return PROTO_E_FLASH;
    case 2:
        n = len / 4 * 2; /* half of the half-words landed */
        break;
    default:
        break;
    }
    for (size_t i = 0; i < n; i += 2) {
        bool erased = p[i] == 0xFF && p[i + 1] == 0xFF;
        if (!erased && (d[i] | d[i + 1]) != 0) {
            sim_pgerr++;
            return PROTO_E_FLASH;
        }
        p[i] = d[i];
        p[i + 1] = d[i + 1];
    }
    if (n != len) {
        powered = false;
        leave(SIM_POWER_CUT);
    }
    return PROTO_OK;
}

const uint8_t *port_flash_ptr(uint32_t addr) { return sim_flash_at(addr); }
uint32_t port_flash_size(void) { return flash_size; }
uint8_t port_part_class(void) { return part_class; }

void sim_uart_put(const void *data, size_t len)
{
    assert(rx_tail + len <= QSIZE);
    memcpy(rxq + rx_tail, data, len);
    rx_tail += len;
}

size_t sim_uart_get(void *buf, size_t max)
{
    size_t n = tx_tail - tx_head;
    if (n > max)
        n = max;
    memcpy(buf, txq + tx_head, n);
    tx_head += n;
    if (tx_head == tx_tail)
        tx_head = tx_tail = 0;
    return n;
}

size_t sim_uart_pending(void) { return tx_tail - tx_head; }
size_t sim_uart_rx_pending(void) { return rx_tail - rx_head; }

void sim_uart_put_at(uint32_t at_ms, const void *data, size_t len)
{
    assert(len <= sizeof later && later_len == 0);
    memcpy(later, data, len);
    later_len = len;
    later_at = at_ms;
}

size_t port_uart_read(uint8_t *buf, size_t max)
{
    if (later_len && (int32_t)(sim_ms - later_at) >= 0) {
        sim_uart_put(later, later_len);
        later_len = 0;
    }
    size_t n = rx_tail - rx_head;
    if (n > max)
        n = max;
    memcpy(buf, rxq + rx_head, n);
    rx_head += n;
    if (rx_head == rx_tail)
        rx_head = rx_tail = 0;
    return n;
}

void port_uart_write(const void *buf, size_t len)
{
    assert(tx_tail + len <= QSIZE);
    memcpy(txq + tx_tail, buf, len);
    tx_tail += len;
}

void port_uart_flush(void) { sim_flushes++; }
void port_uart_set_even_parity(bool even) { (void)even; }

/* The sim's USART: a 64 MHz clock with BRR = clock / baud, as USART1 on the F1 port. */
uint32_t sim_baud = 115200, sim_baud_changes;
uint32_t port_uart_baud_for(uint32_t baud)
{
    if (baud == 0)
        return 115200;
    uint32_t brr = (64000000u + baud / 2u) / baud;
    if (brr < 16u)
        return 0;
    uint32_t actual = 64000000u / brr;
    uint32_t diff = actual > baud ? actual - baud : baud - actual;
    return (uint64_t)diff * 1000u > (uint64_t)baud * PROTO_BAUD_MAX_ERR_PERMILLE ? 0 : actual;
}
uint32_t port_uart_set_baud(uint32_t baud)
{
    uint32_t actual = port_uart_baud_for(baud);
    if (actual) {
        sim_flushes++;
        sim_baud = actual;
        sim_baud_changes++;
    }
    return actual;
}
uint32_t port_uart_baud(void) { return sim_baud; }
size_t port_uart_rx_capacity(void) { return sim_uart_capacity; }

void port_init(void) {}
void port_deinit(void) {}
bool port_button_held(void) { return sim_button; }
void port_led(bool on) { sim_led = on; }
void port_watchdog_kick(void) { sim_kicks++; }

uint32_t port_millis(void)
{
    uint32_t now = sim_ms;
    sim_ms += sim_ms_step;
    return now;
}

uint16_t port_boot_request_get(void) { return sim_bkp; }
void port_boot_request_clear(void) { sim_bkp = 0; }

void port_uid(uint8_t uid[12])
{
    for (int i = 0; i < 12; i++)
        uid[i] = (uint8_t)(0x10 + i);
}

void port_reset(void) { leave(SIM_RESET); }

void port_jump(uint32_t vector_table)
{
    sim_jump_addr = vector_table;
    leave(SIM_JUMPED);
}
