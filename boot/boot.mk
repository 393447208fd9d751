# The bootloader firmware: portable core (boot/core/core.mk) + STM32F1 port, for 0x08000000, built
# for every board profile (boot/port/stm32f1/boards/NAME.h, docs/BOARDS.md). Each build prints its
# size and fails when the image does not fit its 8 KB (pages 0-7).
#   $(BUILD)/boards/NAME/boot.{elf,bin,map}   one per profile, all built by make all
#   $(BUILD)/boards/NAME/board.env            the profile's facts for scripts and tests (boardinfo)
#   $(BUILD)/boot.{elf,bin,map}, board.env    the default board's, copied: make BOARD=NAME
include boot/port/stm32f1/port.mk

BOOT_MAX   := 8192
# Listening window after reset when an application is valid, in ms (0 disables it):
#   make BOOT_LISTEN_MS=0. The stamp file rebuilds the objects when the value changes.
BOOT_LISTEN_MS ?= 300
# The default board: $(BUILD)/boot.elf and the default app images are built for it.
BOARD ?= seed
BOARDS := $(sort $(basename $(notdir $(wildcard $(BOOT_PORT_DIR)/boards/*.h))))
$(if $(filter $(BOARD),$(BOARDS)),,$(error BOARD=$(BOARD): no $(BOOT_PORT_DIR)/boards/$(BOARD).h \
  (boards: $(BOARDS))))

BOOT_STAMP := $(BUILD)/arm/boot/listen_ms
$(shell mkdir -p $(BUILD)/arm/boot; [ "$$(cat $(BOOT_STAMP) 2>/dev/null)" = "$(BOOT_LISTEN_MS)" ] \
  || echo "$(BOOT_LISTEN_MS)" > $(BOOT_STAMP))
BOOT_BOARD_STAMP := $(BUILD)/arm/boot/board
$(shell [ "$$(cat $(BOOT_BOARD_STAMP) 2>/dev/null)" = "$(BOARD)" ] || echo "$(BOARD)" > $(BOOT_BOARD_STAMP))

# The core and the port's libc are the same for every board: built once, in $(BUILD)/arm/boot.
BOOT_SHARED_OBJ := $(patsubst %.c,$(BUILD)/arm/boot/%.o,$(BOOT_CORE_SRC) $(BOOT_PORT_LIBC))
# Link-time optimisation (the link without -ffunction-sections, which costs 270 bytes here): the
# core's small modules (proto's codec, the flash manager) inline across files. The port's libc
# stays out of it, and -fno-tree-loop-distribute-patterns keeps its memcpy/memset loops from
# becoming calls to themselves.
# PROTO_CRC32_HW: the port's CRC unit computes proto_crc32 (crc.c), proto/crc32.c steps aside.
BOOT_CFLAGS := $(ARM_CFLAGS) -Wmissing-prototypes -flto $(BOOT_CORE_INC) -I$(BOOT_PORT_DIR) \
               -DBOOT_LISTEN_MS=$(BOOT_LISTEN_MS)u -DPROTO_CRC32_HW
BOOT_LIBC_CFLAGS := $(filter-out -flto,$(BOOT_CFLAGS)) -fno-lto -fno-tree-loop-distribute-patterns
$(BUILD)/arm/boot/$(BOOT_PORT_LIBC:.c=.o): BOOT_CFLAGS := $(BOOT_LIBC_CFLAGS)
# ISO C everywhere but the vector table (GNU range designators, the stack top as a vector).
BOOT_PEDANTIC = $(if $(filter %/startup.o,$@),,-pedantic)

$(BUILD)/arm/boot/%.o: %.c $(BOOT_STAMP) boot/boot.mk Makefile
	@mkdir -p $(dir $@)
	$(ARM_CC) $(BOOT_CFLAGS) $(BOOT_PEDANTIC) -MMD -MP -c -o $@ $<

# Per board: the port's objects (they include the profile), the link with its size check, the
# profile's facts. $(1): board name.
define BOOT_BOARD_RULES
BOOT_OBJ_$(1) := $$(patsubst %.c,$$(BUILD)/boards/$(1)/obj/%.o,$$(BOOT_PORT_SRC))

$$(BUILD)/boards/$(1)/obj/%.o: %.c $$(BOOT_STAMP) boot/boot.mk Makefile
	@mkdir -p $$(dir $$@)
	$$(ARM_CC) $$(BOOT_CFLAGS) $$(BOOT_PEDANTIC) -DBOARD_FILE='"boards/$(1).h"' -MMD -MP -c -o $$@ $$<

# No newlib: the port brings the string.h functions it needs; libgcc for helpers.
$$(BUILD)/boards/$(1)/boot.elf: $$(BOOT_SHARED_OBJ) $$(BOOT_OBJ_$(1)) $$(BOOT_PORT_LD)
	$$(ARM_CC) $$(ARM_LDFLAGS) -Os -g -flto -nostdlib -T $$(BOOT_PORT_LD) \
	  -Wl,-Map=$$(BUILD)/boards/$(1)/boot.map -o $$@ $$(BOOT_SHARED_OBJ) $$(BOOT_OBJ_$(1)) -lgcc
	@$$(ARM_SIZE) $$(BUILD)/boards/$(1)/boot.elf | awk -v max=$$(BOOT_MAX) -v board=$(1) \
	  'NR == 2 { used = $$$$1 + $$$$2; limit = "the limit is " max " bytes"; \
	  printf "bootloader %s: %d of %d bytes of flash (%d free)\n", board, used, max, max - used; \
	  if (used > max) { print "bootloader " board ": too big, " limit; exit 1 } }' \
	  || { rm -f $$@; exit 1; }

$$(BUILD)/boards/$(1)/boot.bin: $$(BUILD)/boards/$(1)/boot.elf
	$$(ARM_OBJCOPY) -O binary $$< $$@

$$(BUILD)/boards/$(1)/boardinfo: $$(BOOT_PORT_DIR)/boardinfo.c boot/core/part.c boot/core/part.h \
                                 $$(BOOT_PORT_DIR)/board.h $$(BOOT_PORT_DIR)/boards/$(1).h \
                                 $$(wildcard proto/*.h)
	@mkdir -p $$(dir $$@)
	$$(HOST_CC) $$(HOST_CFLAGS) $$(WARN_STRICT) $$(BOOT_CORE_INC) -I$$(BOOT_PORT_DIR) \
	  -DBOARD_FILE='"boards/$(1).h"' -o $$@ $$(BOOT_PORT_DIR)/boardinfo.c boot/core/part.c

$$(BUILD)/boards/$(1)/board.env: $$(BUILD)/boards/$(1)/boardinfo
	$$< $(1) >$$@.tmp && mv $$@.tmp $$@

-include $$(BOOT_OBJ_$(1):.o=.d)
endef
$(foreach b,$(BOARDS),$(eval $(call BOOT_BOARD_RULES,$(b))))

# The default board's bootloader and facts where the tests and make demo look for them.
$(BUILD)/boot.elf: $(BUILD)/boards/$(BOARD)/boot.elf $(BOOT_BOARD_STAMP)
	cp $< $@
	cp $(BUILD)/boards/$(BOARD)/boot.map $(BUILD)/boot.map
$(BUILD)/boot.bin: $(BUILD)/boards/$(BOARD)/boot.bin $(BOOT_BOARD_STAMP)
	cp $< $@
$(BUILD)/board.env: $(BUILD)/boards/$(BOARD)/board.env $(BOOT_BOARD_STAMP)
	cp $< $@

BOOT_BOARD_FILES := $(foreach b,$(BOARDS),$(addprefix $(BUILD)/boards/$(b)/,boot.elf boot.bin board.env))
ALL_TARGETS += $(BUILD)/boot.elf $(BUILD)/boot.bin $(BUILD)/board.env $(BOOT_BOARD_FILES)

-include $(BOOT_SHARED_OBJ:.o=.d)
