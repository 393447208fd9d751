/* Linked into app-xl only, for the XL board (examples/examples.mk): the build places this
 * function at 0x0807FFF0 (--section-start), so its instructions start in bank 1 and end in bank 2
 * (0x08080000), its literal pool in bank 2. The banner line it returns shows that an image
 * written across both banks runs. */
#include "demo.h"

static char line[48];

__attribute__((section(".bank2"), noinline)) const char *demo_bank2(void)
{
    static const char text[] = "code across the flash banks runs";
    unsigned i;
    for (i = 0; text[i]; i++)
        line[i] = text[i];
    line[i] = '\0';
    return line;
}
