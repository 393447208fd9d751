# Application template and demo app, linked at 0x08002000 for the stm32-iap bootloader.
# Two versions of the demo (APP_VERSION=1, 2) so an update can be shown and tested:
# build/app-v1.{elf,bin,hex,srec} and build/app-v2.*.
APP_LD       := examples/template/app.ld
APP_TEMPLATE := examples/template/startup.c examples/template/app_iap.c examples/template/app_cmd.c
APP_SRC      := $(APP_TEMPLATE) examples/demo/main.c
APP_BUILD_ID := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
APP_CFLAGS   := $(ARM_CFLAGS) -Wmissing-prototypes -Iexamples/template -DAPP_BUILD='"$(APP_BUILD_ID)"'
APP_VERSIONS := 1 2

# $(1): version number
define APP_RULES
APP_OBJ_$(1) := $$(patsubst %.c,$$(BUILD)/arm/app-v$(1)/%.o,$$(APP_SRC))

$$(BUILD)/arm/app-v$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(ARM_CC) $$(APP_CFLAGS) -DAPP_VERSION=$(1) -MMD -MP -c -o $$@ $$<

$$(BUILD)/app-v$(1).elf: $$(APP_OBJ_$(1)) $$(APP_LD)
	$$(ARM_CC) $$(ARM_LDFLAGS) -nostdlib -T $$(APP_LD) -Wl,-Map=$$(BUILD)/app-v$(1).map \
	  -o $$@ $$(APP_OBJ_$(1)) -lgcc
	@$$(ARM_SIZE) $$@

-include $$(APP_OBJ_$(1):.o=.d)
endef
$(foreach v,$(APP_VERSIONS),$(eval $(call APP_RULES,$(v))))

$(BUILD)/app-v%.bin: $(BUILD)/app-v%.elf
	$(ARM_OBJCOPY) -O binary $< $@
$(BUILD)/app-v%.hex: $(BUILD)/app-v%.elf
	$(ARM_OBJCOPY) -O ihex $< $@
$(BUILD)/app-v%.srec: $(BUILD)/app-v%.elf
	$(ARM_OBJCOPY) -O srec $< $@

APP_IMAGES := $(foreach v,$(APP_VERSIONS),$(addprefix $(BUILD)/app-v$(v).,elf bin hex srec))
ALL_TARGETS += $(APP_IMAGES)
