# End-to-end tests: build/iap against the real bootloader (build/boot.elf) on the virtual board,
# through the board's pty in real-time mode (tests/e2e/lib.sh). Benchmarks print figures.
E2E_TESTS := $(sort $(wildcard tests/e2e/test_iap_*.sh))
TESTS       += $(E2E_TESTS)
TESTS_BUILD += $(BUILD)/stm32emu $(BUILD)/boot.elf $(BUILD)/iap \
               $(foreach v,1 2,$(addprefix $(BUILD)/app-v$(v).,elf bin hex srec))
BENCHES     += tests/e2e/bench_flash.sh
