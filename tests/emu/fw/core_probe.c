/* One memory access a test asks for (FW_ARGS: op, address, value), to check a part's memory map
 * and identity registers: 1 = the word there equals value, 2 = the half-word there equals value,
 * 3 = write value as a word and read it back. An access to an address the part lacks stops the
 * board (exit 2) before the check. */
#include "fw.h"

int main(void)
{
    FW_CHECK(FW_HAVE_ARGS());
    uint32_t op = FW_ARG(0), addr = FW_ARG(1), value = FW_ARG(2);
    switch (op) {
    case 1: FW_CHECK(REG32(addr) == value); break;
    case 2: FW_CHECK(REG16(addr) == value); break;
    case 3:
        REG32(addr) = value;
        FW_CHECK(REG32(addr) == value);
        break;
    default: FW_CHECK(0);
    }
    return 0;
}
