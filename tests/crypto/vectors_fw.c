/* The bootloader's Ed25519 verifier, compiled for the Cortex-M3 exactly as a SECURE build compiles
 * it, against every Wycheproof case on the virtual board: tests/crypto/wp_blob.c writes the cases
 * (read from ../shared/vectors at test time, never kept in the repository) to a blob the board loads
 * at BLOB; each case is verified and compared with its expected result. Prints
 * "tc N: got G, want W" for each disagreement, then "cases N agree A disagree D max_cycles C";
 * exits (bkpt) with 0 when all agree, 1 otherwise, 2 for a malformed blob.
 * A signature that is not 64 bytes or a key that is not 32 cannot reach the verifier (the
 * bootloader's trailer has fixed sizes): such cases count as "invalid", as in the host test. */
#include <string.h>

#include "ed25519.h"
#include "fw.h"

#define BLOB 0x08008000u
#define BLOB_END 0x0800FC00u /* FW_ARGS */
#define DEMCR REG32(0xE000EDFC)
#define DWT_CTRL REG32(0xE0001000)
#define DWT_CYCCNT REG32(0xE0001004)

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(void)
{
    fw_uart_init();
    DEMCR |= 1u << 24; /* TRCENA */
    DWT_CTRL = 1;      /* CYCCNTENA */
    const uint8_t *p = (const uint8_t *)BLOB;
    if (memcmp(p, "WPV1", 4) != 0)
        fw_exit(2);
    uint32_t n = get32(p + 4), agree = 0, disagree = 0, max_cycles = 0;
    p += 8;
    for (uint32_t i = 0; i < n; i++) {
        if ((uint32_t)p + 20 + 32 + 64 > BLOB_END)
            fw_exit(2);
        uint32_t tc = get32(p), want = get32(p + 4), sig_len = get32(p + 8);
        uint32_t msg_len = get32(p + 12), pk_len = get32(p + 16);
        const uint8_t *pk = p + 20, *sig = p + 52, *msg = p + 116;
        if (msg_len > BLOB_END - (uint32_t)msg)
            fw_exit(2);
        uint32_t got = 0;
        if (sig_len == ED25519_SIG_LEN && pk_len == ED25519_KEY_LEN) {
            uint32_t t0 = DWT_CYCCNT;
            got = ed25519_verify(sig, msg, msg_len, pk) == ED25519_OK;
            uint32_t c = DWT_CYCCNT - t0;
            if (c > max_cycles)
                max_cycles = c;
        }
        if (got == want) {
            agree++;
        } else {
            disagree++;
            fw_puts("tc ");
            fw_putdec(tc);
            fw_puts(": got ");
            fw_putdec(got);
            fw_puts(", want ");
            fw_putdec(want);
            fw_puts("\r\n");
        }
        p = msg + ((msg_len + 3u) & ~3u);
    }
    fw_puts("cases ");
    fw_putdec(n);
    fw_puts(" agree ");
    fw_putdec(agree);
    fw_puts(" disagree ");
    fw_putdec(disagree);
    fw_puts(" max_cycles ");
    fw_putdec(max_cycles);
    fw_puts("\r\n");
    fw_exit(disagree ? 1u : 0u);
}
