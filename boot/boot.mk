# The bootloader firmware: portable core (boot/core/core.mk) + STM32F103 port, for 0x08000000.
# Prints the size table and fails when the image does not fit its 8 KB (pages 0-7).
include boot/port/stm32f1/port.mk

BOOT_MAX   := 8192
# Listening window after reset when an application is valid, in ms (0 disables it):
#   make BOOT_LISTEN_MS=0. The stamp file rebuilds the objects when the value changes.
BOOT_LISTEN_MS ?= 300
# The board profile: boot/port/stm32f1/boards/$(BOARD).h (pins, USART, clock, part class).
BOARD ?= seed
BOOT_STAMP := $(BUILD)/arm/boot/listen_ms
$(shell mkdir -p $(BUILD)/arm/boot; [ "$$(cat $(BOOT_STAMP) 2>/dev/null)" = "$(BOOT_LISTEN_MS)" ] \
  || echo "$(BOOT_LISTEN_MS)" > $(BOOT_STAMP))
BOOT_BOARD_STAMP := $(BUILD)/arm/boot/board
$(shell [ "$$(cat $(BOOT_BOARD_STAMP) 2>/dev/null)" = "$(BOARD)" ] || echo "$(BOARD)" > $(BOOT_BOARD_STAMP))
BOOT_SRC   := $(BOOT_CORE_SRC) $(BOOT_PORT_SRC)
BOOT_OBJ   := $(patsubst %.c,$(BUILD)/arm/boot/%.o,$(BOOT_SRC))
# Link-time optimisation (the link without -ffunction-sections, which costs 270 bytes here): the core's small modules (proto's codec, the flash manager) inline
# across files. The port's libc stays out of it, and -fno-tree-loop-distribute-patterns keeps
# its memcpy/memset loops from becoming calls to themselves.
BOOT_CFLAGS := $(ARM_CFLAGS) -Wmissing-prototypes -flto $(BOOT_CORE_INC) -I$(BOOT_PORT_DIR) -DBOOT_LISTEN_MS=$(BOOT_LISTEN_MS)u \
               -DBOARD_FILE='"boards/$(BOARD).h"'
BOOT_LIBC_CFLAGS := $(filter-out -flto,$(BOOT_CFLAGS)) -fno-lto -fno-tree-loop-distribute-patterns
$(BUILD)/arm/boot/$(BOOT_PORT_DIR)/libc.o: BOOT_CFLAGS := $(BOOT_LIBC_CFLAGS)
# ISO C everywhere but the vector table (GNU range designators, the stack top as a vector).
$(filter-out %/startup.o,$(BOOT_OBJ)): BOOT_CFLAGS += -pedantic

$(BUILD)/arm/boot/%.o: %.c $(BOOT_STAMP) $(BOOT_BOARD_STAMP) boot/boot.mk Makefile
	@mkdir -p $(dir $@)
	$(ARM_CC) $(BOOT_CFLAGS) -MMD -MP -c -o $@ $<

# No newlib: the port brings the three string.h functions it needs; libgcc for helpers.
$(BUILD)/boot.elf: $(BOOT_OBJ) $(BOOT_PORT_LD)
	$(ARM_CC) $(ARM_LDFLAGS) -Os -g -flto -nostdlib -T $(BOOT_PORT_LD) -Wl,-Map=$(BUILD)/boot.map \
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
