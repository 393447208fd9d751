/* Staged updates (docs/STAGED.md): the application receives the next image into a staging slot
 * while it runs; the bootloader installs it at reset by swapping it with the running one, boots it
 * on trial and swaps back if it does not confirm itself. This header is what the bootloader
 * (boot/core/stage.c), the application (examples/template/app_stage.c) and iap (host/staged.c)
 * share: the layout of the slots, the two on-flash formats (the staging slot's trailer page and
 * the status pages), the commands 0x10..0x1F and the statuses -20..-29. Every multi-byte field is
 * little-endian; a mark is a half-word that counts once it left 0xFFFF (programmed 0x0000). */
#ifndef PROTO_STAGE_H
#define PROTO_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* INFO.features: the bootloader is a STAGED=1 build (it answers PROTO_CMD_STAGE_STATUS).
 * (to move to proto.h's PROTO_FEAT_* list) */
#define PROTO_FEAT_STAGED (1u << 4)

/* ---- Layout -------------------------------------------------------------------------------------
 * From the application start to the area end (the record page, less the SECURE floor's pages):
 *
 *   primary slot   M pages     the image that runs (the application area of direct updates)
 *   staging slot   M + 2 pages page 0: free for the swap; pages 1..M: the staged image;
 *                              page M + 1: the trailer (struct proto_stage_trailer)
 *   (0 or 1 spare page)
 *   status pages   2 pages     struct proto_stage_hdr and its marks, used in turn
 *
 * M = (pages - 4) / 2. A part whose M pages hold less than PROTO_STAGE_MIN_IMAGE keeps the
 * direct mode (the whole area is the application area, as without STAGED=1). */
#define PROTO_STAGE_MIN_IMAGE 0x8000u /* 32 KB */

struct proto_stage_layout {
    uint32_t page;    /* page size */
    uint32_t primary; /* primary slot: the application start */
    uint32_t slot;    /* bytes an image may have: M pages */
    uint32_t staging; /* staging slot, page 0 */
    uint32_t image;   /* staging + page: where a staged image's byte 0 goes */
    uint32_t trailer; /* the trailer page: image + slot */
    uint32_t status;  /* the two status pages: status, status + page */
};

/* ---- The staging slot's trailer page: the application's request ---------------------------------
 * Written by the application: erased when a transfer begins, the header once the staged image's
 * CRC is checked (hdr_crc last), then the request mark. Written by the bootloader: result, when it
 * takes the request (0x0000: installed; otherwise the refusal, enum proto_status as int16). */
#define PROTO_STAGE_TRAILER_MAGIC 0x54535049u /* "IPST" */
struct proto_stage_trailer {
    uint32_t magic;
    uint32_t size;    /* bytes of the staged image (linked for the primary slot) */
    uint32_t crc;     /* CRC-32 of those bytes */
    uint32_t version; /* the host's version for the record (SECURE: the signature's) */
    uint32_t hdr_crc; /* CRC-32 of the 16 bytes above */
    uint16_t request; /* mark: install at the next reset */
    uint16_t result;  /* 0xFFFF: not taken yet */
};
_Static_assert(sizeof(struct proto_stage_trailer) == 24, "trailer layout");

/* ---- Status pages: the bootloader's record of an install or a rollback ---------------------------
 * An operation erases the status page that is not current, programs the header (hdr_crc last),
 * then the started mark: from there on the page is current (a valid, started header with the
 * higher seq) and the operation is resumed at every reset until its done mark. It erases the
 * record page before its first step and writes the record of to_primary after its last. Each step
 * copies one page and is marked once its copy is verified; a step cut short is redone (its source
 * is intact until the next step). The trial's marks follow. */
#define PROTO_STAGE_HDR_MAGIC 0x31545349u /* "IST1" */
enum proto_stage_op {
    PROTO_STAGE_OP_INSTALL = 1,  /* staging -> primary, the running image -> staging */
    PROTO_STAGE_OP_ROLLBACK = 2, /* the reverse: the failed image back to the staging slot */
};
struct proto_stage_img {
    uint32_t size, crc, version;
};
struct proto_stage_hdr {
    uint32_t magic;
    uint32_t seq;       /* counts operations; the higher valid one is current */
    uint8_t op;         /* enum proto_stage_op */
    uint8_t trial_max;  /* boots the new image gets to confirm itself */
    uint16_t pages;     /* n: pages the operation swaps (2n steps) */
    uint32_t wdg_ms;    /* the IWDG timeout of a trial boot */
    struct proto_stage_img to_primary; /* the image the operation makes the running one */
    struct proto_stage_img to_staging; /* the one it keeps in the staging slot */
    uint32_t hdr_crc;   /* CRC-32 of the 40 bytes above */
};
_Static_assert(sizeof(struct proto_stage_hdr) == 44, "status header layout");

/* Mark offsets in a status page. Step k (0 <= k < 2n) at PROTO_STAGE_STEP_OFF + 2k; the rest at
 * the end of the page (PROTO_STAGE_TAIL bytes). */
#define PROTO_STAGE_STEP_OFF   64u
#define PROTO_STAGE_TAIL       32u
#define PROTO_STAGE_STARTED(page) ((page) - 32u) /* the header is whole: the op counts */
#define PROTO_STAGE_DONE(page)    ((page) - 30u) /* the record of to_primary is written */
#define PROTO_STAGE_CONFIRM(page) ((page) - 28u) /* the application confirmed (install) */
#define PROTO_STAGE_BOOT(page, i) ((page) - 26u + 2u * (i)) /* trial boot i started */
#define PROTO_STAGE_MAX_BOOTS  8u
/* The most pages one operation may swap on a page of this size. */
#define PROTO_STAGE_MAX_PAGES(page) (((page) - PROTO_STAGE_STEP_OFF - PROTO_STAGE_TAIL) / 4u)

/* ---- What the flash says, for the bootloader, the application and iap ----------------------------*/
enum proto_stage_state {
    PROTO_STAGE_NONE = 0,         /* no operation (or a direct update replaced its image) */
    PROTO_STAGE_INSTALLING = 1,   /* an install stopped part-way: the next reset resumes it */
    PROTO_STAGE_TRIAL = 2,        /* the installed image runs on trial until it confirms */
    PROTO_STAGE_CONFIRMED = 3,    /* it confirmed itself: it stays */
    PROTO_STAGE_ROLLING_BACK = 4, /* a rollback stopped part-way: the next reset resumes it */
    PROTO_STAGE_ROLLED_BACK = 5,  /* the image failed its trial: the previous one runs again */
};
enum proto_stage_staged {
    PROTO_STAGED_NONE = 0,      /* no staged image (erased, or a transfer under way) */
    PROTO_STAGED_READY = 1,     /* a checked image waits in the staging slot */
    PROTO_STAGED_REQUESTED = 2, /* to be installed at the next reset */
    PROTO_STAGED_TAKEN = 3,     /* the bootloader took it: installed, or refused (result) */
};

struct proto_stage_view {
    int cur;                     /* status page of the current operation, or -1 */
    struct proto_stage_hdr hdr;  /* valid when cur >= 0 */
    uint32_t steps;              /* steps done (leading marks) */
    uint32_t boots;              /* trial boots started */
    bool done, confirmed;
    bool record;                 /* the record page holds a record (magic, rec_crc) */
    struct proto_record rec;     /* it, when record */
    uint8_t state;               /* enum proto_stage_state */
    uint8_t staged;              /* enum proto_stage_staged */
    int16_t result;              /* PROTO_STAGED_TAKEN: 0 installed, else a refusal */
    struct proto_stage_trailer trailer; /* valid when staged != NONE */
};

/* Reads flash (the bootloader: port_flash_ptr; the application: the address itself). */
typedef const uint8_t *(*proto_stage_rd)(uint32_t addr);

/* The layout for an application start, the end of the area the slots may use, and the page size:
 * true when the part gets two slots, false for the direct mode (*l then undefined). */
bool proto_stage_layout(struct proto_stage_layout *l, uint32_t app_start, uint32_t area_end,
                        uint32_t page);
/* Reads both status pages, the trailer and the record (at record_addr) into *v. An operation
 * whose image was since replaced by a direct update (another valid record) is PROTO_STAGE_NONE. */
void proto_stage_view(struct proto_stage_view *v, const struct proto_stage_layout *l,
                      proto_stage_rd rd, uint32_t record_addr);
/* The header as the bootloader programs it: hdr_crc over the fields before it. */
void proto_stage_hdr_seal(struct proto_stage_hdr *h);
/* The trailer's header (magic, size, crc, version, hdr_crc); request and result erased. */
void proto_stage_trailer_make(struct proto_stage_trailer *t, uint32_t size, uint32_t crc,
                              uint32_t version);
/* The page-copy steps of an operation: step k copies *src to *dst (absolute addresses). */
void proto_stage_step(const struct proto_stage_layout *l, uint8_t op, uint32_t pages, uint32_t k,
                      uint32_t *dst, uint32_t *src);

/* ---- Commands (an application's receiver; STAGE_STATUS also the STAGED=1 bootloader) ------------
 * The application's receiver speaks the native frames (proto.h) with the same sequencing, but
 * answers no SYNC: a plain `iap flash` finds no bootloader there and sends PROTO_APP_UPDATE_CMD. It
 * also takes WRITE, CRC and PAGE_CRCS inside the staging image area (INFO-less: the STAGE_STATUS
 * answer carries what iap needs), and refuses every other address with PROTO_E_RANGE. */
enum proto_stage_cmd {
    /* -> struct proto_stage_status. The application takes it at any seq (a sequence restart,
     * like SYNC): it opens a staged session. */
    PROTO_CMD_STAGE_STATUS = 0x10,
    /* size u32, version u32: a transfer begins (or resumes): the trailer is erased, the pages
     * already written stay (PAGE_CRCS tells which), a page is erased the first time this
     * session writes it. PROTO_E_STAGE_TRIAL while the running image is on trial. */
    PROTO_CMD_STAGE_BEGIN = 0x11,
    /* crc u32: the staged image's CRC-32 must be this (E_IMAGE_CRC), its vectors plausible for
     * the primary slot (E_VECTOR); then the trailer's header is written. */
    PROTO_CMD_STAGE_FINISH = 0x12,
    /* the request mark; answered, then the application resets and the bootloader installs. */
    PROTO_CMD_STAGE_INSTALL = 0x13,
};
#define PROTO_CMD_STAGE_FIRST 0x10u
#define PROTO_CMD_STAGE_LAST  0x1Fu

enum proto_stage_status_code {
    PROTO_E_STAGE_MODE = -20,    /* no staging slot: the part is too small (direct mode) */
    PROTO_E_STAGE_TRIAL = -21,   /* the running image is on trial: the staging slot holds the way
                                    back until it confirms */
    PROTO_E_STAGE_ORDER = -22,   /* WRITE/FINISH before BEGIN, INSTALL before FINISH */
    PROTO_E_STAGE_CURRENT = -23, /* the staged image is the one running: nothing to install */
    PROTO_E_STAGE_NO_APP = -24,  /* no valid image in the primary slot to keep as the way back */
};

enum proto_stage_role { PROTO_STAGE_ROLE_BOOT = 1, PROTO_STAGE_ROLE_APP = 2 };
#define PROTO_STAGE_F_SECURE (1u << 0) /* images are checked against a signature at install */

/* STAGE_STATUS answer data (after the status byte). */
struct proto_stage_status {
    uint8_t role;        /* enum proto_stage_role: who answered */
    uint8_t mode;        /* 1: staged; 0: direct (the part has no room for two slots) */
    uint8_t state;       /* enum proto_stage_state */
    uint8_t staged;      /* enum proto_stage_staged */
    int8_t result;       /* PROTO_STAGED_TAKEN: 0 installed, else the bootloader's refusal */
    uint8_t trial_boots; /* TRIAL: boots started */
    uint8_t trial_max;   /* boots a trial image gets */
    uint8_t flags;       /* PROTO_STAGE_F_* */
    uint32_t page_size;
    uint32_t primary;    /* the primary slot (the application start) */
    uint32_t image;      /* where the staged image's byte 0 goes */
    uint32_t slot_size;  /* bytes an image may have */
    uint32_t sram_size;  /* the part's SRAM: an image's initial SP lies in it */
    struct proto_stage_img running;  /* the primary slot's record (zeros without one) */
    struct proto_stage_img previous; /* TRIAL/CONFIRMED: the image kept as the way back;
                                        ROLLED_BACK: the image that failed its trial */
    struct proto_stage_img staged_img; /* the trailer's, when staged != NONE */
    uint32_t wdg_ms;     /* IWDG timeout of a trial boot */
    /* the application's receiver (role APP; zeros from the bootloader) */
    uint32_t rx_window;  /* bytes of frames in flight */
    uint16_t max_data;   /* WRITE data per frame */
    uint16_t erase_ms;   /* worst-case page erase */
    uint16_t prog_us;    /* worst-case half-word program */
    uint16_t reserved;
    uint32_t uptime_s;   /* seconds the application has run */
};
#define PROTO_STAGE_STATUS_LEN 84u
/* The fields the flash says (mode 1: staged), from a layout and its view; the answering side adds
 * role, flags, sram_size and its receiver's fields. */
void proto_stage_status_fill(struct proto_stage_status *st, const struct proto_stage_layout *l,
                             const struct proto_stage_view *v);
void proto_stage_status_encode(uint8_t *out, const struct proto_stage_status *st);
int proto_stage_status_decode(struct proto_stage_status *st, const uint8_t *p, size_t len);

/* Names for messages: "TRIAL", "REQUESTED", "E_STAGE_TRIAL (...)"; "?" (statuses: NULL) when
 * unknown. */
const char *proto_stage_state_name(uint8_t state);
const char *proto_stage_staged_name(uint8_t staged);
const char *proto_stage_status_name(int status);

#endif
