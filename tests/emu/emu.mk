# Tests of the virtual board (emu/): firmware images run on it (tests/emu/fw/*.c, linked with
# startup.c and link.ld into $(BUILD)/emu-fw/), the core tests (in-process, ASan/UBSan), the
# peripheral models on a fake board, the command-line scripts and the benchmark.
# Included by emu/emu.mk and by the top Makefile; the guard makes the second include a no-op.
ifndef EMU_TESTS_MK
EMU_TESTS_MK := 1

EMU_FW_DIR := tests/emu/fw
EMU_FW     := $(patsubst $(EMU_FW_DIR)/%.c,$(BUILD)/emu-fw/%.elf,\
                $(filter-out $(EMU_FW_DIR)/startup.c,$(wildcard $(EMU_FW_DIR)/*.c)))

$(BUILD)/emu-fw/%.elf: $(EMU_FW_DIR)/%.c $(EMU_FW_DIR)/startup.c $(EMU_FW_DIR)/fw.h $(EMU_FW_DIR)/link.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_CFLAGS) $(ARM_LDFLAGS) -T $(EMU_FW_DIR)/link.ld -o $@ \
	  $(EMU_FW_DIR)/startup.c $< -lgcc

# The tests find the images in their build directory: argv[1], else $BUILD, else this one.
EMU_TEST_CFLAGS := -DEMU_BUILD_DIR='"$(BUILD)"'

# Core tests: in-process, sanitizers on.
$(BUILD)/test_emu_core: tests/emu/test_core.c $(BUILD)/libemu-san.a tests/test.h | $(EMU_FW)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(EMU_TEST_CFLAGS) -Iemu -Itests -o $@ $< \
	  $(BUILD)/libemu-san.a $(EMU_LIBS)

$(BUILD)/emu_bench: tests/emu/bench.c $(BUILD)/libemu.a | $(EMU_FW)
	$(HOST_CC) $(HOST_CFLAGS) $(EMU_TEST_CFLAGS) -Iemu -o $@ $< $(BUILD)/libemu.a $(EMU_LIBS)

# Peripheral models on a fake board (tests/emu/fake_board.c): the models' sources compiled into
# the test with sanitizers, no CPU.
PERIPH_SRC  := $(filter-out $(EMU_CORE_SRC),$(EMU_SRC))
PERIPH_HDR  := $(wildcard emu/*.h)
PERIPH_TEST := $(BUILD)/tests/test_periph
$(PERIPH_TEST): tests/emu/test_periph.c tests/emu/fake_board.c tests/emu/fake_board.h \
                $(PERIPH_SRC) $(PERIPH_HDR) tests/test.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Iemu -Itests -Itests/emu -o $@ \
	  tests/emu/test_periph.c tests/emu/fake_board.c $(PERIPH_SRC)

ALL_TARGETS += $(EMU_FW)
TESTS_BUILD += $(BUILD)/test_emu_core $(BUILD)/emu_bench $(BUILD)/stm32emu $(BUILD)/stm32emu-san \
               $(PERIPH_TEST) $(EMU_FW)
TESTS       += $(BUILD)/test_emu_core tests/emu/test_cli.sh $(PERIPH_TEST) tests/emu/test_periph_fw.sh
BENCHES     += $(BUILD)/emu_bench

endif
