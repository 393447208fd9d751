# End-to-end tests on the virtual board (build/stm32emu) with the real firmware: the bootloader
# and demo app on their own (test_on_board.py), build/iap through the board's pty in real time
# (tests/e2e/lib.sh), and the third-party clients stm32flash (AN3155) and lrzsz's sb (YMODEM),
# which scripts/deps.sh installs. Benchmarks print figures.
E2E_TESTS := tests/e2e/test_on_board.py $(sort $(wildcard tests/e2e/test_iap_*.sh)) \
             tests/e2e/test_stm32flash.sh tests/e2e/test_ymodem.sh
TESTS       += $(E2E_TESTS)
# AN3155 auto-baud: stm32flash at 9600-115200 on a board whose bridge checks the pty's rate.
TESTS       += "tests/e2e/test_autobaud.sh $(BUILD)"
# A stray 0x7F between native frames (8E1 against the host's 8N1: stm32emu --host-parity none).
TESTS       += "tests/e2e/test_stray_7f.sh $(BUILD)"
TESTS_BUILD += $(BUILD)/stm32emu $(BUILD)/boot.elf $(BUILD)/iap $(BUILD)/protoenc \
               $(foreach v,1 2,$(addprefix $(BUILD)/app-v$(v).,elf bin hex srec))
BENCHES     += tests/e2e/bench_flash.sh

# Every other board profile (docs/BOARDS.md): the reduced suite of its own (flash, run, update
# without a button, verify, read, this part's limits refused before any erase, the entry input;
# XL: iap flashes and verifies an image across the bank boundary)
# and the on-board tests (boot decision from its pins, LED, hand-over, update request, a
# streamed update); stm32flash on the high-density and XL parts (XL: Extended Erase, an image
# across the bank boundary).
E2E_BOARDS := $(filter-out $(BOARD),$(BOARDS))
E2E_STM32FLASH_BOARDS := $(foreach b,$(BOARDS),$(if $(shell grep -l 'BOARD_PART *PROTO_PART_\(HD\|XL\)' \
                           $(BOOT_PORT_DIR)/boards/$(b).h),$(b)))
TESTS       += $(foreach b,$(E2E_BOARDS),"tests/e2e/test_board.sh $(BUILD) $(b)" \
                 "tests/e2e/test_on_board.py $(BUILD) $(b)") \
               $(foreach b,$(E2E_STM32FLASH_BOARDS),"tests/e2e/test_stm32flash_board.sh $(BUILD) $(b)")
TESTS_BUILD += $(foreach b,$(BOARDS),$(addprefix $(BUILD)/boards/$(b)/,boot.elf board.env \
                 app-v1.bin app-v1.elf app-v2.bin app-v2.elf app-v2.hex)) \
               $(foreach b,$(APP_XL_BOARDS),$(addprefix $(BUILD)/boards/$(b)/,app-xl.bin \
                 app-xl.hex app-xl-low.bin app-xl-bank2.bin))

# The proto codec on the command line (frames, records) for scripts: tests/lib/protoenc.c.
$(BUILD)/protoenc: tests/lib/protoenc.c $(PROTO_SRC) $(wildcard proto/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) -o $@ $< $(PROTO_SRC)

# make install into a temporary DESTDIR and PREFIX, libiap's example built against it with
# pkg-config and run on the virtual board, the man page and the bash completion (host/install.mk).
TESTS       += tests/e2e/test_install.sh
TESTS_BUILD += $(BUILD)/lib/libiap.a $(LIBIAP_SO)

# iap with several -p: four virtual boards at once, one cut mid-transfer (host/multi.c).
TESTS       += tests/e2e/test_multi.sh
