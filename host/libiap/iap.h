/* libiap: put firmware on an STM32F1 running the stm32-iap bootloader from your own program -- the
 * session, file formats and transports of the iap tool as a library (docs/LIBIAP.md).
 *
 *   struct iap_options o;
 *   iap_options_init(&o);                      defaults: 115200 baud, 500 ms slack, 8 retries
 *   o.progress = my_progress;                  optional callbacks; the library never prints
 *   iap_device *d = iap_new(&o);               NULL only when out of memory
 *   int rc = iap_open(d, "/dev/ttyUSB0");      or "tcp://HOST:PORT", "rfc2217://HOST:PORT"
 *   if (rc == 0)
 *       rc = iap_flash_file(d, "app.hex", NULL, NULL);
 *   if (rc < 0)
 *       fprintf(stderr, "%s\n", iap_last_error(d));   one line: what happened, what to do
 *   iap_free(d);                               closes the port too
 *
 * Every function returning int returns 0 (IAP_ERR_NONE) or a negative enum iap_error. A handle
 * belongs to one thread at a time; separate handles (one per board) may be used from separate
 * threads at once: the library has no global state. Structures the caller fills begin with their
 * size (set by the *_init function), so fields can be appended in later minor versions without
 * breaking programs built against this one. */
#ifndef LIBIAP_IAP_H
#define LIBIAP_IAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IAP_LIB_VERSION_MAJOR 1 /* the soname: libiap.so.1 */
#define IAP_LIB_VERSION_MINOR 0
#define IAP_LIB_VERSION_PATCH 0

/* What the library exports (and only that): the header's functions. A program that uses iap.dll
 * needs no import declaration for functions. */
#if defined(IAP_BUILD_LIBRARY) && defined(_WIN32)
#define IAP_API __declspec(dllexport)
#elif defined(IAP_BUILD_LIBRARY) && defined(__GNUC__)
#define IAP_API __attribute__((visibility("default")))
#else
#define IAP_API
#endif

/* 0 = success, negative = error; the iap tool maps each to its exit code (docs/iap.md). */
enum iap_error {
    IAP_ERR_NONE = 0,
    IAP_ERR_USAGE = -1,     /* a bad argument (an address outside flash, an unknown format) */
    IAP_ERR_FILE = -2,      /* cannot read or write a file */
    IAP_ERR_FORMAT = -3,    /* malformed or unknown file format */
    IAP_ERR_FIT = -4,       /* image does not fit the application area or is linked elsewhere */
    IAP_ERR_PORT = -5,      /* cannot open the port, or it vanished */
    IAP_ERR_NO_ANSWER = -6, /* no bootloader answered the handshake */
    IAP_ERR_TRANSFER = -7,  /* transfer failed after the retries */
    IAP_ERR_REFUSED = -8,   /* the device answered with a refusal status */
    IAP_ERR_VERIFY = -9,    /* device contents differ from the image */
    IAP_ERR_NOMEM = -10,    /* out of memory */
    IAP_ERR_PROTOCOL = -11, /* the device answered something this library does not understand */
};

/* The short name of an error code ("port error"); never NULL. */
IAP_API const char *iap_strerror(int code);
/* The library's version, "1.0.0". */
IAP_API const char *iap_lib_version(void);

typedef struct iap_device iap_device;

/* op: "flash" (total: the bytes to write, only pages that differ), "read", "verify". */
typedef void (*iap_progress_fn)(void *ctx, const char *op, uint64_t done, uint64_t total);
/* A note worth showing a user ("no bootloader answered: asking the application to reboot"). */
typedef void (*iap_log_fn)(void *ctx, const char *msg);

struct iap_options {
    size_t size;          /* sizeof(struct iap_options), set by iap_options_init */
    unsigned baud;        /* the boot rate of the handshake (115200) */
    unsigned baud_max;    /* then step up to the fastest rate up to this that the device and port
                             both make; 0 (default): stay at baud */
    int timeout_ms;       /* slack added to every computed response time (500) */
    int retries;          /* resends without progress before giving up (8) */
    unsigned window;      /* frames in flight; 0 (default): as many as the device buffers */
    int connect_ms;       /* TCP connect timeout (5000) */
    int app_request;      /* ask a running application to reboot into the bootloader (1) */
    iap_progress_fn progress;
    void *progress_ctx;
    iap_log_fn log;
    void *log_ctx;
};
IAP_API void iap_options_init(struct iap_options *o);

/* A handle with these options (NULL: the defaults); NULL only when out of memory. */
IAP_API iap_device *iap_new(const struct iap_options *o);
/* Closes the port if open, frees the handle. NULL is allowed. */
IAP_API void iap_free(iap_device *d);
/* Opens a serial device ("/dev/ttyUSB0", "COM5"), "tcp://HOST:PORT" (a raw bridge) or
 * "rfc2217://HOST:PORT" (a telnet bridge that sets its line as asked), then the handshake: a
 * running application is asked to reboot into the bootloader (app_request), the device's INFO is
 * read, and the rate is stepped up (baud_max). A handle already open is closed first. */
IAP_API int iap_open(iap_device *d, const char *port);
/* Leaves the device as it is (in the bootloader unless iap_reset or a flash started it), closes
 * the port; the handle may be opened again. */
IAP_API void iap_close(iap_device *d);
/* The message of the last call that failed on this handle: one line that says what happened and
 * what to do, e.g. "no bootloader answered on /dev/ttyUSB0 at 115200 baud: hold PA0 while
 * resetting the board, or check the port". "" after a success. */
IAP_API const char *iap_last_error(const iap_device *d);

struct iap_info {
    unsigned protocol;                        /* wire protocol version */
    unsigned boot_major, boot_minor, boot_patch;
    uint32_t chip_id;                         /* DEV_ID, e.g. 0x410 */
    uint32_t flash_size, page_size, sram_size; /* bytes */
    unsigned banks;
    uint32_t app_start, app_end;              /* the application area, end exclusive */
    int app_valid;                            /* a valid application is installed */
    uint32_t app_size, app_crc, app_version;
    uint32_t features;                        /* PROTO_FEAT_* (proto/proto.h) */
    int secure;                               /* a SECURE=1 bootloader: images must be signed */
    uint32_t version_floor;                   /* SECURE: the lowest version accepted */
    uint8_t uid[12];                          /* the chip's unique ID */
    unsigned baud;                            /* the line rate now (after a step-up) */
    int app_rebooted;                         /* the handshake had to ask a running app to reboot */
};
/* The device's INFO as read by iap_open (or refreshed after a flash). */
IAP_API int iap_get_info(iap_device *d, struct iap_info *info);

struct iap_flash_options {
    size_t size;           /* sizeof(struct iap_flash_options), set by iap_flash_options_init */
    const char *format;    /* "bin", "hex", "srec", "elf"; NULL: from the name, then content */
    uint32_t address;      /* load address of raw binary data; 0: the device's app_start */
    uint32_t version;      /* stored in the image record (0) */
    int full;              /* write every page, not only those whose CRC differs (0) */
    int compress;          /* -1 (default): LZ4 when the line is the bottleneck; 0 never; 1 always */
    int no_reset;          /* stay in the bootloader afterwards (0: start the application) */
    int force;             /* SECURE device: skip the library's own signature check (0) */
};
IAP_API void iap_flash_options_init(struct iap_flash_options *o);

struct iap_flash_report {
    uint32_t size, crc;             /* the committed image: bytes from app_start, CRC-32 */
    uint32_t pages, pages_written;  /* its pages, and those written (the others matched) */
    uint64_t written;               /* bytes written */
    uint64_t raw_bytes, sent_bytes; /* WRITE data, and as it went on the wire (LZ4) */
    double seconds;                 /* from the first write to the end of COMMIT */
    unsigned baud;                  /* the line rate of the transfer */
};

/* Loads an image file (Intel HEX, S-record, ELF, raw binary), checks it against the device (fits
 * the application area, plausible vector table, SECURE: signature, key, version floor), writes
 * the pages that differ, commits it and (unless no_reset) starts it. fo and rep may be NULL. */
IAP_API int iap_flash_file(iap_device *d, const char *path, const struct iap_flash_options *fo,
                           struct iap_flash_report *rep);
/* The same for len bytes of raw image data at address (0: the device's app_start). */
IAP_API int iap_flash_buffer(iap_device *d, const void *data, size_t len, uint32_t address,
                             const struct iap_flash_options *fo, struct iap_flash_report *rep);

/* Compares the device's application area with an image file (CRC-32 of the image's range):
 * IAP_ERR_VERIFY when they differ. format and address as in struct iap_flash_options (NULL, 0:
 * the defaults); size and the two CRCs may be NULL. */
IAP_API int iap_verify_file(iap_device *d, const char *path, const char *format,
                            uint32_t address, uint32_t *size, uint32_t *crc, uint32_t *device_crc);
IAP_API int iap_verify_buffer(iap_device *d, const void *data, size_t len, uint32_t address,
                              uint32_t *crc, uint32_t *device_crc);

/* Reads len bytes of flash from addr (anywhere in the device's flash) into out. */
IAP_API int iap_read(iap_device *d, uint32_t addr, void *out, size_t len);
/* Erases the whole application area: no application until the next flash. */
IAP_API int iap_erase(iap_device *d);
/* Leaves the bootloader: the device starts its application if it is valid. The port stays open
 * (the application talks on it); iap_close it. */
IAP_API int iap_reset(iap_device *d);

#ifdef __cplusplus
}
#endif

#endif
