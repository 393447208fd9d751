# Portable bootloader core. The F1 port (boot/boot.mk) compiles BOOT_CORE_SRC with BOOT_CORE_INC;
# the host unit tests link it with the sim port (boot/port/sim).
BOOT_CORE_SRC := boot/core/boot.c boot/core/session.c boot/core/flashmgr.c boot/core/native.c \
                 boot/core/an3155.c boot/core/ymodem.c boot/core/protos.c proto/crc32.c
BOOT_CORE_INC := -Iproto -Iboot/core -Iboot/port
BOOT_SIM_SRC  := boot/port/sim/sim.c boot/port/sim/simhost.c
BOOT_CORE_DEPS = $(BOOT_CORE_SRC) $(BOOT_SIM_SRC) $(wildcard boot/core/*.h boot/port/*.h \
                 boot/port/sim/*.h proto/*.h) tests/test.h boot/core/core.mk

BOOT_UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_boot_*.c))

$(BUILD)/tests/test_boot_%: tests/unit/test_boot_%.c $(BOOT_CORE_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(BOOT_CORE_INC) -Iboot/port/sim -Itests -o $@ $< \
	  $(BOOT_CORE_SRC) $(BOOT_SIM_SRC)

TESTS       += $(BOOT_UNIT_TESTS)
TESTS_BUILD += $(BOOT_UNIT_TESTS)

# Third-party clients against the real bootloader on the virtual board: stm32flash (AN3155) and
# lrzsz's sb (YMODEM); scripts/deps.sh installs both.
COMPAT_E2E_TESTS := $(wildcard tests/e2e/test_stm32flash.sh tests/e2e/test_ymodem.sh)
TESTS       += $(COMPAT_E2E_TESTS)
TESTS_BUILD += $(BUILD)/stm32emu $(BUILD)/boot.elf $(BUILD)/app-v1.bin $(BUILD)/app-v2.bin
