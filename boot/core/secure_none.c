/* The default build: images are not signed; COMMIT's checks are the CRC and the vectors. */
#include "secure.h"

const uint8_t secure_meta_pages = 0;

int secure_commit_check(uint32_t size, uint32_t *version)
{
    (void)size;
    (void)version; /* the host's version goes into the record */
    return PROTO_OK;
}

int secure_check_image(uint32_t addr, uint32_t size, uint32_t *version)
{
    (void)addr;
    (void)size;
    (void)version; /* the host's version goes into the record */
    return PROTO_OK;
}

int secure_floor_rise(uint32_t version)
{
    (void)version;
    return PROTO_OK;
}

void secure_info(struct proto_info *info) { (void)info; }
