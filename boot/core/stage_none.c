/* The default build: no staged updates; the whole area is the application area. */
#include "stage.h"

uint32_t stage_app_end(uint32_t area_end) { return area_end; }
bool stage_boot(void) { return false; }
void stage_before_jump(void) {}
void stage_info(struct proto_info *info) { (void)info; }

int stage_command(uint8_t type, const uint8_t *p, size_t len, uint8_t *out, size_t *out_len)
{
    (void)type;
    (void)p;
    (void)len;
    (void)out;
    (void)out_len;
    return PROTO_E_CMD;
}
