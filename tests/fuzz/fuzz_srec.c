/* The host's S-record parser and the image it builds. */
#define FUZZ_FORMAT iap_format_srec
#include "fuzz_format.h"
