# STM32F103 port of the bootloader, linked with the portable core by boot/boot.mk.
BOOT_PORT_DIR := boot/port/stm32f1
BOOT_PORT_SRC := $(addprefix $(BOOT_PORT_DIR)/,startup.c port.c uart.c flash.c libc.c)
BOOT_PORT_LD  := $(BOOT_PORT_DIR)/link.ld
