# End-to-end tests on the virtual board (build/stm32emu) with the real firmware: the bootloader
# and demo app on their own (test_on_board.py), build/iap through the board's pty in real time
# (tests/e2e/lib.sh), and the third-party clients stm32flash (AN3155) and lrzsz's sb (YMODEM),
# which scripts/deps.sh installs. Benchmarks print figures.
E2E_TESTS := tests/e2e/test_on_board.py $(sort $(wildcard tests/e2e/test_iap_*.sh)) \
             tests/e2e/test_stm32flash.sh tests/e2e/test_ymodem.sh
TESTS       += $(E2E_TESTS)
TESTS_BUILD += $(BUILD)/stm32emu $(BUILD)/boot.elf $(BUILD)/iap $(BUILD)/protoenc \
               $(foreach v,1 2,$(addprefix $(BUILD)/app-v$(v).,elf bin hex srec))
BENCHES     += tests/e2e/bench_flash.sh

# The proto codec on the command line (frames, records) for scripts: tests/lib/protoenc.c.
$(BUILD)/protoenc: tests/lib/protoenc.c $(PROTO_SRC) $(wildcard proto/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) -o $@ $< $(PROTO_SRC)
