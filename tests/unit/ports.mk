# `iap ports` (host/ports.c, host/ports_linux.c) against a fake /dev and /sys.
PORTS_TEST := $(BUILD)/tests/test_host_ports
PORTS_TEST_SRC := host/ports.c host/ports_linux.c host/err.c
$(PORTS_TEST): tests/unit/test_host_ports.c $(PORTS_TEST_SRC) $(HOST_DEPS) tests/test.h \
               tests/unit/ports.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) -Ihost -o $@ $< $(PORTS_TEST_SRC)

TESTS       += $(PORTS_TEST)
TESTS_BUILD += $(PORTS_TEST)
