# Application template and demo app, linked at 0x08002000 for the stm32-iap bootloader, for every
# board profile (boot/boot.mk: BOARDS): its LED and USART (template/app_board.h), its part's flash
# and SRAM sizes (the profile's board.env passes them to template/app.ld).
# Two versions of the demo (APP_VERSION=1, 2) so an update can be shown and tested:
#   $(BUILD)/boards/NAME/app-v1.{elf,bin,hex,srec}, app-v2.*   every board
#   $(BUILD)/app-v1.*, app-v2.*                                 the default board's (BOARD), copied
#   $(BUILD)/boards/NAME/app-xl.{elf,hex,bin}                   XL boards: v2 with code linked
#     across the bank boundary (demo/bank2.c); app-xl-low.bin and app-xl-bank2.bin are its two
#     parts (0x08002000 and 0x0807FFF0), for tools that write them one by one
APP_LD       := examples/template/app.ld
APP_TEMPLATE := examples/template/startup.c examples/template/app_iap.c examples/template/app_cmd.c
APP_SRC      := $(APP_TEMPLATE) examples/demo/main.c examples/demo/handover.c examples/demo/print.c
APP_BUILD_ID := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
APP_CFLAGS   := $(ARM_CFLAGS) -Wmissing-prototypes -Iexamples/template -Iexamples/demo \
                -I$(BOOT_PORT_DIR)/boards -DAPP_BUILD='"$(APP_BUILD_ID)"'
APP_VERSIONS := 1 2
APP_BANK2_AT := 0x0807FFF0
# Boards whose part is XL density (two banks): they also get app-xl.
APP_XL_BOARDS := $(foreach b,$(BOARDS),$(if $(shell grep -l 'BOARD_PART *PROTO_PART_XL' \
                   $(BOOT_PORT_DIR)/boards/$(b).h),$(b)))

# $(1): board, $(2): version
define APP_RULES
APP_OBJ_$(1)_$(2) := $$(patsubst %.c,$$(BUILD)/boards/$(1)/app-v$(2)/%.o,$$(APP_SRC))

$$(BUILD)/boards/$(1)/app-v$(2)/%.o: %.c examples/examples.mk
	@mkdir -p $$(dir $$@)
	$$(ARM_CC) $$(APP_CFLAGS) -DAPP_BOARD_FILE='"$(1).h"' -DAPP_VERSION=$(2) -MMD -MP -c -o $$@ $$<

$$(BUILD)/boards/$(1)/app-v$(2).elf: $$(APP_OBJ_$(1)_$(2)) $$(APP_LD) $$(BUILD)/boards/$(1)/board.env
	. $$(BUILD)/boards/$(1)/board.env && $$(ARM_CC) $$(ARM_LDFLAGS) -nostdlib -T $$(APP_LD) \
	  $$$$BOARD_APP_LDFLAGS -Wl,-Map=$$(@:.elf=.map) -o $$@ $$(APP_OBJ_$(1)_$(2)) -lgcc
	@$$(ARM_SIZE) $$@

-include $$(APP_OBJ_$(1)_$(2):.o=.d)
endef
$(foreach b,$(BOARDS),$(foreach v,$(APP_VERSIONS),$(eval $(call APP_RULES,$(b),$(v)))))

# $(1): XL board
define APP_XL_RULES
$$(BUILD)/boards/$(1)/app-xl.elf: $$(APP_OBJ_$(1)_2) $$(BUILD)/boards/$(1)/app-v2/examples/demo/bank2.o \
                                  $$(APP_LD) $$(BUILD)/boards/$(1)/board.env
	. $$(BUILD)/boards/$(1)/board.env && $$(ARM_CC) $$(ARM_LDFLAGS) -nostdlib -T $$(APP_LD) \
	  $$$$BOARD_APP_LDFLAGS -Wl,--section-start=.bank2=$$(APP_BANK2_AT) -Wl,-Map=$$(@:.elf=.map) \
	  -o $$@ $$(APP_OBJ_$(1)_2) $$(BUILD)/boards/$(1)/app-v2/examples/demo/bank2.o -lgcc
	@$$(ARM_SIZE) $$@
# the two parts with the gap between them as erased flash, 0xFF, as iap fills it
$$(BUILD)/boards/$(1)/app-xl.bin: $$(BUILD)/boards/$(1)/app-xl-low.bin $$(BUILD)/boards/$(1)/app-xl-bank2.bin
	{ cat $$<; head -c $$$$(($$(APP_BANK2_AT) - 0x08002000 - $$$$(stat -c %s $$<))) /dev/zero \
	  | tr '\0' '\377'; cat $$(BUILD)/boards/$(1)/app-xl-bank2.bin; } >$$@
$$(BUILD)/boards/$(1)/app-xl-low.bin: $$(BUILD)/boards/$(1)/app-xl.elf
	$$(ARM_OBJCOPY) -O binary --remove-section=.bank2 $$< $$@
$$(BUILD)/boards/$(1)/app-xl-bank2.bin: $$(BUILD)/boards/$(1)/app-xl.elf
	$$(ARM_OBJCOPY) -O binary --only-section=.bank2 $$< $$@
-include $$(BUILD)/boards/$(1)/app-v2/examples/demo/bank2.d
endef
$(foreach b,$(APP_XL_BOARDS),$(eval $(call APP_XL_RULES,$(b))))

$(BUILD)/boards/%.bin: $(BUILD)/boards/%.elf
	$(ARM_OBJCOPY) -O binary $< $@
$(BUILD)/boards/%.hex: $(BUILD)/boards/%.elf
	$(ARM_OBJCOPY) -O ihex $< $@
$(BUILD)/boards/%.srec: $(BUILD)/boards/%.elf
	$(ARM_OBJCOPY) -O srec $< $@

# The default board's images where the tests and make demo look for them.
$(BUILD)/app-v%: $(BUILD)/boards/$(BOARD)/app-v% $(BOOT_BOARD_STAMP)
	cp $< $@

APP_FILES := $(foreach v,$(APP_VERSIONS),app-v$(v).elf app-v$(v).bin app-v$(v).hex app-v$(v).srec)
APP_IMAGES := $(addprefix $(BUILD)/,$(APP_FILES)) \
              $(foreach b,$(BOARDS),$(addprefix $(BUILD)/boards/$(b)/,$(APP_FILES))) \
              $(foreach b,$(APP_XL_BOARDS),$(addprefix $(BUILD)/boards/$(b)/,app-xl.elf \
                app-xl.hex app-xl.bin app-xl-low.bin app-xl-bank2.bin))
ALL_TARGETS += $(APP_IMAGES)
