# The speed work (issue 15): the USB-serial adapter model, the step-up tests through it, and the
# side-by-side benchmark (make bench).
$(BUILD)/usbrelay: tests/bench/usbrelay.c tests/bench/bench.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) -o $@ $< -lutil

ALL_TARGETS += $(BUILD)/usbrelay
TESTS_BUILD += $(BUILD)/usbrelay
BENCHES     += tests/bench/bench_speed.sh
