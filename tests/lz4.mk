# LZ4 block decoder (boot/core/lz4dec.c) for compressed WRITE data: unit tests and a libFuzzer
# harness against Debian's liblz4, and the decoder's Thumb-2 size, capped.
# The decoder is lz4dec.h: liblz4 keeps the name lz4.h.
LZ4_INC      := -iquote boot/core
LZ4_DEPS     := boot/core/lz4dec.c boot/core/lz4dec.h tests/lz4.mk
LZ4_TEST     := $(BUILD)/tests/test_lz4
LZ4_FUZZ     := $(BUILD)/fuzz/fuzz_lz4
LZ4_MAX_SIZE := 300

$(LZ4_TEST): tests/unit/test_lz4.c tests/test.h $(LZ4_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -pedantic -Wmissing-prototypes $(SAN_FLAGS) $(LZ4_INC) -Itests \
	  -o $@ $< boot/core/lz4dec.c -llz4

TESTS       += $(LZ4_TEST)
TESTS_BUILD += $(LZ4_TEST)

# Built by `make fuzz` and `make test` once tests/fuzz/fuzz.mk lists lz4 in FUZZ_NAMES.
$(LZ4_FUZZ): tests/fuzz/fuzz_lz4.c tests/fuzz/oracle.h $(LZ4_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Wmissing-prototypes $(LZ4_INC) -Itests/fuzz -o $@ $< \
	  boot/core/lz4dec.c -llz4

# The decoder alone as the bootloader compiles it, Thumb-2 at -Os; fails above LZ4_MAX_SIZE.
.PHONY: lz4-size
lz4-size: $(BUILD)/arm/lz4/lz4dec.o
	@$(ARM_SIZE) $<
	@$(ARM_SIZE) $< | awk -v max=$(LZ4_MAX_SIZE) 'NR == 2 { printf "lz4_decode: %d of %d bytes\n", \
	  $$1, max; if ($$1 > max) { print "lz4_decode: too big"; exit 1 } }'

$(BUILD)/arm/lz4/lz4dec.o: $(LZ4_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_CFLAGS) -Wmissing-prototypes -c -o $@ boot/core/lz4dec.c
