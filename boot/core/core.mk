# Portable bootloader core. The F1 port (boot/boot.mk) compiles BOOT_CORE_SRC with BOOT_CORE_INC;
# the host tests (tests/unit/unit.mk) link it with the sim port (boot/port/sim).
BOOT_CORE_SRC := boot/core/boot.c boot/core/session.c boot/core/flashmgr.c boot/core/native.c \
                 boot/core/an3155.c boot/core/ymodem.c boot/core/protos.c boot/core/part.c \
                 boot/core/lz4dec.c boot/core/secure_none.c boot/core/stage_none.c $(PROTO_SRC)
# SECURE=1 (docs/SECURITY.md): signed images only; the verifier and its key instead.
BOOT_SECURE_SRC := $(filter-out boot/core/secure_none.c,$(BOOT_CORE_SRC)) boot/core/secure.c \
                   boot/crypto/ed25519.c boot/crypto/sha512.c
BOOT_CORE_INC := -Iproto -Iboot/core -Iboot/port -Iboot/crypto
BOOT_SIM_SRC  := boot/port/sim/sim.c
