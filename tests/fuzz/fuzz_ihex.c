/* The host's Intel HEX parser and the image it builds. */
#define FUZZ_FORMAT iap_format_ihex
#include "fuzz_format.h"
