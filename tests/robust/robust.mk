# Robustness: power-loss sweeps of the real bootloader on the virtual board, self-protection,
# watchdog and line-fault tests (docs/ROBUSTNESS.md).
ROBUST_HOST_SRC := host/iap_session.c host/image.c host/err.c host/compress_lz4.c host/transports/fdio.c \
                   host/compat_posix.c host/sign.c host/sign_trailer.c $(PROTO_SRC)
ROBUST_DEPS := tests/robust/rboard.c tests/robust/rboard.h tests/test.h $(BUILD)/libemu.a \
               $(ROBUST_HOST_SRC) $(wildcard host/*.h proto/*.h) tests/robust/robust.mk
ROBUST_CFLAGS := $(HOST_CFLAGS) $(WARN_STRICT) -Iemu -Ihost -Itests -Itests/robust
ROBUST_FW := $(BUILD)/boot.elf $(BUILD)/app-v1.bin $(BUILD)/app-v2.bin

$(BUILD)/tests/test_powercut: tests/robust/test_powercut.c $(ROBUST_DEPS) | $(ROBUST_FW)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(ROBUST_CFLAGS) -o $@ $< tests/robust/rboard.c $(ROBUST_HOST_SRC) \
	  $(BUILD)/libemu.a $(EMU_LIBS) $(HOST_LIBS)

ROBUST_BUILD := $(BUILD)/tests/test_powercut
TESTS_BUILD  += $(ROBUST_BUILD) $(ROBUST_FW)
# make test: native, a slice (the first and last 50 operations, every erase, every 25th);
# AN3155 and YMODEM coarse (every 16th). make sweep: every operation of all three.
TESTS        += "$(BUILD)/tests/test_powercut $(BUILD) --stride 25" \
                "$(BUILD)/tests/test_powercut $(BUILD) --proto an3155 --every 16" \
                "$(BUILD)/tests/test_powercut $(BUILD) --proto ymodem --every 16"
# Other parts (docs/BOARDS.md): a slice on a 2 KB-page part (the f103ze board: high
# density: the first and last 16 operations, every erase, every 100th); on the XL board (f103zg)
# an image across the bank boundary (app-xl), cut at operation 1 and its last
# 36 operations: bank 1's last page, bank 2's first, the record in bank 2's last page.
TESTS_BUILD  += $(foreach b,f103ze f103zg,$(addprefix $(BUILD)/boards/$(b)/,boot.elf board.env \
                  app-v1.bin app-v2.bin)) $(BUILD)/boards/f103zg/app-xl.bin
TESTS        += "$(BUILD)/tests/test_powercut $(BUILD)/boards/f103ze --stride 100 --edge 16 --jobs 3" \
                "$(BUILD)/tests/test_powercut $(BUILD)/boards/f103zg --image xl --tail 36 --jobs 3"

# A signed update on the SECURE=1 binary (boot/secure.mk: the test key, the application from
# 0x08004000), signed v1 -> signed v2, the version floor rising at COMMIT, by an entry and by a
# move to the other floor page: the first and last 16 operations (the floor's entry and the
# record's among them), every erase (the other floor page's too) and every 200th.
# An incremental update (only the pages whose CRC differs): v1 -> v2 with a few pages changed,
# a shorter and a longer v2: the first and last 15 operations, every erase and every 400th.
TESTS_BUILD  += $(SECURE_DIR)/boot.elf $(SECURE_DIR)/app-v1.bin $(SECURE_DIR)/app-v2.bin \
                $(SECURE_TEST_KEY:.pem=.pub.pem)
TESTS        += "$(BUILD)/tests/test_powercut $(SECURE_DIR) --signed $(SECURE_TEST_KEY) --stride 200 --edge 16" \
                "$(BUILD)/tests/test_powercut $(BUILD) --incremental --stride 400 --edge 15"

.PHONY: sweep
sweep: deps
	@$(MAKE) --no-print-directory all $(TESTS_BUILD)
	@tests/run.sh "$(BUILD)/tests/test_powercut $(BUILD)" \
	  "$(BUILD)/tests/test_powercut $(BUILD) --proto an3155" \
	  "$(BUILD)/tests/test_powercut $(BUILD) --proto ymodem" \
	  "$(BUILD)/tests/test_powercut $(SECURE_DIR) --signed $(SECURE_TEST_KEY)" \
	  "$(BUILD)/tests/test_powercut $(SECURE_DIR) --signed $(SECURE_TEST_KEY) --proto an3155" \
	  "$(BUILD)/tests/test_powercut $(SECURE_DIR) --signed $(SECURE_TEST_KEY) --proto ymodem" \
	  "$(BUILD)/tests/test_powercut $(BUILD) --incremental"

# Short: under ASan/UBSan, with the sanitized board.
$(BUILD)/tests/test_protect: tests/robust/test_protect.c $(ROBUST_DEPS) $(BUILD)/libemu-san.a \
                             | $(ROBUST_FW)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(ROBUST_CFLAGS) $(SAN_FLAGS) -o $@ $< tests/robust/rboard.c $(ROBUST_HOST_SRC) \
	  $(BUILD)/libemu-san.a $(EMU_LIBS) $(HOST_LIBS)

TESTS_BUILD += $(BUILD)/tests/test_protect
TESTS       += "$(BUILD)/tests/test_protect $(BUILD)"

# The fault-injecting relay and the updates through it (real time: a few per rate in make test).
$(BUILD)/linefault: tests/robust/linefault.c tests/robust/robust.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) -o $@ $< -lutil

ALL_TARGETS += $(BUILD)/linefault
TESTS_BUILD += $(BUILD)/linefault $(BUILD)/iap $(BUILD)/stm32emu
# After a step-up to 2 Mbaud (on a pty, linefault following the host's rate): 2 updates per rate.
TESTS       += "tests/robust/test_linefault.sh $(BUILD)" \
               "tests/robust/test_linefault.sh $(BUILD) --baud-max 2000000 --updates 2"
BENCHES     += "tests/robust/test_linefault.sh $(BUILD) --bench 10" \
               "tests/robust/test_linefault.sh $(BUILD) --bench 10 --baud-max 921600" \
               "tests/robust/test_linefault.sh $(BUILD) --bench 10 --baud-max 2000000"
