/* Application side of stm32-iap: recognising the update command in received bytes.
 * Plain C, no hardware: tested on the host (test_app_cmd.c). */
#include "app_iap.h"

#include "proto.h"

static const char cmd[] = PROTO_APP_UPDATE_CMD;
#define CMD_LEN (sizeof cmd - 1u)

/* Is cmd[from .. from+n) equal to cmd[0 .. n)? */
static bool border(unsigned from, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (cmd[from + i] != cmd[i])
            return false;
    return true;
}

bool app_cmd_feed(struct app_cmd_matcher *m, uint8_t c)
{
    unsigned seen = m->matched, k = seen;
    /* on a mismatch, fall back to the longest prefix of cmd that ends the bytes seen (KMP) */
    while (k > 0 && (uint8_t)cmd[k] != c) {
        do
            k--;
        while (k > 0 && !border(seen - k, k));
    }
    if ((uint8_t)cmd[k] == c)
        k++;
    if (k == CMD_LEN) {
        m->matched = 0;
        return true;
    }
    m->matched = (uint8_t)k;
    return false;
}
