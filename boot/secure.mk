# SECURE=1 (docs/SECURITY.md): the bootloader that commits only images signed with the product's
# Ed25519 key, with a version floor; 16 KB (pages 0-15), the application from 0x08004000.
#   make SECURE=1 PUBKEY=KEY.pub.pem   $(BUILD)/secure/boot.{elf,bin} with that key built in
# Without PUBKEY the secure build (made for the tests) carries a test key that `iap keygen`
# generates into $(BUILD)/keys: never ship it. The seed board's profile; the demo app is linked
# for the layout as $(BUILD)/secure/app-v1.*, app-v2.* (unsigned: the tests sign them).
SECURE_MAX   := 16384
SECURE_BOARD := seed
SECURE_DIR   := $(BUILD)/secure
SECURE_TEST_KEY := $(BUILD)/keys/test-key.pem
ifeq ($(SECURE),1)
ifeq ($(PUBKEY),)
$(error SECURE=1 needs PUBKEY=KEY.pub.pem: the public key to build in (iap keygen makes one))
endif
endif
SECURE_PUBKEY := $(if $(PUBKEY),$(PUBKEY),$(SECURE_TEST_KEY:.pem=.pub.pem))

$(SECURE_TEST_KEY:.pem=.pub.pem): | $(BUILD)/iap
	@mkdir -p $(dir $@)
	rm -f $(SECURE_TEST_KEY) $(SECURE_TEST_KEY:.pem=.pub.pem)
	$(BUILD)/iap -q keygen -o $(SECURE_TEST_KEY)

$(SECURE_DIR)/secure_key.h: $(SECURE_PUBKEY) scripts/pubkey_c.py
	@mkdir -p $(dir $@)
	python3 scripts/pubkey_c.py $< $@

SECURE_CFLAGS := $(filter-out -DBOOT_LISTEN_MS=%,$(BOOT_CFLAGS)) -DBOOT_LISTEN_MS=$(BOOT_LISTEN_MS)u \
                 -DBOOT_SIZE=0x4000u -I$(SECURE_DIR) -DBOARD_FILE='"boards/$(SECURE_BOARD).h"'
SECURE_SRC := $(BOOT_SECURE_SRC) $(BOOT_PORT_SRC)
SECURE_OBJ := $(patsubst %.c,$(SECURE_DIR)/obj/%.o,$(SECURE_SRC)) \
              $(BUILD)/arm/boot/$(BOOT_PORT_LIBC:.c=.o)

$(SECURE_DIR)/obj/%.o: %.c $(SECURE_DIR)/secure_key.h $(BOOT_STAMP) boot/secure.mk boot/boot.mk \
                       Makefile
	@mkdir -p $(dir $@)
	$(ARM_CC) $(SECURE_CFLAGS) $(if $(filter %/startup.o,$@),,-pedantic) -MMD -MP -c -o $@ $<

$(SECURE_DIR)/link.ld: $(BOOT_PORT_LD) boot/secure.mk
	@mkdir -p $(dir $@)
	sed 's/LENGTH = 8K/LENGTH = 16K/' $< >$@
	grep -q 'LENGTH = 16K' $@

$(SECURE_DIR)/boot.elf: $(SECURE_OBJ) $(SECURE_DIR)/link.ld
	$(ARM_CC) $(ARM_LDFLAGS) -Os -g -flto -nostdlib -T $(SECURE_DIR)/link.ld \
	  -Wl,-Map=$(SECURE_DIR)/boot.map -o $@ $(SECURE_OBJ) -lgcc
	@$(ARM_SIZE) $@ | awk -v max=$(SECURE_MAX) 'NR == 2 { used = $$1 + $$2; \
	  printf "bootloader SECURE=1: %d of %d bytes of flash (%d free)\n", used, max, max - used; \
	  if (used > max) { print "bootloader SECURE=1: too big, the limit is " max " bytes"; exit 1 } }' \
	  || { rm -f $@; exit 1; }

$(SECURE_DIR)/boot.bin: $(SECURE_DIR)/boot.elf
	$(ARM_OBJCOPY) -O binary $< $@

# The demo app for the secure layout: the seed board's objects, linked at 0x08004000 with the
# application area ending below the floor's two pages and the record page.
$(SECURE_DIR)/app.ld: $(APP_LD) boot/secure.mk
	@mkdir -p $(dir $@)
	sed 's/ORIGIN = 0x08002000, LENGTH = APP_FLASH_SIZE - 8K - APP_PAGE_SIZE/ORIGIN = 0x08004000, LENGTH = APP_FLASH_SIZE - 16K - 3 * APP_PAGE_SIZE/' $< >$@
	grep -q 'ORIGIN = 0x08004000' $@

define SECURE_APP_RULES
$$(SECURE_DIR)/app-v$(1).elf: $$(APP_OBJ_$$(SECURE_BOARD)_$(1)) $$(SECURE_DIR)/app.ld \
                              $$(BUILD)/boards/$$(SECURE_BOARD)/board.env
	. $$(BUILD)/boards/$$(SECURE_BOARD)/board.env && $$(ARM_CC) $$(ARM_LDFLAGS) -nostdlib \
	  -T $$(SECURE_DIR)/app.ld $$$$BOARD_APP_LDFLAGS -o $$@ $$(APP_OBJ_$$(SECURE_BOARD)_$(1)) -lgcc
$$(SECURE_DIR)/app-v$(1).bin: $$(SECURE_DIR)/app-v$(1).elf
	$$(ARM_OBJCOPY) -O binary $$< $$@
endef
$(foreach v,$(APP_VERSIONS),$(eval $(call SECURE_APP_RULES,$(v))))

SECURE_FILES := $(SECURE_DIR)/boot.elf $(SECURE_DIR)/boot.bin \
                $(foreach v,$(APP_VERSIONS),$(SECURE_DIR)/app-v$(v).elf $(SECURE_DIR)/app-v$(v).bin)
ALL_TARGETS += $(SECURE_FILES)

-include $(SECURE_OBJ:.o=.d)
