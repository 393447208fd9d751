# The peripheral models (emu/rcc.c gpio.c usart.c ...) are built into libemu by emu/emu.mk; their
# tests on a fake board are registered in tests/emu/emu.mk. Nothing left here: the top Makefile
# may drop its include of this file.
