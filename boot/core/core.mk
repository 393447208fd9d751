# Portable bootloader core. The F1 port (boot/boot.mk) compiles BOOT_CORE_SRC with BOOT_CORE_INC;
# the host tests (tests/unit/unit.mk) link it with the sim port (boot/port/sim).
BOOT_CORE_SRC := boot/core/boot.c boot/core/session.c boot/core/flashmgr.c boot/core/native.c \
                 boot/core/an3155.c boot/core/ymodem.c boot/core/protos.c boot/core/part.c boot/core/lz4dec.c \
                 $(PROTO_SRC)
BOOT_CORE_INC := -Iproto -Iboot/core -Iboot/port
BOOT_SIM_SRC  := boot/port/sim/sim.c
