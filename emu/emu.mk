# The virtual STM32F103 board: build/libemu.a (core + peripheral models), build/stm32emu (CLI),
# the test firmware images build/emu-fw/*.elf (tests/emu/fw/*.c + startup.c + link.ld), the
# board's tests (built with ASan/UBSan) and its benchmark.
EMU_SRC     := $(sort $(filter-out emu/main.c emu/stubs_tmp.c,$(wildcard emu/*.c)))
EMU_OBJ     := $(patsubst %.c,$(BUILD)/host/%.o,$(EMU_SRC))
EMU_SAN_OBJ := $(patsubst %.c,$(BUILD)/san/%.o,$(EMU_SRC))
EMU_LIBS    := -lunicorn -lpthread -lm -lutil

$(BUILD)/host/emu/%.o: emu/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -Iemu -MMD -MP -c -o $@ $<

$(BUILD)/san/emu/%.o: emu/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Iemu -MMD -MP -c -o $@ $<

$(BUILD)/libemu.a: $(EMU_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libemu-san.a: $(EMU_SAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/stm32emu: $(BUILD)/host/emu/main.o $(BUILD)/libemu.a
	$(HOST_CC) -o $@ $^ $(EMU_LIBS)

# The CLI with ASan/UBSan on our code (Unicorn is not instrumented), run by tests/emu/test_cli.sh.
$(BUILD)/stm32emu-san: $(BUILD)/san/emu/main.o $(BUILD)/libemu-san.a
	$(HOST_CC) $(SAN_FLAGS) -o $@ $^ $(EMU_LIBS)

# Test firmware images: one .c each, linked with the shared startup code at 0x08000000.
EMU_FW_DIR := tests/emu/fw
EMU_FW     := $(patsubst $(EMU_FW_DIR)/%.c,$(BUILD)/emu-fw/%.elf,\
                $(filter-out $(EMU_FW_DIR)/startup.c,$(wildcard $(EMU_FW_DIR)/*.c)))

$(BUILD)/emu-fw/%.elf: $(EMU_FW_DIR)/%.c $(EMU_FW_DIR)/startup.c $(EMU_FW_DIR)/fw.h $(EMU_FW_DIR)/link.ld
	@mkdir -p $(dir $@)
	$(ARM_CC) $(ARM_CFLAGS) $(ARM_LDFLAGS) -T $(EMU_FW_DIR)/link.ld -o $@ \
	  $(EMU_FW_DIR)/startup.c $< -lgcc

# Core tests: in-process, sanitizers on.
$(BUILD)/test_emu_core: tests/emu/test_core.c $(BUILD)/libemu-san.a tests/test.h | $(EMU_FW)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Iemu -Itests -o $@ $< $(BUILD)/libemu-san.a $(EMU_LIBS)

$(BUILD)/emu_bench: tests/emu/bench.c $(BUILD)/libemu.a | $(EMU_FW)
	$(HOST_CC) $(HOST_CFLAGS) -Iemu -o $@ $< $(BUILD)/libemu.a $(EMU_LIBS)

ALL_TARGETS += $(BUILD)/stm32emu $(BUILD)/libemu.a $(EMU_FW)
TESTS_BUILD += $(BUILD)/test_emu_core $(BUILD)/emu_bench $(BUILD)/stm32emu $(BUILD)/stm32emu-san
TESTS       += $(BUILD)/test_emu_core tests/emu/test_cli.sh
BENCHES     += $(BUILD)/emu_bench

-include $(EMU_OBJ:.o=.d) $(EMU_SAN_OBJ:.o=.d)
