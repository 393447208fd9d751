# STM32F1 port of the bootloader, linked with the portable core by boot/boot.mk. The sources in
# BOOT_PORT_SRC include the board profile (board.h) and are built once per board; libc.c is not.
BOOT_PORT_DIR  := boot/port/stm32f1
BOOT_PORT_SRC  := $(addprefix $(BOOT_PORT_DIR)/,startup.c port.c uart.c flash.c baud.c crc.c)
BOOT_PORT_LIBC := $(BOOT_PORT_DIR)/libc.c
BOOT_PORT_LD   := $(BOOT_PORT_DIR)/link.ld
