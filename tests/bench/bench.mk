# The speed work (issue 15): the USB-serial adapter model, the step-up tests through it, and the
# side-by-side benchmark (make bench).
$(BUILD)/usbrelay: tests/bench/usbrelay.c tests/bench/bench.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) -o $@ $< -lutil

ALL_TARGETS += $(BUILD)/usbrelay
TESTS_BUILD += $(BUILD)/usbrelay
BENCHES     += tests/bench/bench_speed.sh

# Boot time (issue 15 item 6, docs/DESIGN.md): the real bootloader of every profile with the
# listening window off (BOOT_LISTEN_MS=0, built in BUILD/boottime by a make of its own), from
# reset to the application's first instruction for 1 KB, 48 KB and 500 KB images; and the test
# that an image with one flipped bit never starts (default build and the f103ze's 2 KB pages).
BOOTTIME_DIR    := $(BUILD)/boottime
BOOTTIME_BOARDS := seed bluepill nucleo-f103rb f103ze f103zg f107vc
BOOTRUN_SRC     := tests/bench/bootrun.c proto/crc32.c proto/frame.c
BOOTRUN_DEPS    := $(BOOTRUN_SRC) tests/bench/bootrun.h $(BUILD)/libemu.a $(wildcard proto/*.h) \
                   tests/bench/bench.mk
BOOTRUN_CFLAGS  := $(HOST_CFLAGS) $(WARN_STRICT) -Iemu -Itests -Itests/bench

.PHONY: boottime-fw
boottime-fw:
	@$(MAKE) --no-print-directory BUILD=$(BOOTTIME_DIR) BOOT_LISTEN_MS=0 \
	  $(foreach b,$(BOOTTIME_BOARDS),$(BOOTTIME_DIR)/boards/$(b)/boot.elf \
	  $(BOOTTIME_DIR)/boards/$(b)/board.env)

$(BUILD)/bench_boot: tests/bench/bench_boot.c $(BOOTRUN_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(BOOTRUN_CFLAGS) -o $@ $< $(BOOTRUN_SRC) $(BUILD)/libemu.a $(EMU_LIBS)

# The bootloader's proto_crc32 alone on the board, against a bitwise CRC-32 (run by test_boot_check).
$(BUILD)/bench-fw/crc_fw.elf: tests/bench/crc_fw.c boot/port/stm32f1/crc.c tests/emu/fw/startup.c \
                              tests/emu/fw/fw.h tests/emu/fw/link.ld tests/bench/bench.mk
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_CFLAGS) $(ARM_LDFLAGS) -Itests/emu/fw -I$(BOOT_PORT_DIR) -T tests/emu/fw/link.ld \
	  -o $@ tests/emu/fw/startup.c $< $(BOOT_PORT_DIR)/crc.c -lgcc

$(BUILD)/tests/test_boot_check: tests/bench/test_boot_check.c $(BOOTRUN_DEPS) tests/test.h \
                                | $(BUILD)/bench-fw/crc_fw.elf
	@mkdir -p $(dir $@)
	$(HOST_CC) $(BOOTRUN_CFLAGS) -o $@ $< $(BOOTRUN_SRC) $(BUILD)/libemu.a $(EMU_LIBS)

TESTS_BUILD += $(BUILD)/bench_boot boottime-fw $(BUILD)/tests/test_boot_check $(BUILD)/boot.elf \
               $(BUILD)/board.env $(BUILD)/boards/f103ze/boot.elf $(BUILD)/boards/f103ze/board.env
TESTS       += "$(BUILD)/tests/test_boot_check $(BUILD)"
BENCHES     += "$(BUILD)/bench_boot $(BUILD)"
