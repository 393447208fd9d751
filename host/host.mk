# The iap host tool (its tests: tests/unit/unit.mk).
HOST_SRC := host/main.c host/err.c host/image.c host/iap_session.c host/ui.c host/compress_lz4.c \
            host/sign.c host/sign_trailer.c host/ports.c host/ports_linux.c \
            host/staged.c proto/stage.c host/multi.c \
            host/transport.c host/transports/fdio.c host/transports/serial.c host/transports/tcp.c \
            host/compat_posix.c host/transports/net.c host/transports/telnet.c \
            host/transports/rfc2217.c \
            host/formats/format.c host/formats/bin.c host/formats/ihex.c host/formats/srec.c \
            host/formats/elf.c host/libiap/ops.c host/libiap/libiap.c $(PROTO_SRC)
HOST_LIB_SRC := $(filter-out host/main.c host/ui.c host/multi.c,$(HOST_SRC))
# What libiap (host/lib.mk, docs/LIBIAP.md) holds: the session, formats and transports, not the
# tool's own modules (command line, output, the port list, --staged); iap links it statically.
LIBIAP_SRC := $(filter-out host/staged.c proto/stage.c host/ports.c host/ports_linux.c,$(HOST_LIB_SRC))
HOST_CLI_SRC := $(filter-out $(LIBIAP_SRC),$(HOST_SRC))
HOST_LIBS := -llz4 -lcrypto
HOST_CLI_LIBS := $(HOST_LIBS) -pthread # host/multi.c: a thread per board
HOST_DEPS := $(wildcard host/*.h host/*/*.h proto/*.h) host/host.mk

$(BUILD)/iap: $(HOST_CLI_SRC) $(BUILD)/lib/libiap.a $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) -o $@ $(HOST_CLI_SRC) $(BUILD)/lib/libiap.a \
	  $(HOST_CLI_LIBS)

ALL_TARGETS += $(BUILD)/iap

# The same tool with ASan/UBSan, which the CLI tests run (a leak or a UB exits non-zero).
$(BUILD)/iap-san: $(HOST_SRC) $(HOST_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) $(SAN_FLAGS) -o $@ $(HOST_SRC) $(HOST_CLI_LIBS)

