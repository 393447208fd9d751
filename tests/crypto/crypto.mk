# Signature verification for the SECURE bootloader (boot/crypto: SHA-512, strict Ed25519) and its
# proof: known answers + every Wycheproof case, a differential test against OpenSSL, a libFuzzer
# harness, and the cost on the virtual board.
CRYPTO_SRC   := boot/crypto/ed25519.c boot/crypto/sha512.c
CRYPTO_DEPS  := $(CRYPTO_SRC) boot/crypto/ed25519.h boot/crypto/sha512.h tests/crypto/crypto.mk
CRYPTO_WARN  := -Wmissing-prototypes -pedantic
# Where the tests find Wycheproof's ed25519_test.json unless IAP_VECTORS says otherwise: beside
# this checkout (../shared/vectors), or, in a clone of a local checkout (CI's fresh clone in a
# temporary folder), beside the checkout it was cloned from. Exported to the test commands.
IAP_VECTORS ?= $(firstword $(wildcard $(CURDIR)/../shared/vectors \
                 $(abspath $(shell git config --get remote.origin.url 2>/dev/null))/../shared/vectors))
export IAP_VECTORS
CRYPTO_ROOT  := -DIAP_ROOT='"$(CURDIR)"'
CRYPTO_TEST_SRC := tests/crypto/vectors.c tests/crypto/json.c
CRYPTO_TEST_DEPS := $(CRYPTO_DEPS) $(CRYPTO_TEST_SRC) tests/crypto/vectors.h tests/crypto/json.h \
                    tests/test.h

# Known answers, strictness rules and Wycheproof: sanitizers on.
$(BUILD)/tests/test_ed25519: tests/unit/test_ed25519.c $(CRYPTO_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(CRYPTO_WARN) $(SAN_FLAGS) $(CRYPTO_ROOT) -Iboot/crypto -Itests \
	  -Itests/crypto -o $@ $< $(CRYPTO_TEST_SRC) $(CRYPTO_SRC)

# Differential against OpenSSL's libcrypto (libssl-dev).
CRYPTO_REF := tests/crypto/ref.c
$(BUILD)/tests/test_ed25519_diff: tests/unit/test_ed25519_diff.c $(CRYPTO_TEST_DEPS) $(CRYPTO_REF) \
                                  tests/crypto/ref.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(CRYPTO_WARN) $(SAN_FLAGS) $(CRYPTO_ROOT) -Iboot/crypto -Itests \
	  -Itests/crypto -o $@ $< $(CRYPTO_REF) $(CRYPTO_TEST_SRC) $(CRYPTO_SRC) -lcrypto

# White box: the field, scalar and point arithmetic against OpenSSL's BIGNUM (includes ed25519.c).
$(BUILD)/tests/test_ed25519_arith: tests/crypto/test_ed25519_arith.c $(CRYPTO_DEPS) tests/test.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(CRYPTO_WARN) $(SAN_FLAGS) -Iboot/crypto -Itests -o $@ $< \
	  boot/crypto/sha512.c -lcrypto

CRYPTO_TESTS := $(BUILD)/tests/test_ed25519 $(BUILD)/tests/test_ed25519_diff \
                $(BUILD)/tests/test_ed25519_arith
TESTS        += $(CRYPTO_TESTS)
TESTS_BUILD  += $(CRYPTO_TESTS)

# libFuzzer harness: built by `make fuzz` and `make test` once tests/fuzz/fuzz.mk lists ed25519
# in FUZZ_NAMES (tests/fuzz/run.sh then runs it with the others).
$(BUILD)/fuzz/fuzz_ed25519: tests/fuzz/fuzz_ed25519.c tests/fuzz/oracle.h $(CRYPTO_DEPS) \
                            $(CRYPTO_REF) tests/crypto/ref.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(CRYPTO_WARN) -Iboot/crypto -Itests/crypto -Itests/fuzz -o $@ $< \
	  $(CRYPTO_REF) $(CRYPTO_SRC) -lcrypto

# Thumb-2 objects exactly as a firmware build compiles them, for the size report.
CRYPTO_ARM_CFLAGS := $(ARM_CFLAGS) $(CRYPTO_WARN)
CRYPTO_ARM_OBJ    := $(patsubst %.c,$(BUILD)/arm/crypto/%.o,$(CRYPTO_SRC))
$(BUILD)/arm/crypto/%.o: %.c $(CRYPTO_DEPS)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(CRYPTO_ARM_CFLAGS) -fstack-usage -c -o $@ $<

# The benchmark image for the virtual board: those objects + tests/emu/fw's start-up code and
# 64 KB layout (start-up code compiled as the other test images are, without the two warnings
# it was not written for).
CRYPTO_FW  := $(BUILD)/crypto-fw/bench_ed25519.elf
CRYPTO_FW_CFLAGS := $(filter-out -Wmissing-prototypes -pedantic,$(ARM_CFLAGS))
$(BUILD)/crypto-fw/startup.o: tests/emu/fw/startup.c tests/emu/fw/fw.h
	@mkdir -p $(dir $@)
	$(ARM_CC) $(CRYPTO_FW_CFLAGS) -c -o $@ $<
$(BUILD)/crypto-fw/bench_ed25519_fw.o: tests/crypto/bench_ed25519_fw.c tests/emu/fw/fw.h \
                                       boot/crypto/ed25519.h boot/crypto/sha512.h
	@mkdir -p $(dir $@)
	$(ARM_CC) $(CRYPTO_ARM_CFLAGS) -Iboot/crypto -Itests/emu/fw -c -o $@ $<
$(CRYPTO_FW): $(BUILD)/crypto-fw/startup.o $(BUILD)/crypto-fw/bench_ed25519_fw.o $(CRYPTO_ARM_OBJ) \
              tests/emu/fw/link.ld
	$(ARM_CC) $(ARM_LDFLAGS) -T tests/emu/fw/link.ld -o $@ $(filter %.o,$^) -lgcc

# Every Wycheproof case on the virtual board (tests/crypto/test_ed25519_fw.sh): the cases as a blob
# for its flash (wp_blob, a host tool) and the firmware that verifies them with the objects above.
$(BUILD)/tests/wp_blob: tests/crypto/wp_blob.c $(CRYPTO_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(CRYPTO_WARN) $(CRYPTO_ROOT) -Itests/crypto -o $@ $< \
	  $(CRYPTO_TEST_SRC)
$(BUILD)/crypto-fw/vectors_fw.o: tests/crypto/vectors_fw.c tests/emu/fw/fw.h boot/crypto/ed25519.h
	@mkdir -p $(dir $@)
	$(ARM_CC) $(CRYPTO_ARM_CFLAGS) -Iboot/crypto -Itests/emu/fw -c -o $@ $<
$(BUILD)/crypto-fw/vectors_fw.elf: $(BUILD)/crypto-fw/startup.o $(BUILD)/crypto-fw/vectors_fw.o \
                                   $(CRYPTO_ARM_OBJ) tests/emu/fw/link.ld
	$(ARM_CC) $(ARM_LDFLAGS) -T tests/emu/fw/link.ld -o $@ $(filter %.o,$^) -lgcc
CRYPTO_FW_TEST := $(BUILD)/tests/wp_blob $(BUILD)/crypto-fw/vectors_fw.elf
TESTS        += "tests/crypto/test_ed25519_fw.sh $(BUILD)"
TESTS_BUILD  += $(CRYPTO_FW_TEST)

BENCHES     += tests/crypto/bench_ed25519.sh
TESTS_BUILD += $(CRYPTO_FW) $(CRYPTO_ARM_OBJ) $(BUILD)/stm32emu

.PHONY: crypto
crypto: $(CRYPTO_TESTS) $(CRYPTO_FW) $(CRYPTO_ARM_OBJ) $(CRYPTO_FW_TEST)
