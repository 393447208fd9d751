/* The real bootloader (build/boot.elf) on an in-process virtual board whose USART is one end of
 * a socketpair; a host thread drives the other end with the iap tool's own protocol client
 * (host/session.c). Used by the power-cut sweep and the self-protection tests. Prefix rb_.
 * The board is the one a build directory's board.env describes (rb_load): the default build's,
 * or a profile's, BUILD/boards/NAME (docs/BOARDS.md): its part, USART, LED and geometry. */
#ifndef RBOARD_H
#define RBOARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "emu.h"
#include "proto.h"
#include "iap_session.h"

/* The seed board's f103c8, for tests written for its geometry (test_protect). */
#define RB_FLASH_SIZE (64u * 1024u)
#define RB_PAGE_SIZE  1024u
#define RB_RECORD     PROTO_RECORD_ADDR(RB_FLASH_SIZE, RB_PAGE_SIZE)
#define RB_FLASH_MAX  (1024u * 1024u) /* the largest part: flash buffers of any board */

/* The board under test, from BUILD_DIR/board.env (the f103c8 seed board without one). */
struct rb_geo {
    char name[32];        /* the profile */
    const char *part;     /* emu_part_name() of the profile's chip */
    int uart_index, uart_remap;
    uint32_t flash_size, page_size, record, sram_size;
    unsigned banks;
    char led[8];          /* "PA4": the board's log names the pin so */
    char led_on;          /* '1' or '0': the level that lights it */
    /* The application area [app_start, app_end) as the bootloader's INFO reports it (rb_load
     * asks the real binary: 0x08004000 on a SECURE=1 build), and its feature bits. */
    uint32_t app_start, app_end, features;
};
extern struct rb_geo rb_geo;

/* An image from rb_geo.app_start: size bytes (a gap of erased flash reads 0xFF in data). */
struct rb_image {
    uint8_t data[RB_FLASH_MAX];
    uint32_t size, crc;
};

/* Build products, loaded once by rb_load(build_dir). */
extern struct rb_image rb_app[4]; /* [1] = app-v1.bin, [2] = app-v2.bin, [3] = app-xl.bin or empty */
extern char rb_boot_elf[512];
int rb_load(const char *build_dir);
/* The image of img signed for the board's application start (host/sign.c, as iap sign does):
 * 0 or an iap_error, the message in err. */
int rb_sign(struct rb_image *out, const struct rb_image *img, const char *key, uint32_t version,
            struct iap_err *err);

struct rb_board;
typedef int (*rb_host_fn)(struct rb_board *b, void *arg);

struct rb_board {
    struct emu *e;
    int fd, board_fd;          /* host end, board end */
    struct iap_transport t;    /* over fd; everything read is also kept in out[] */
    pthread_mutex_t lock;
    char out[16384];           /* what the board sent (NUL-terminated, truncated when full) */
    size_t out_n;
    pthread_t th;
    bool th_started;
    rb_host_fn host;
    void *host_arg;
    int host_rc;
    struct iap_err err;
};

struct rb_opts {
    const char *flash_file;
    bool load_boot;            /* preload build/boot.elf */
    long power_cut_at;
    uint32_t seed;
    const char *stop_on_uart;
    uint64_t stop_after_ms;
    int verbose;
    bool realtime;             /* board time never ahead of the wall clock */
};

/* Creates the board; returns 0 or -1. */
int rb_open(struct rb_board *b, const struct rb_opts *o);
/* Runs the board to a stop with host() (may be NULL) in its own thread, a SYNC frame already
 * on the line at power-on; when the board stops the line is shut, so a host still waiting fails.
 * Returns the emu exit status; b->host_rc holds host()'s return value. */
int rb_run(struct rb_board *b, rb_host_fn host, void *arg);
void rb_close(struct rb_board *b);
bool rb_saw(struct rb_board *b, const char *s);  /* the board has sent s */
/* Reads what the board sent that the host has not read yet (after rb_run). */
void rb_drain(struct rb_board *b);

/* Flash files. */
void rb_flash_blank(uint8_t *flash);             /* all 0xFF */
void rb_flash_put_app(uint8_t *flash, const struct rb_image *img, uint32_t version);
int rb_flash_write(const char *path, const uint8_t *flash);
int rb_flash_read(const char *path, uint8_t *flash);

enum rb_state { RB_NO_APP, RB_OLD, RB_NEW, RB_MIX };
/* What the flash holds by the validity rule: no valid record, the old or the new image whole,
 * or a valid record over an image that is neither (never acceptable). */
enum rb_state rb_classify(const uint8_t *flash, const struct rb_image *old_img,
                          const struct rb_image *new_img);
bool rb_record_valid(const uint8_t *flash, struct proto_record *out);

/* Host side, in the host thread: a session on b's line. */
void rb_session(struct rb_board *b, struct iap_session *s);
/* Whether the part's page holding image offset off is all 0xFF in img (as far as img goes). */
bool rb_page_blank(const struct rb_image *img, uint32_t off);
/* A whole update: connect (SYNC), write, CRC, commit, reset if asked. 0 or an iap_error. Pages
 * of the image that are all 0xFF are not sent (the image's gap: rb_image); the others are written
 * in order, so an image without such pages is written as iap writes it. */
int rb_update(struct rb_board *b, const struct rb_image *img, uint32_t version, bool reset);
/* The update iap flash makes (iap_session_flash): only the pages whose CRC differs from the
 * device's unless full, the image's CRC, COMMIT, then RESET if asked. 0 or an iap_error (a
 * device refusal: IAP_ERR_REFUSED, the status in b->err.status). */
int rb_flash(struct rb_board *b, const struct rb_image *img, uint32_t version, bool full,
             bool reset);
/* The same update by the compatibility protocols, as stm32flash and sb would do it:
 * AN3155: 0x7F, Erase (page list; Extended Erase on a dual-bank part), Write Memory in 256-byte
 * blocks, Go to the application start (commits);
 * YMODEM: '1', header block, 1 KB blocks, EOT twice, end of batch (commits, starts the app).
 * Both first settle the native SYNC that rb_run put on the line. 0 or -1. */
int rb_an3155_update(struct rb_board *b, const struct rb_image *img);
int rb_ymodem_update(struct rb_board *b, const struct rb_image *img);

/* One raw command frame with this seq; waits for its answer. Returns the status (>= -128) or
 * 1000 when nothing sensible came back. */
int rb_raw_cmd(struct rb_board *b, uint8_t type, uint8_t seq, const uint8_t *payload,
               uint16_t len, struct iap_frame *rsp);

double rb_now(void); /* wall seconds */

/* The board logs on stderr (-v lines: "] PA4 = 1", "IWDG timeout"): catch them in a temporary
 * file while no other thread prints. rb_log_end returns the file, rewound (caller fcloses). */
struct rb_log {
    FILE *f;
    int saved;
};
int rb_log_begin(struct rb_log *l);
FILE *rb_log_end(struct rb_log *l);
int rb_log_count(FILE *f, const char *s); /* lines containing s */

#endif
