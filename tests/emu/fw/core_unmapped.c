/* Reads an address no model implements (the USB registers): the board must stop, exit 2. */
#include "fw.h"

int main(void)
{
    return (int)REG32(0x40005C00);
}
