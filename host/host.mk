# The iap host tool and its unit tests.
HOST_SRC := host/main.c host/err.c host/image.c host/frame.c host/session.c host/ui.c \
            host/transport.c host/transports/fdio.c host/transports/serial.c host/transports/tcp.c \
            host/formats/format.c host/formats/bin.c host/formats/ihex.c host/formats/srec.c \
            host/formats/elf.c $(PROTO_SRC)
HOST_LIB_SRC := $(filter-out host/main.c host/ui.c,$(HOST_SRC))
HOST_DEPS := $(wildcard host/*.h host/*/*.h proto/*.h) host/host.mk

$(BUILD)/iap: $(HOST_SRC) $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(HOST_SRC)

# Parser, image and frame tests: the host code alone.
HOST_UNIT_TESTS := $(BUILD)/tests/test_host_formats $(BUILD)/tests/test_host_image \
                   $(BUILD)/tests/test_host_frame $(BUILD)/tests/test_host_transport

$(HOST_UNIT_TESTS): $(BUILD)/tests/%: tests/unit/%.c $(HOST_LIB_SRC) $(HOST_DEPS) tests/test.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Ihost -Itests -o $@ $< $(HOST_LIB_SRC)

# The session against the real bootloader core on the sim port (boot/core/core.mk).
HOST_SESSION_TEST := $(BUILD)/tests/test_host_session
$(HOST_SESSION_TEST): tests/unit/test_host_session.c $(HOST_LIB_SRC) $(HOST_DEPS) tests/test.h \
                      $(BOOT_CORE_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Itests $(BOOT_CORE_INC) -Iboot/port/sim \
	  -o $@ $< $(filter-out proto/crc32.c,$(HOST_LIB_SRC)) $(BOOT_CORE_SRC) $(BOOT_SIM_SRC)

ALL_TARGETS += $(BUILD)/iap
TESTS       += $(HOST_UNIT_TESTS) $(HOST_SESSION_TEST)
TESTS_BUILD += $(HOST_UNIT_TESTS) $(HOST_SESSION_TEST)

# The iap tool on its command line against the real core served on a pty by a child process.
# It runs build/iap-san, the same tool built with ASan/UBSan (a leak or a UB exits non-zero).
$(BUILD)/iap-san: $(HOST_SRC) $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -o $@ $(HOST_SRC)

HOST_CLI_TEST := $(BUILD)/tests/test_host_cli
$(HOST_CLI_TEST): tests/unit/test_host_cli.c $(BUILD)/iap-san tests/test.h $(BOOT_CORE_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -DIAP_BIN='"$(BUILD)/iap-san"' -Itests \
	  $(BOOT_CORE_INC) -Iboot/port/sim -o $@ $< $(BOOT_CORE_SRC) $(BOOT_SIM_SRC)

TESTS       += $(HOST_CLI_TEST)
TESTS_BUILD += $(HOST_CLI_TEST)
