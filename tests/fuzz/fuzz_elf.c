/* The host's ELF parser and the image it builds. */
#define FUZZ_FORMAT iap_format_elf
#include "fuzz_format.h"
