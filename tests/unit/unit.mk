# Host tests (ASan/UBSan): the proto codec, the bootloader core on the sim port (its fake F1
# flash, tests/lib/simhost.c as the host), the iap tool's modules and its command line, the
# application template's command matcher.
TEST_LIB_SRC := tests/lib/simhost.c tests/lib/simpty.c
TEST_CFLAGS  := $(HOST_CFLAGS) $(WARN_STRICT) $(SAN_FLAGS) -Itests -Itests/lib
BOOT_TEST_SRC := $(BOOT_CORE_SRC) $(BOOT_SIM_SRC) $(TEST_LIB_SRC)
BOOT_CORE_DEPS = $(BOOT_TEST_SRC) $(wildcard boot/core/*.h boot/port/*.h boot/port/sim/*.h \
                 proto/*.h tests/lib/*.h) tests/test.h boot/core/core.mk tests/unit/unit.mk

# The codec alone.
$(BUILD)/tests/test_proto_frame: tests/unit/test_proto_frame.c $(PROTO_SRC) $(wildcard proto/*.h) \
                                 tests/test.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) -o $@ $< $(PROTO_SRC)

# The decoder's cost per byte: the codec with its memmove counted (tests/unit/test_proto_rx_cost.c).
$(BUILD)/tests/test_proto_rx_cost: tests/unit/test_proto_rx_cost.c $(PROTO_SRC) \
                                   $(wildcard proto/*.h) tests/test.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) -fno-builtin -Dmemmove=counted_memmove -o $@ $< $(PROTO_SRC)

# The bootloader core.
BOOT_UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_boot_*.c))
$(BUILD)/tests/test_boot_%: tests/unit/test_boot_%.c $(BOOT_CORE_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) $(BOOT_CORE_INC) -Iboot/port/sim -o $@ $< $(BOOT_TEST_SRC)

# The iap tool's parsers, image and transports.
HOST_UNIT_TESTS := $(BUILD)/tests/test_host_formats $(BUILD)/tests/test_host_image \
                   $(BUILD)/tests/test_host_transport
$(HOST_UNIT_TESTS): $(BUILD)/tests/%: tests/unit/%.c $(HOST_LIB_SRC) $(HOST_DEPS) tests/test.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) -Ihost -o $@ $< $(HOST_LIB_SRC) $(HOST_LIBS)

# The iap session against the real bootloader core on the sim port.
HOST_SESSION_TEST := $(BUILD)/tests/test_host_session
$(HOST_SESSION_TEST): tests/unit/test_host_session.c $(HOST_LIB_SRC) $(HOST_DEPS) $(BOOT_CORE_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) -Ihost $(BOOT_CORE_INC) -Iboot/port/sim -o $@ $< \
	  $(filter-out $(PROTO_SRC),$(HOST_LIB_SRC)) $(BOOT_TEST_SRC) $(HOST_LIBS)

# build/iap-san on its command line against the real core served on a pty by a child process.
HOST_CLI_TEST := $(BUILD)/tests/test_host_cli
$(HOST_CLI_TEST): tests/unit/test_host_cli.c $(BUILD)/iap-san $(BOOT_CORE_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) -DIAP_BIN='"$(BUILD)/iap-san"' $(BOOT_CORE_INC) -Iboot/port/sim \
	  -o $@ $< $(BOOT_TEST_SRC)

# The application template's update-command matcher.
$(BUILD)/tests/test_app_cmd: tests/unit/test_app_cmd.c examples/template/app_cmd.c \
                             examples/template/app_iap.h proto/proto.h tests/test.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) -Iexamples/template -o $@ $< examples/template/app_cmd.c

UNIT_TESTS := $(BUILD)/tests/test_proto_frame $(BUILD)/tests/test_proto_rx_cost $(BOOT_UNIT_TESTS) $(HOST_UNIT_TESTS) \
              $(HOST_SESSION_TEST) $(HOST_CLI_TEST) $(BUILD)/tests/test_app_cmd
TESTS       += $(UNIT_TESTS)
TESTS_BUILD += $(UNIT_TESTS)

# The SECURE=1 core on the sim port (16 KB layout), images signed by iap's own signer with the
# test key the build generates (boot/secure.mk).
SECURE_TEST := $(BUILD)/tests/test_boot_secure
$(SECURE_TEST): tests/unit/test_boot_secure.c $(BOOT_CORE_DEPS) boot/core/secure.c \
                $(BUILD)/secure/secure_key.h host/sign.c host/sign_trailer.c host/err.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) $(BOOT_CORE_INC) -Iboot/port/sim -Ihost -I$(BUILD)/secure \
	  -DBOOT_SIZE=0x4000u -DTEST_KEY='"$(SECURE_TEST_KEY)"' \
	  -DOTHER_KEY='"$(BUILD)/keys/other-key.pem"' -o $@ $< \
	  $(BOOT_SECURE_SRC) $(BOOT_SIM_SRC) $(TEST_LIB_SRC) host/sign.c host/sign_trailer.c \
	  host/err.c -lcrypto
TESTS       += $(SECURE_TEST)
TESTS_BUILD += $(SECURE_TEST) $(BUILD)/keys/other-key.pub.pem

# A second key, for "signed with another key" refusals.
$(BUILD)/keys/other-key.pub.pem: | $(BUILD)/iap
	@mkdir -p $(dir $@)
	rm -f $(BUILD)/keys/other-key.pem $@
	$(BUILD)/iap -q keygen -o $(BUILD)/keys/other-key.pem

# libiap's public API (host/libiap/iap.h) against the real core served on two ptys by child
# processes: errors, progress, flash, verify, read, erase, reset, two handles in two threads.
HOST_LIBIAP_TEST := $(BUILD)/tests/test_host_libiap
$(HOST_LIBIAP_TEST): tests/unit/test_host_libiap.c $(HOST_LIB_SRC) $(HOST_DEPS) $(BOOT_CORE_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TEST_CFLAGS) -Ihost $(BOOT_CORE_INC) -Iboot/port/sim -o $@ $< \
	  $(filter-out $(PROTO_SRC),$(HOST_LIB_SRC)) $(BOOT_TEST_SRC) $(HOST_LIBS) -pthread
TESTS       += $(HOST_LIBIAP_TEST)
TESTS_BUILD += $(HOST_LIBIAP_TEST)
