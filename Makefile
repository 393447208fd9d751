# stm32-iap: one Makefile; each part adds its build rules in its own fragment (*/*.mk), and every
# test is registered from tests/.
#   make          build everything under build/
#   make test     install missing packages, build, run every test (ends with "N passed, N failed")
#   make demo     install missing packages, build, boot the virtual board, flash the example app
#   make bench    benchmarks that print figures
#   make fuzz     libFuzzer harnesses (tests/fuzz), FUZZ_SECONDS each (default 60)
BUILD    := build
HOST_CC  ?= cc
ARM_CC   := arm-none-eabi-gcc
ARM_SIZE := arm-none-eabi-size
ARM_OBJCOPY := arm-none-eabi-objcopy

HOST_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wshadow -O2 -g -D_GNU_SOURCE -Iproto
# Prototypes for every extern function, and ISO C where the code allows (not in the vector
# tables of the startup files, nor the emulator's Unicorn glue, which use GNU C on purpose).
WARN_STRICT := -Wmissing-prototypes -pedantic
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ARM_CFLAGS  := -mcpu=cortex-m3 -mthumb -std=c11 -Os -g -Wall -Wextra -Werror -Wshadow \
               -ffreestanding -ffunction-sections -fdata-sections -fno-common -Iproto
ARM_LDFLAGS := -mcpu=cortex-m3 -mthumb -nostartfiles -Wl,--gc-sections

# Fragments append to these.
ALL_TARGETS :=
# Test programs/scripts run by tests/run.sh, one word each (no arguments); each prints
# "N passed, N failed" as its last line.
TESTS       :=
BENCHES     :=

.PHONY: all test test-build demo bench deps clean cppcheck
all:

# Build fragments, then every test's registration (all under tests/).
include proto/proto.mk
include emu/emu.mk
include boot/core/core.mk
include boot/boot.mk
include examples/examples.mk
include host/host.mk
include host/lib.mk
include host/install.mk
include host/windows.mk
include boot/secure.mk
include boot/staged.mk
include tests/emu/emu.mk
include tests/unit/unit.mk
include tests/unit/ports.mk
include tests/e2e/e2e.mk
include tests/e2e/bridge.mk
include tests/robust/robust.mk
include tests/fuzz/fuzz.mk
include tests/lz4.mk
include tests/crypto/crypto.mk
include tests/bench/bench.mk
include tests/staged.mk

all: $(ALL_TARGETS)

TESTS += tests/cppcheck.sh

deps:
	@scripts/deps.sh

# The builds behind test, demo and bench run on every core (BUILD_JOBS=1: one at a time).
BUILD_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test: deps
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) test-build
	@tests/run.sh $(TESTS)

# Everything the tests need, built without running them.
test-build: all $(TESTS_BUILD)

demo: deps
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) all
	@scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) all $(TESTS_BUILD)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  --suppress=missingIncludeSystem -Iproto proto host emu boot examples tests/unit tests/lib \
	  tests/crypto tests/fuzz/fuzz_ed25519.c tests/fuzz/fuzz_lz4.c

clean:
	rm -rf $(BUILD)
