# libiap (docs/LIBIAP.md): iap's session, formats and transports as a library with one public
# header (host/libiap/iap.h), static and shared. The shared one exports only the header's
# functions (-fvisibility=hidden, IAP_API), with a soname of the major version:
#   $(BUILD)/lib/libiap.a
#   $(BUILD)/lib/libiap.so.$(LIBIAP_VERSION), libiap.so.$(LIBIAP_MAJOR) -> it, libiap.so -> it
#   $(BUILD)/examples/flash_demo   examples/libiap/flash_demo.c linked against the shared one
# make install (host/install.mk) ships them with iap.pc.
LIBIAP_MAJOR   := 1
LIBIAP_VERSION := $(LIBIAP_MAJOR).0.0
LIBIAP_SONAME  := libiap.so.$(LIBIAP_MAJOR)
LIBIAP_OBJ     := $(patsubst %.c,$(BUILD)/lib/obj/%.o,$(LIBIAP_SRC))
LIBIAP_CFLAGS  := $(HOST_CFLAGS) $(WARN_STRICT) -fPIC -fvisibility=hidden -DIAP_BUILD_LIBRARY
LIBIAP_SO      := $(BUILD)/lib/libiap.so.$(LIBIAP_VERSION)

$(BUILD)/lib/obj/%.o: %.c $(HOST_DEPS) host/lib.mk
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIBIAP_CFLAGS) -c -o $@ $<

$(BUILD)/lib/libiap.a: $(LIBIAP_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(LIBIAP_SO): $(LIBIAP_OBJ)
	@mkdir -p $(dir $@)
	$(HOST_CC) -shared -Wl,-soname,$(LIBIAP_SONAME) -Wl,--no-undefined -Wl,-z,defs -o $@ $^ \
	  $(HOST_LIBS)
	ln -sf $(notdir $@) $(BUILD)/lib/$(LIBIAP_SONAME)
	ln -sf $(notdir $@) $(BUILD)/lib/libiap.so

# The example, against the library in the build tree (tests/e2e/test_install.sh builds it again
# against an installed one, through pkg-config).
$(BUILD)/examples/flash_demo: examples/libiap/flash_demo.c host/libiap/iap.h $(LIBIAP_SO)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(WARN_STRICT) -Ihost/libiap -o $@ $< -L$(BUILD)/lib -liap \
	  -Wl,-rpath,'$$ORIGIN/../lib'

ALL_TARGETS += $(BUILD)/lib/libiap.a $(LIBIAP_SO) $(BUILD)/examples/flash_demo
