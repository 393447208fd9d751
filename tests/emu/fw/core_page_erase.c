/* Page erase by any address inside the page: FW_ARGS page size and the address put in FLASH_AR.
 * The test preloads zeros from 0x08006000 to 0x0800C000; afterwards the whole page holding the
 * address reads 0xFF and the pages on either side are still zero. */
#include "core_flash.h"

static int all(uint32_t lo, uint32_t hi, uint32_t v)
{
    for (uint32_t a = lo; a < hi; a += 4)
        if (REG32(a) != v)
            return 0;
    return 1;
}

int main(void)
{
    FW_CHECK(FW_HAVE_ARGS());
    uint32_t page = FW_ARG(0), ar = FW_ARG(1), base = ar & ~(page - 1u);
    FW_CHECK(all(0x08006000u, 0x0800C000u, 0));
    flash_unlock();
    flash_erase_page(ar);
    FW_CHECK(FLASH_SR & SR_EOP);
    FW_CHECK(all(base, base + page, 0xFFFFFFFFu));
    FW_CHECK(all(base - page, base, 0));
    FW_CHECK(all(base + page, base + 2 * page, 0));
    return 0;
}
