# Peripheral models of the virtual board (rcc, gpio, usart, dma, bkp, crc, iwdg): their sources
# for reference (emu/emu.mk builds every emu/*.c into libemu), host tests on a fake board, and test
# firmware images run on the board by.
PERIPH_SRC := emu/rcc.c emu/gpio.c emu/usart.c emu/usart_host.c emu/dma.c emu/bkp.c emu/crc.c \
              emu/iwdg.c
PERIPH_HDR := emu/board.h emu/emu.h emu/periph.h emu/usart_host.h

PERIPH_TEST := $(BUILD)/tests/test_periph
$(PERIPH_TEST): tests/emu/test_periph.c tests/emu/fake_board.c tests/emu/fake_board.h \
                $(PERIPH_SRC) $(PERIPH_HDR) tests/test.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Iemu -Itests -Itests/emu -o $@ \
	  tests/emu/test_periph.c tests/emu/fake_board.c $(PERIPH_SRC)

# Firmware images tests/emu/fw/periph_*.c are built by emu/emu.mk's rule into build/emu-fw/.
PERIPH_FW := $(patsubst tests/emu/fw/%.c,$(BUILD)/emu-fw/%.elf,$(wildcard tests/emu/fw/periph_*.c))

TESTS_BUILD += $(PERIPH_TEST) $(PERIPH_FW) $(BUILD)/stm32emu
TESTS += $(PERIPH_TEST) tests/emu/test_periph_fw.sh
