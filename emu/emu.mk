# The virtual STM32F103 board: build/libemu.a (core + peripheral models) and build/stm32emu (CLI).
# Its tests, test firmware images and benchmark are in tests/emu/emu.mk.
EMU_SRC     := $(sort $(filter-out emu/main.c,$(wildcard emu/*.c)))
# The core (CPU, memory map, NVIC, flash); every other emu/*.c is a peripheral model or its helper.
EMU_CORE_SRC := emu/board.c emu/cpu.c emu/scs.c emu/flash.c emu/sysmem.c
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

ALL_TARGETS += $(BUILD)/stm32emu $(BUILD)/libemu.a

-include $(EMU_OBJ:.o=.d) $(EMU_SAN_OBJ:.o=.d) $(BUILD)/host/emu/main.d $(BUILD)/san/emu/main.d

# Until the top Makefile includes tests/emu/emu.mk itself (its guard makes that harmless).
-include tests/emu/emu.mk
