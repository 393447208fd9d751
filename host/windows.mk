# iap for Windows, cross-built with Debian's mingw-w64 (docs/WINDOWS.md):
#   make windows   ->  $(BUILD)/win/iap.exe, one static executable (no DLLs beside it)
# The tool's portable sources, with the Windows files where the OS matters: the transports
# (serial_win.c, tcp_win.c; rfc2217.c runs on either TCP), the port list (ports_win.c) and
# compat_win.c. Debian has no liblz4 or OpenSSL for mingw: compress_none.c and sign_none.c
# (no compression of WRITE data, no signing; a SECURE device still checks signatures itself).
WIN_CC      := x86_64-w64-mingw32-gcc
# mingw's own printf (__USE_MINGW_ANSI_STDIO) takes %zu and %llu like glibc's, but GCC checks
# format(printf) attributes against Microsoft's: -Wno-format here, the Linux build checks them.
WIN_CFLAGS  := $(HOST_CFLAGS) $(WARN_STRICT) -Wno-format -Ihost -D__USE_MINGW_ANSI_STDIO=1 \
               -D_WIN32_WINNT=0x0601
WIN_LDFLAGS := -static
WIN_LIBS    := -lsetupapi -lws2_32 -lpthread # host/multi.c: mingw's winpthreads, linked static
WIN_SIGN_SRC ?= host/sign_none.c
# What only POSIX builds link, and what Windows links instead.
WIN_POSIX_SRC := host/transports/fdio.c host/transports/serial.c host/transports/tcp.c \
                 host/compat_posix.c host/ports_linux.c host/compress_lz4.c host/sign.c
WIN_OWN_SRC   := host/transports/serial_win.c host/transports/tcp_win.c host/compat_win.c \
                 host/ports_win.c host/compress_none.c $(WIN_SIGN_SRC)
WIN_SRC := $(sort $(filter-out $(WIN_POSIX_SRC),$(HOST_SRC)) host/transports/rfc2217.c \
                  host/transports/telnet.c host/transports/net.c host/ports.c $(WIN_OWN_SRC))

$(BUILD)/win/iap.exe: $(WIN_SRC) $(HOST_DEPS) host/windows.mk
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) $(WIN_LDFLAGS) -o $@ $(WIN_SRC) $(WIN_LIBS)

# libiap as a DLL (docs/LIBIAP.md): iap.dll exporting only iap.h's functions (IAP_API is
# dllexport there), its import library libiap.dll.a, and the example linked against it. libgcc
# and winpthreads are linked in: the DLL needs nothing beside it but Windows' own.
WIN_LIB_SRC := $(filter-out host/main.c host/ui.c host/multi.c host/staged.c proto/stage.c                  host/ports.c host/ports_win.c,$(WIN_SRC))

$(BUILD)/win/iap.dll: $(WIN_LIB_SRC) $(HOST_DEPS) host/windows.mk
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) -DIAP_BUILD_LIBRARY $(WIN_LDFLAGS) -shared -o $@ $(WIN_LIB_SRC) \
	  -Wl,--out-implib,$(BUILD)/win/libiap.dll.a $(WIN_LIBS)

$(BUILD)/win/flash_demo.exe: examples/libiap/flash_demo.c host/libiap/iap.h $(BUILD)/win/iap.dll
	$(WIN_CC) $(WIN_CFLAGS) -Ihost/libiap -o $@ $< -L$(BUILD)/win -l:libiap.dll.a

.PHONY: windows
windows: $(BUILD)/win/iap.exe $(BUILD)/win/iap.dll $(BUILD)/win/flash_demo.exe

# The stub of host/sign.h without OpenSSL (docs/WINDOWS.md) belongs to the signing work.
host/sign_none.c:
	@echo "host/sign_none.c is missing: the Windows build links it instead of host/sign.c" \
	      "(no OpenSSL for mingw); see docs/WINDOWS.md" >&2; exit 1
