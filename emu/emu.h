/* Virtual STM32F1 board: public API (used by emu/main.c and by tests in-process). */
#ifndef EMU_H
#define EMU_H

#include <stdbool.h>
#include <stdint.h>

enum emu_uart_mode { EMU_UART_NONE, EMU_UART_PTY, EMU_UART_STDIO, EMU_UART_TCP, EMU_UART_FD };

#define EMU_MAX_PRELOAD 8
#define EMU_MAX_PIN_EVENTS 16

struct emu_pin_event {        /* drive an input pin at an emulated time */
    uint64_t at_ns;
    uint8_t port;             /* 0 = A, 1 = B, ... (the part's GPIO ports) */
    uint8_t pin;              /* 0..15 */
    int8_t level;             /* 1 high, 0 low, -1 released (floating: pull-up/down decides) */
};

/* How the bridge knows the host's rate (docs/EMULATOR.md: a line the two sides disagree on). */
enum emu_host_baud {
    EMU_HOST_BAUD_DEFAULT = 0, /* $STM32EMU_LINE = strict, auto or any; unset: auto */
    EMU_HOST_BAUD_AUTO,   /* pty: the rate the host set, once it differs from the pty's initial one */
    EMU_HOST_BAUD_ANY,    /* never checked: the bridge carries bytes at any rate */
    EMU_HOST_BAUD_STRICT, /* pty: the pty's rate, set by the host or not */
    EMU_HOST_BAUD_FIXED,  /* host_baud_rate, whatever the bridge (tcp, fd, stdio too) */
};

/* The host's framing: 8 data bits with no, even or odd parity; MATCH = whatever the USART uses. */
enum emu_parity { EMU_PARITY_MATCH = 0, EMU_PARITY_NONE, EMU_PARITY_EVEN, EMU_PARITY_ODD };

struct emu_config {
    const char *part;         /* emu_part_name(): "f103c8" (NULL: from flash_size, else f103c8) */
    const char *flash_file;   /* persistent flash image; created erased (0xFF) when missing */
    uint32_t flash_size;      /* KB: 0 = the part's; without part, 64 = f103c8, 128 = f103cb */
    struct { const char *path; uint32_t addr; } preload[EMU_MAX_PRELOAD]; /* .elf (addr ignored) or .bin */
    int npreload;
    enum emu_uart_mode uart_mode;
    int uart_index;           /* the USART the host bridge is wired to: 1..3 (0 = USART1) */
    int uart_remap;           /* at the pins of this AFIO_MAPR remap value (0 = default pins;
                                 USART1/2: 1 = remapped; USART3: 1 = partial, 3 = full) */
    enum emu_host_baud host_baud; /* the host's rate, checked against the USART's */
    uint32_t host_baud_rate;  /* EMU_HOST_BAUD_FIXED */
    enum emu_parity host_parity; /* the host's framing, checked against the USART's */
    uint32_t line_seed;       /* sampling phases on a line the sides disagree on (0 = default) */
    const char *pty_link;     /* EMU_UART_PTY: stable symlink to the pty slave, may be NULL */
    int tcp_port;             /* EMU_UART_TCP: listen on 127.0.0.1:port */
    int uart_fd;              /* EMU_UART_FD: a connected fd (socketpair/pipe end) */
    bool realtime;            /* emulated time never runs ahead of the wall clock */
    uint64_t stop_after_ns;   /* 0 = no limit */
    const char *stop_on_uart; /* stop (exit 0) once the host has received this string */
    bool stop_on_bkpt;        /* stop on bkpt: exit status = r0 & 0xff */
    struct emu_pin_event pins[EMU_MAX_PIN_EVENTS]; /* at_ns 0 = level at power-on */
    int npins;
    long power_cut_at;        /* cut power at the Nth flash erase/program operation (1-based; 0 = never) */
    uint32_t power_cut_seed;  /* what an interrupted operation leaves is drawn from this seed */
    int verbose;              /* 0 quiet, 1 events (GPIO, resets), 2 + every peripheral access */
    uint32_t flash_prog_ns;   /* half-word program time (0 = 52.5 us typ.) */
    uint32_t flash_erase_ns;  /* page or mass erase time (0 = 20 ms) */
};

enum emu_exit {
    EMU_EXIT_OK = 0,          /* a stop condition was met (string seen, time elapsed, bkpt r0==0) */
    EMU_EXIT_SETUP = 1,       /* bad options, missing file, pty/tcp failure */
    EMU_EXIT_FAULT = 2,       /* unimplemented access, lockup, unrecoverable CPU error */
    EMU_EXIT_POWER_CUT = 3,   /* power was cut as asked by power_cut_at */
    EMU_EXIT_TIMEOUT = 4,     /* stop_after_ns elapsed before stop_on_uart was seen */
    /* bkpt with r0 != 0 exits with r0 & 0xff (tests use values >= 16) */
};

const char *emu_part_name(int i);                       /* the parts, NULL past the last */

struct emu;
struct emu *emu_create(const struct emu_config *cfg);   /* NULL on setup error (logged) */
int emu_run(struct emu *e);                             /* runs to a stop, returns an emu_exit/bkpt code */
void emu_set_pin(struct emu *e, int port, int pin, int level); /* at run time, from the host side */
uint64_t emu_now_ns(const struct emu *e);
long emu_flash_ops(const struct emu *e);                /* erase+program operations so far */
void emu_destroy(struct emu *e);                        /* writes the flash image back */

#endif
