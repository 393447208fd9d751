/* Native IAP wire protocol and on-flash image record, shared by the bootloader and the host tool.
 * Every multi-byte field is little-endian. docs/PROTOCOL.md is the prose version of this file. */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 2u /* 2: INFO carries the part (SRAM size, class, banks, features) */

/* ---- Memory map (every STM32F1: page size and SRAM size come from the part, INFO reports them) -- */
#define PROTO_FLASH_BASE     0x08000000u
#define PROTO_BOOT_SIZE      0x00002000u /* bootloader: pages 0..7 */
#define PROTO_APP_START      (PROTO_FLASH_BASE + PROTO_BOOT_SIZE)
/* The last page of flash holds the image record; the application area ends just below it.
 * For a 64 KB part (1 KB pages): app 0x08002000..0x0800FBFF (55 KB), record page 0x0800FC00;
 * for a 512 KB part (2 KB pages): record page 0x0807F800. */
#define PROTO_RECORD_ADDR(flash_size, page_size) (PROTO_FLASH_BASE + (flash_size) - (page_size))
#define PROTO_APP_END(flash_size, page_size)     PROTO_RECORD_ADDR(flash_size, page_size)
#define PROTO_SRAM_BASE      0x20000000u

/* Part classes of the F1 family (RM0008): page size, SRAM and banks follow from class + size. */
enum proto_part_class {
    PROTO_PART_LD = 1,   /* low density, 16-32 KB, 1 KB pages, DEV_ID 0x412 */
    PROTO_PART_MD = 2,   /* medium density, 64-128 KB, 1 KB pages, 0x410 */
    PROTO_PART_HD = 3,   /* high density, 256-512 KB, 2 KB pages, 0x414 */
    PROTO_PART_XL = 4,   /* XL density, 768 KB-1 MB, 2 KB pages, two banks, 0x430 */
    PROTO_PART_CL = 5,   /* connectivity line F105/F107, 64-256 KB, 2 KB pages, 0x418 */
    PROTO_PART_VL = 6,   /* value line F100 low/medium density, 1 KB pages, 0x420 */
    PROTO_PART_VLHD = 7, /* value line F100 high density, 2 KB pages, 0x428 */
};

/* BKP->DR1 value the application leaves before resetting to ask for an update. */
#define PROTO_BKP_REQUEST    0xB007u

/* ---- Image record: written last, makes the application bootable -------------------------------
 * Valid when magic matches, rec_crc is the CRC-32 of the first 20 bytes, size is within the
 * application area and CRC-32 of [PROTO_APP_START, PROTO_APP_START + size) equals image_crc. A power
 * cut while it is being programmed leaves erased (0xFF) half-words, which fail rec_crc. */
#define PROTO_RECORD_MAGIC   0x31504149u /* "IAP1" */
struct proto_record {
    uint32_t magic;
    uint32_t size;      /* image bytes from PROTO_APP_START */
    uint32_t image_crc; /* CRC-32 of the image */
    uint32_t version;   /* application version, opaque to the bootloader */
    uint32_t flags;     /* reserved, 0 */
    uint32_t rec_crc;   /* CRC-32 of the 20 bytes above */
};
_Static_assert(sizeof(struct proto_record) == 24, "record layout");

/* ---- Frames ------------------------------------------------------------------------------------
 *   0      1     2     3..4     5 .. 5+len-1   5+len .. 5+len+3
 *   SOF    type  seq   len(LE)  payload        CRC-32(LE) of bytes 1 .. 5+len-1 (type..payload)
 * Host -> device: commands. Device -> host: a response of type PROTO_RSP for every command, carrying
 * the command's seq, then status (int8, enum proto_status) and command-specific data. */
#define PROTO_SOF            0xA5u
#define PROTO_HDR_LEN        5u
#define PROTO_CRC_LEN        4u
#define PROTO_MAX_DATA       1024u                 /* bytes of flash data in one WRITE/READ */
#define PROTO_MAX_PAYLOAD    (8u + PROTO_MAX_DATA)   /* WRITE: addr + reserved + data */
#define PROTO_MAX_FRAME      (PROTO_HDR_LEN + PROTO_MAX_PAYLOAD + PROTO_CRC_LEN)
/* Most frames the host may have in flight unanswered (besides INFO.rx_window bytes): the device
 * takes a seq up to this far behind the expected one for a retransmission (docs/PROTOCOL.md). */
#define PROTO_MAX_INFLIGHT   32u
#define PROTO_MAX_PAGE_CRCS  (PROTO_MAX_DATA / 4u)

/* INFO.features: what this bootloader build serves. */
#define PROTO_FEAT_PAGE_CRCS (1u << 0) /* PROTO_CMD_PAGE_CRCS */
#define PROTO_FEAT_LZ4       (1u << 1) /* PROTO_CMD_WRITE_LZ4 */
#define PROTO_FEAT_SECURE    (1u << 2) /* SECURE=1 build: commits only signed images, docs/SECURITY.md */
#define PROTO_FEAT_BAUD      (1u << 3) /* PROTO_CMD_SET_BAUD */
#define PROTO_BAUD_CHECK_MS  300u  /* a frame at the new rate within this, or back to the boot rate */
#define PROTO_BAUD_IDLE_MS   3000u /* no frame for this long at a stepped-up rate: the boot rate */
#define PROTO_BAUD_MAX_ERR_PERMILLE 20u /* the device refuses a rate its USART misses by more */

enum proto_cmd {
    PROTO_CMD_INFO   = 0x01, /* -> struct proto_info; also ends the host's handshake */
    PROTO_CMD_ERASE  = 0x02, /* addr u32, len u32: erase the pages covering the range */
    PROTO_CMD_WRITE  = 0x03, /* addr u32, reserved u32 (0), data[n]; n even, addr even */
    PROTO_CMD_READ   = 0x04, /* addr u32, len u32 (<= PROTO_MAX_DATA) -> data */
    PROTO_CMD_CRC    = 0x05, /* addr u32, len u32 -> crc u32 */
    PROTO_CMD_COMMIT = 0x06, /* size u32, crc u32, version u32: check image, write the record */
    PROTO_CMD_RESET  = 0x07, /* respond, then start the application if valid, else reset */
    PROTO_CMD_SYNC   = 0x08, /* sequence restart: seq of this frame becomes the next expected */
    /* addr u32 (page aligned), count u32 (1..PROTO_MAX_PAGE_CRCS) -> crc u32 of each page:
     * what is already on the device, so the host writes only the pages that differ */
    PROTO_CMD_PAGE_CRCS = 0x09,
    /* addr u32, raw_len u32 (even, <= PROTO_MAX_DATA), then one LZ4 block that decodes to
     * exactly raw_len bytes: a WRITE of those bytes */
    PROTO_CMD_WRITE_LZ4 = 0x0A,
    /* baud u32 -> actual u32: the device answers at the current rate, then switches to the
     * closest rate its USART makes (refused beyond 2 %). It goes back to the boot rate unless a
     * valid frame arrives at the new rate within PROTO_BAUD_CHECK_MS, and after
     * PROTO_BAUD_IDLE_MS without a frame. baud = 0: back to the boot rate now. */
    PROTO_CMD_SET_BAUD  = 0x0B,
    /* 0x10..0x1F: reserved for the staged-update commands (an application's receiver) */
    PROTO_RSP        = 0x80,
};

/* Bootloader status codes, sent as int8 in responses. 0 = OK, negative = refusal. */
enum proto_status {
    PROTO_OK           = 0,
    PROTO_E_CRC        = -1,  /* frame CRC mismatch (resend) */
    PROTO_E_SEQ        = -2,  /* unexpected sequence number: payload u8 = expected seq */
    PROTO_E_LEN        = -3,  /* payload length wrong for the command */
    PROTO_E_CMD        = -4,  /* unknown command */
    PROTO_E_RANGE      = -5,  /* address range outside the application area */
    PROTO_E_ALIGN      = -6,  /* odd address or length */
    PROTO_E_FLASH      = -7,  /* flash controller error (PGERR/WRPRTERR/timeout) */
    PROTO_E_NOT_ERASED = -8,  /* write onto a non-erased cell with different data */
    PROTO_E_VERIFY     = -9,  /* read-back after programming differs */
    PROTO_E_IMAGE_CRC  = -10, /* COMMIT: image CRC differs from the host's */
    PROTO_E_VECTOR     = -11, /* COMMIT: initial SP / reset vector not plausible */
    PROTO_E_SIZE       = -12, /* COMMIT: size zero or larger than the application area */
    PROTO_E_PART       = -13, /* the flash size read from the chip contradicts the board's part
                                 class: the bootloader does not write (wrong build?) */
    PROTO_E_LZ4        = -14, /* WRITE_LZ4: the block does not decode to raw_len bytes */
    /* COMMIT in a SECURE=1 build (docs/SECURITY.md): */
    PROTO_E_UNSIGNED   = -15, /* no signature trailer at the end of the image (or it is cut) */
    PROTO_E_SIG_KEY    = -16, /* signed with another key than the one built into the device */
    PROTO_E_SIG        = -17, /* the signature does not verify: a changed bit, a forgery */
    PROTO_E_ROLLBACK   = -18, /* the image's version is below the device's version floor */
    PROTO_E_BAUD       = -19, /* SET_BAUD: the USART cannot make that rate within 2 % */
    /* -20..-29: reserved for the staged-update statuses */
};

/* INFO response data (after the status byte). */
struct proto_info {
    uint8_t  proto_version;
    uint8_t  boot_major, boot_minor, boot_patch;
    uint32_t chip_id;      /* the part's DEV_ID (DBGMCU_IDCODE is unreadable from software) */
    uint32_t flash_size;   /* bytes, from F_SIZE; 0 when it contradicts the part class */
    uint32_t app_start;
    uint32_t app_end;      /* exclusive */
    uint16_t page_size;
    uint16_t max_data;     /* largest WRITE/READ data field */
    uint32_t rx_window;    /* bytes of frames the host may have in flight unanswered */
    uint16_t erase_ms;     /* worst-case page erase time */
    uint16_t prog_us;      /* worst-case half-word program time */
    uint32_t app_valid;    /* 1 if a valid image record is present */
    uint32_t app_size;
    uint32_t app_crc;
    uint32_t app_version;
    uint32_t listen_ms;    /* listening window after reset (0 = disabled) */
    uint8_t  uid[12];
    uint32_t sram_size;    /* bytes from PROTO_SRAM_BASE: an image's initial SP lies in it */
    uint8_t  part_class;   /* enum proto_part_class of the board profile */
    uint8_t  banks;
    uint16_t reserved0;
    uint32_t features;     /* PROTO_FEAT_* of this build */
    uint32_t version_floor; /* SECURE: images below this version are refused (else 0) */
    uint8_t  pubkey[32];   /* SECURE: the built-in Ed25519 public key (else zeros): the host
                              checks a signed image against it before it touches flash */
    uint32_t reserved1;
};
_Static_assert(sizeof(struct proto_info) == 116, "info layout");

/* ---- Signed images (SECURE=1 builds; docs/SECURITY.md) ----------------------------------------
 * The signed image is the application (image_size bytes from app_start, padded with 0xFF to a
 * multiple of 4) followed by this trailer; the whole is what is written and committed. The
 * Ed25519 signature covers the trailer's first PROTO_SIG_SIGNED bytes, then the padded image. */
#define PROTO_SIG_MAGIC   0x53504149u /* "IAPS" */
#define PROTO_SIG_VERSION 1u
struct proto_sig {
    uint32_t magic;
    uint16_t header_version; /* PROTO_SIG_VERSION */
    uint16_t flags;          /* 0 */
    uint32_t image_size;     /* bytes before the trailer (a multiple of 4) */
    uint32_t image_version;  /* the anti-rollback version */
    uint32_t app_start;      /* where the image is linked */
    uint8_t  key_id[8];      /* the signing key's id: tells a wrong key apart */
    uint32_t reserved;       /* 0 */
    uint8_t  sig[64];        /* Ed25519 */
};
_Static_assert(sizeof(struct proto_sig) == 96, "signature trailer layout");
#define PROTO_SIG_SIGNED 32u /* bytes of the trailer the signature covers (up to sig) */
/* A key's id (its fingerprint): the first 8 bytes of SHA-512 of the 32-byte public key. */

/* The template application reboots into the bootloader when it receives this line on USART1. */
#define PROTO_APP_UPDATE_CMD "\r#iap-update\r"

/* CRC-32 (ISO-HDLC / zlib: reflected 0xEDB88320, init and final xor 0xFFFFFFFF).
 * Start with crc = 0 and feed chunks: crc = proto_crc32(crc, p, n). */
uint32_t proto_crc32(uint32_t crc, const void *data, size_t len);

static inline uint32_t proto_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint16_t proto_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline void proto_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void proto_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

#endif
