#include "err.h"

#include <stdio.h>

#include "proto.h"

const char *iap_strerror(int code)
{
    switch (code) {
    case IAP_ERR_NONE: return "success";
    case IAP_ERR_USAGE: return "usage error";
    case IAP_ERR_FILE: return "file error";
    case IAP_ERR_FORMAT: return "malformed file";
    case IAP_ERR_FIT: return "image does not fit the application area";
    case IAP_ERR_PORT: return "port error";
    case IAP_ERR_NO_ANSWER: return "no bootloader answered";
    case IAP_ERR_TRANSFER: return "transfer failed after retries";
    case IAP_ERR_REFUSED: return "device refused the command";
    case IAP_ERR_VERIFY: return "verify mismatch";
    case IAP_ERR_NOMEM: return "out of memory";
    case IAP_ERR_PROTOCOL: return "protocol error";
    default: return "unknown error";
    }
}

int iap_exit_code(int code)
{
    switch (code) {
    case IAP_ERR_NONE: return 0;
    case IAP_ERR_USAGE: return 1;
    case IAP_ERR_FILE:
    case IAP_ERR_FORMAT: return 2;
    case IAP_ERR_FIT: return 3;
    case IAP_ERR_PORT: return 4;
    case IAP_ERR_NO_ANSWER: return 5;
    case IAP_ERR_TRANSFER:
    case IAP_ERR_PROTOCOL: return 6;
    case IAP_ERR_REFUSED: return 7;
    case IAP_ERR_VERIFY: return 8;
    case IAP_ERR_NOMEM: return 9;
    default: return 6; /* an error this table does not know is the tool's own failure */
    }
}

const char *iap_status_name(int status)
{
    switch (status) {
    case PROTO_OK: return "OK";
    case PROTO_E_CRC: return "E_CRC (frame CRC mismatch)";
    case PROTO_E_SEQ: return "E_SEQ (unexpected sequence number)";
    case PROTO_E_LEN: return "E_LEN (payload length wrong)";
    case PROTO_E_CMD: return "E_CMD (unknown command)";
    case PROTO_E_RANGE: return "E_RANGE (outside the application area)";
    case PROTO_E_ALIGN: return "E_ALIGN (odd address or length)";
    case PROTO_E_FLASH: return "E_FLASH (flash controller error)";
    case PROTO_E_NOT_ERASED: return "E_NOT_ERASED (write onto non-erased flash)";
    case PROTO_E_VERIFY: return "E_VERIFY (read-back after programming differs)";
    case PROTO_E_IMAGE_CRC: return "E_IMAGE_CRC (image CRC differs)";
    case PROTO_E_VECTOR: return "E_VECTOR (initial SP or reset vector not plausible)";
    case PROTO_E_SIZE: return "E_SIZE (image size zero or too large)";
    case PROTO_E_PART: return "E_PART (flash size contradicts the bootloader's part)";
    case PROTO_E_LZ4: return "E_LZ4 (compressed data does not decode)";
    case PROTO_E_UNSIGNED: return "E_UNSIGNED (the image carries no signature trailer)";
    case PROTO_E_SIG_KEY: return "E_SIG_KEY (signed with another key than the device's)";
    case PROTO_E_SIG: return "E_SIG (the signature does not verify)";
    case PROTO_E_ROLLBACK: return "E_ROLLBACK (version below the device's floor)";
    default: return "unknown status";
    }
}

int iap_fail(struct iap_err *err, enum iap_error code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}
