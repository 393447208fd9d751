# `iap ports` (host/ports.c, host/ports_linux.c) against a fake /dev and /sys. Linked with the
# rest of the tool but main.c, for ui_json_str and what ui.c needs.
PORTS_TEST := $(BUILD)/tests/test_host_ports
PORTS_TEST_SRC := $(sort $(filter-out host/main.c,$(HOST_SRC)) host/ports.c host/ports_linux.c)
$(PORTS_TEST): tests/unit/test_host_ports.c $(PORTS_TEST_SRC) $(HOST_DEPS) tests/test.h \
               tests/unit/ports.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) -Ihost -o $@ $< $(PORTS_TEST_SRC) $(HOST_LIBS)

TESTS       += $(PORTS_TEST)
TESTS_BUILD += $(PORTS_TEST)
