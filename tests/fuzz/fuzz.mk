# libFuzzer harnesses (tests/fuzz/fuzz_*.c, docs/ROBUSTNESS.md "Fuzzing"), built with Debian's clang
# only for `make test` (a short slice of each) and `make fuzz` (FUZZ_SECONDS each, default 60);
# never part of `make all`.
FUZZ_CC      := clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := $(HOST_CFLAGS) $(WARN_STRICT) -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=all
FUZZ_DIR     := $(BUILD)/fuzz

# The core against the sim port; the harness checks flash operations by wrapping them.
FUZZ_SESSION  := native an3155 ymodem
FUZZ_WRAP     := -Wl,--wrap=port_flash_erase_page,--wrap=port_flash_program,--wrap=fm_erase \
                 -Wl,--wrap=fm_write,--wrap=fm_commit,--wrap=port_jump
$(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_SESSION)): $(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c \
                tests/fuzz/fuzz_session.h tests/fuzz/oracle.h $(BOOT_CORE_DEPS) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(BOOT_CORE_INC) -Iboot/port/sim $(FUZZ_WRAP) -o $@ $< \
	  $(BOOT_CORE_SRC) boot/port/sim/sim.c

# The host's file parsers and image building.
FUZZ_FORMATS   := ihex srec elf
FUZZ_FORMAT_SRC := host/err.c host/image.c host/formats/format.c host/formats/bin.c \
                   host/formats/ihex.c host/formats/srec.c host/formats/elf.c proto/crc32.c
$(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_FORMATS)): $(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c \
                tests/fuzz/fuzz_format.h tests/fuzz/oracle.h $(FUZZ_FORMAT_SRC) $(HOST_DEPS) tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ihost -o $@ $< $(FUZZ_FORMAT_SRC)

# The host's frame decoder (device -> host stream).
$(FUZZ_DIR)/fuzz_frame: tests/fuzz/fuzz_frame.c $(PROTO_SRC) $(HOST_DEPS) \
                        tests/fuzz/oracle.h tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iproto -o $@ $< $(PROTO_SRC)

# The signed-image parsers, device (SECURE core on the sim port, 16 KB layout) against iap's.
$(FUZZ_DIR)/fuzz_signed: tests/fuzz/fuzz_signed.c tests/fuzz/oracle.h $(BOOT_CORE_DEPS) \
                         boot/core/secure.c $(BUILD)/secure/secure_key.h host/sign.c \
                         host/sign_trailer.c host/err.c tests/fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(BOOT_CORE_INC) -Iboot/port/sim -Ihost -Itests/lib \
	  -I$(BUILD)/secure -DBOOT_SIZE=0x4000u -DTEST_KEY='"$(abspath $(SECURE_TEST_KEY))"' -o $@ $< \
	  $(BOOT_SECURE_SRC) $(BOOT_SIM_SRC) $(TEST_LIB_SRC) host/sign.c host/sign_trailer.c \
	  host/err.c -lcrypto

FUZZ_NAMES := $(FUZZ_SESSION) $(FUZZ_FORMATS) frame lz4 ed25519 signed
FUZZ_BINS  := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_NAMES))

# make test: the crash regressions, then each harness for FUZZ_SLICE seconds (tests/fuzz/run.sh).
TESTS       += tests/fuzz/run.sh
TESTS_BUILD += $(FUZZ_BINS)

.PHONY: fuzz
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@FUZZ_SLICE=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_NAMES)
