# STAGED=1 (docs/STAGED.md): the bootloader that installs, at reset, an image the application
# staged while it ran, boots it on trial and swaps the previous one back if it does not confirm
# itself. 16 KB (pages 0-15) like SECURE=1, the application (the primary slot) from 0x08004000.
# The default 8 KB builds do not carry it (boot/core/stage_none.c).
#   make STAGED=1 [BOARD=NAME]  $(BUILD)/staged/boot.{elf,bin} for the board (make all builds the
#                               default board's, for the tests)
#   STAGE_TRIAL_BOOTS=N         boots a new image gets to confirm itself (default 3, at most 8)
#   STAGE_WDG_MS=MS             the IWDG timeout of each trial boot (default 4000)
#   $(BUILD)/staged/app-*.{elf,bin}  the staged demo (examples/demo/stage_demo.c) linked for the
#                               primary slot of a STAGED_FLASH_KB part (default 128: the f103cb):
#                               v1, v2, v3, v3-hang and v3-crash (they fail their trial), and
#                               app-v2-48k.bin (v2 padded to 48 KB, for the install time)
#   $(BUILD)/staged-secure/     STAGED and SECURE together (the test key): boot.elf and the demo
#                               linked below the version floor's pages (unsigned: tests sign them)
STAGED_MAX        := 16384
STAGED_BOARD      := $(BOARD)
STAGED_DIR        := $(BUILD)/staged
STAGED_SECURE_DIR := $(BUILD)/staged-secure
STAGED_FLASH_KB   ?= 128
STAGE_TRIAL_BOOTS ?= 3
STAGE_WDG_MS      ?= 4000

BOOT_STAGED_SRC := $(filter-out boot/core/stage_none.c,$(BOOT_CORE_SRC)) boot/core/stage.c \
                   proto/stage.c
BOOT_STAGED_SECURE_SRC := $(filter-out boot/core/stage_none.c,$(BOOT_SECURE_SRC)) \
                          boot/core/stage.c proto/stage.c
STAGED_PORT_SRC := $(BOOT_PORT_SRC) $(BOOT_PORT_DIR)/stage_port.c

# The settings the objects depend on: a stamp rewritten when one changes.
STAGED_STAMP := $(STAGED_DIR)/config
$(shell mkdir -p $(STAGED_DIR); c="$(STAGED_BOARD) $(STAGE_TRIAL_BOOTS) $(STAGE_WDG_MS) \
  $(BOOT_LISTEN_MS) $(STAGED_FLASH_KB)"; [ "$$(cat $(STAGED_STAMP) 2>/dev/null)" = "$$c" ] \
  || echo "$$c" > $(STAGED_STAMP))

STAGED_CFLAGS := $(filter-out -DBOOT_LISTEN_MS=%,$(BOOT_CFLAGS)) -DBOOT_LISTEN_MS=$(BOOT_LISTEN_MS)u \
                 -DBOOT_SIZE=0x4000u -DBOARD_FILE='"boards/$(STAGED_BOARD).h"' \
                 -DSTAGE_TRIAL_BOOTS=$(STAGE_TRIAL_BOOTS)u -DSTAGE_WDG_MS=$(STAGE_WDG_MS)u
STAGED_OBJ := $(patsubst %.c,$(STAGED_DIR)/obj/%.o,$(BOOT_STAGED_SRC) $(STAGED_PORT_SRC)) \
              $(BUILD)/arm/boot/$(BOOT_PORT_LIBC:.c=.o)
STAGED_SECURE_OBJ := $(patsubst %.c,$(STAGED_SECURE_DIR)/obj/%.o,$(BOOT_STAGED_SECURE_SRC) \
                       $(STAGED_PORT_SRC)) $(BUILD)/arm/boot/$(BOOT_PORT_LIBC:.c=.o)

$(STAGED_DIR)/obj/%.o: %.c $(STAGED_STAMP) boot/staged.mk boot/boot.mk Makefile
	@mkdir -p $(dir $@)
	$(ARM_CC) $(STAGED_CFLAGS) $(if $(filter %/startup.o,$@),,-pedantic) -MMD -MP -c -o $@ $<

$(STAGED_SECURE_DIR)/obj/%.o: %.c $(SECURE_DIR)/secure_key.h $(STAGED_STAMP) boot/staged.mk \
                              boot/boot.mk Makefile
	@mkdir -p $(dir $@)
	$(ARM_CC) $(STAGED_CFLAGS) -I$(SECURE_DIR) $(if $(filter %/startup.o,$@),,-pedantic) \
	  -MMD -MP -c -o $@ $<

# $(1): output directory, $(2): objects, $(3): the name in the size line
define STAGED_BOOT_RULES
$(1)/boot.elf: $(2) $$(SECURE_DIR)/link.ld
	$$(ARM_CC) $$(ARM_LDFLAGS) -Os -g -flto -nostdlib -T $$(SECURE_DIR)/link.ld \
	  -Wl,-Map=$(1)/boot.map -o $$@ $(2) -lgcc
	@$$(ARM_SIZE) $$@ | awk -v max=$$(STAGED_MAX) 'NR == 2 { used = $$$$1 + $$$$2; \
	  printf "bootloader $(3): %d of %d bytes of flash (%d free)\n", used, max, max - used; \
	  if (used > max) { print "bootloader $(3): too big, the limit is " max " bytes"; exit 1 } }' \
	  || { rm -f $$@; exit 1; }
$(1)/boot.bin: $(1)/boot.elf
	$$(ARM_OBJCOPY) -O binary $$< $$@
endef
$(eval $(call STAGED_BOOT_RULES,$(STAGED_DIR),$(STAGED_OBJ),STAGED=1 $(STAGED_BOARD)))
$(eval $(call STAGED_BOOT_RULES,$(STAGED_SECURE_DIR),$(STAGED_SECURE_OBJ),STAGED=1 SECURE=1))

# ---- the staged demo -------------------------------------------------------------------------
STAGED_APP_SRC := examples/template/startup.c examples/template/app_iap.c \
                  examples/template/app_cmd.c examples/template/app_stage.c \
                  examples/template/app_flash.c examples/demo/stage_demo.c \
                  examples/demo/stage_rx.c examples/demo/handover.c examples/demo/print.c proto/frame.c proto/crc32.c \
                  proto/stage.c
STAGED_APPS := v1 v2 v3 v3-hang v3-crash
STAGED_APP_DEFS_v1       := -DAPP_VERSION=1
STAGED_APP_DEFS_v2       := -DAPP_VERSION=2
STAGED_APP_DEFS_v3       := -DAPP_VERSION=3
STAGED_APP_DEFS_v3-hang  := -DAPP_VERSION=3 -DDEMO_FAULT=1
STAGED_APP_DEFS_v3-crash := -DAPP_VERSION=3 -DDEMO_FAULT=2

# The primary slot for a STAGED_FLASH_KB part with the board's pages (proto/stage.h: M = (pages -
# 4) / 2 of the area between the 16 KB bootloader and the record page, less $(2) module pages).
# $(1): output directory, $(2): module pages below the record page (SECURE: 2)
define STAGED_APP_LD_RULE
$(1)/app.ld: $$(APP_LD) $$(BUILD)/boards/$$(STAGED_BOARD)/board.env $$(STAGED_STAMP) boot/staged.mk
	@mkdir -p $$(dir $$@)
	. $$(BUILD)/boards/$$(STAGED_BOARD)/board.env && pg=$$$$BOARD_PAGE_SIZE && \
	  m=$$$$(( ($$(STAGED_FLASH_KB) * 1024 / pg - 16384 / pg - 1 - $(2) - 4) / 2 )) && \
	  sed "s/ORIGIN = 0x08002000, LENGTH = APP_FLASH_SIZE - 8K - APP_PAGE_SIZE/ORIGIN = 0x08004000, LENGTH = $$$$((m * pg))/" $$< >$$@
	grep -q 'ORIGIN = 0x08004000' $$@
endef
$(eval $(call STAGED_APP_LD_RULE,$(STAGED_DIR),0))
$(eval $(call STAGED_APP_LD_RULE,$(STAGED_SECURE_DIR),2))

# $(1): output directory, $(2): app name, $(3): extra defines
define STAGED_APP_RULES
STAGED_APP_OBJ_$(1)_$(2) := $$(patsubst %.c,$(1)/app-$(2)/%.o,$$(STAGED_APP_SRC)) \
                            $(1)/app-$(2)/libc.o
$(1)/app-$(2)/%.o: %.c $$(STAGED_STAMP) boot/staged.mk
	@mkdir -p $$(dir $$@)
	$$(ARM_CC) $$(APP_CFLAGS) $$(if $$(filter %/startup.o,$$@),,-pedantic) \
	  -DAPP_BOARD_FILE='"$$(STAGED_BOARD).h"' $$(STAGED_APP_DEFS_$(2)) $(3) -MMD -MP -c -o $$@ $$<
$(1)/app-$(2)/libc.o: $$(BOOT_PORT_LIBC) boot/staged.mk
	@mkdir -p $$(dir $$@)
	$$(ARM_CC) $$(APP_CFLAGS) -fno-tree-loop-distribute-patterns -c -o $$@ $$<
$(1)/app-$(2).elf: $$(STAGED_APP_OBJ_$(1)_$(2)) $(1)/app.ld \
                   $$(BUILD)/boards/$$(STAGED_BOARD)/board.env
	. $$(BUILD)/boards/$$(STAGED_BOARD)/board.env && $$(ARM_CC) $$(ARM_LDFLAGS) -nostdlib \
	  -T $(1)/app.ld $$$$BOARD_APP_LDFLAGS -Wl,-Map=$$(@:.elf=.map) -o $$@ \
	  $$(STAGED_APP_OBJ_$(1)_$(2)) -lgcc
$(1)/app-$(2).bin: $(1)/app-$(2).elf
	$$(ARM_OBJCOPY) -O binary $$< $$@
-include $$(STAGED_APP_OBJ_$(1)_$(2):.o=.d)
endef
$(foreach a,$(STAGED_APPS),$(eval $(call STAGED_APP_RULES,$(STAGED_DIR),$(a),)))
$(foreach a,$(STAGED_APPS),$(eval $(call STAGED_APP_RULES,$(STAGED_SECURE_DIR),$(a),-DDEMO_META_PAGES=2u)))

# v2 padded to 48 KB (not 0xFF: every half-word is programmed), for the install time.
$(STAGED_DIR)/app-v2-48k.bin: $(STAGED_DIR)/app-v2.bin
	head -c 49152 /dev/zero | tr '\000' '\132' >$@.tmp
	dd if=$< of=$@.tmp conv=notrunc status=none
	mv $@.tmp $@

STAGED_FILES := $(foreach d,$(STAGED_DIR) $(STAGED_SECURE_DIR),$(d)/boot.elf $(d)/boot.bin \
                  $(foreach a,$(STAGED_APPS),$(d)/app-$(a).elf $(d)/app-$(a).bin)) \
                $(STAGED_DIR)/app-v2-48k.bin
ALL_TARGETS += $(STAGED_FILES)

-include $(STAGED_OBJ:.o=.d) $(STAGED_SECURE_OBJ:.o=.d)

# make STAGED=1 (or make staged): the staged bootloader and demo only.
.PHONY: staged
staged: $(STAGED_FILES)
ifeq ($(STAGED),1)
.DEFAULT_GOAL := staged
endif
