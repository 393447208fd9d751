# The bootloader firmware: portable core (boot/core/core.mk) + STM32F103 port, for 0x08000000.
# Prints the size table and fails when the image does not fit its 8 KB (pages 0-7).
include boot/port/stm32f1/port.mk

BOOT_MAX   := 8192
# Listening window after reset when an application is valid, in ms (0 disables it):
#   make BOOT_LISTEN_MS=0. The stamp file rebuilds the objects when the value changes.
BOOT_LISTEN_MS ?= 300
BOOT_STAMP := $(BUILD)/arm/boot/listen_ms
$(shell mkdir -p $(BUILD)/arm/boot; [ "$$(cat $(BOOT_STAMP) 2>/dev/null)" = "$(BOOT_LISTEN_MS)" ] \
  || echo "$(BOOT_LISTEN_MS)" > $(BOOT_STAMP))
BOOT_SRC   := $(BOOT_CORE_SRC) $(BOOT_PORT_SRC)
BOOT_OBJ   := $(patsubst %.c,$(BUILD)/arm/boot/%.o,$(BOOT_SRC))
# -fno-tree-loop-distribute-patterns: our memcpy/memset loops must not become calls to themselves
BOOT_CFLAGS := $(ARM_CFLAGS) $(BOOT_CORE_INC) -I$(BOOT_PORT_DIR) -fno-tree-loop-distribute-patterns \
               -DBOOT_LISTEN_MS=$(BOOT_LISTEN_MS)u

$(BUILD)/arm/boot/%.o: %.c $(BOOT_STAMP)
	@mkdir -p $(dir $@)
	$(ARM_CC) $(BOOT_CFLAGS) -MMD -MP -c -o $@ $<

# No newlib: the port brings the three string.h functions it needs; libgcc for helpers.
$(BUILD)/boot.elf: $(BOOT_OBJ) $(BOOT_PORT_LD)
	$(ARM_CC) $(ARM_LDFLAGS) -nostdlib -T $(BOOT_PORT_LD) -Wl,-Map=$(BUILD)/boot.map \
	  -o $@ $(BOOT_OBJ) -lgcc
	@$(ARM_SIZE) $@
	@$(ARM_SIZE) $@ | awk -v max=$(BOOT_MAX) 'NR == 2 { used = $$1 + $$2; \
	  printf "bootloader: %d of %d bytes of flash (%d free)\n", used, max, max - used; \
	  if (used > max) { print "bootloader: too big, the limit is " max " bytes"; exit 1 } }' \
	  || { rm -f $@; exit 1; }

$(BUILD)/boot.bin: $(BUILD)/boot.elf
	$(ARM_OBJCOPY) -O binary $< $@

ALL_TARGETS += $(BUILD)/boot.elf $(BUILD)/boot.bin

-include $(BOOT_OBJ:.o=.d)

# The real bootloader and demo app on the virtual board (boot decision, hand-over, update).
BOOT_BOARD_TEST := boot/port/stm32f1/test_on_board.py
TESTS       += $(BOOT_BOARD_TEST)
TESTS_BUILD += $(BUILD)/stm32emu $(BUILD)/boot.elf $(BUILD)/app-v1.bin $(BUILD)/app-v2.bin
