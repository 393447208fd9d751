# iap where its users are: through Debian's ser2net, raw (tcp://) and RFC 2217 (rfc2217://), and
# the Windows build (host/windows.mk) under Wine on a COM port mapped to the board's pty. Both
# need the packages scripts/deps.sh installs (ser2net; gcc-mingw-w64-x86-64, wine).
TESTS       += tests/e2e/test_ser2net.sh tests/e2e/test_wine.sh
TESTS_BUILD += $(BUILD)/stm32emu $(BUILD)/boot.elf $(BUILD)/iap $(BUILD)/win/iap.exe \
               $(foreach v,1 2,$(addprefix $(BUILD)/app-v$(v).,elf bin hex srec))
