#!/usr/bin/env bash
# build/iap refuses bad images and unusable ports cleanly: the right exit code, a one-line
# message that says what to do, and the application already on the board untouched (every
# refusal here happens before the first erase). One board, holding app v1, serves every test.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

B=r
PORT=$(board_port $B)
V1="$APP_DIR/app-v1"

# iap_refuses and app_survives: tests/e2e/lib.sh
v1_survives() { app_survives $B 1; }
refused_keeping_v1() { iap_refuses "$@" && v1_survives; }

setup() {
    board_start $B || return 1
    "$IAP" -p "$PORT" -q flash "$V1.bin" --app-version 1 >"$E2E_TMP/iap.err" 2>&1 ||
        { say "flashing v1: $(cat "$E2E_TMP/iap.err")"; return 1; }
    uart_expect $B "app v1 tick" 3 || { say "v1 does not run"; return 1; }
}

# Test images: too big, linked at 0x08000000, a HEX line with a bad checksum.
head -c 61440 /dev/zero | tr '\0' '\377' | cat "$V1.bin" - | head -c 61440 >"$E2E_TMP/big.bin"
arm-none-eabi-objcopy --change-addresses -0x2000 "$V1.elf" "$E2E_TMP/low.elf"
arm-none-eabi-objcopy -O ihex "$E2E_TMP/low.elf" "$E2E_TMP/low.hex"
# line 3 with its checksum byte plus 1
python3 -c 'import sys
lines = open(sys.argv[1]).read().splitlines()
lines[2] = lines[2][:-2] + "%02X" % ((int(lines[2][-2:], 16) + 1) % 256)
print("\n".join(lines))' "$V1.hex" >"$E2E_TMP/bad.hex"
# a pty nobody answers on
python3 -c 'import os, pty, sys, time
m, s = pty.openpty()
os.symlink(os.ttyname(s), sys.argv[1])
time.sleep(120)' "$E2E_TMP/dead.pty" &
echo $! >"$E2E_TMP/dead.pid"

check board_runs_app_v1 setup
check image_too_big_for_the_application_area_exits_3 \
    refused_keeping_v1 3 "too big" -p "$PORT" flash "$E2E_TMP/big.bin"
check elf_linked_at_0x08000000_exits_3 \
    refused_keeping_v1 3 "image linked for 0x08000000: relink at 0x08002000" -p "$PORT" flash "$E2E_TMP/low.elf"
check hex_linked_at_0x08000000_exits_3 \
    refused_keeping_v1 3 "image linked for 0x08000000: relink at 0x08002000" -p "$PORT" flash "$E2E_TMP/low.hex"
check hex_line_with_a_bad_checksum_exits_2_naming_the_line \
    refused_keeping_v1 2 "bad.hex:3: bad checksum" -p "$PORT" flash "$E2E_TMP/bad.hex"
check port_that_does_not_exist_exits_4 \
    refused_keeping_v1 4 "port $E2E_TMP/nosuch does not exist" -p "$E2E_TMP/nosuch" flash "$V1.bin"
check pty_with_nobody_behind_it_exits_5 \
    iap_refuses 5 "no bootloader answered on $E2E_TMP/dead.pty" -p "$E2E_TMP/dead.pty" flash "$V1.bin"
check running_app_not_asked_to_reboot_exits_5 \
    refused_keeping_v1 5 "no bootloader answered on $PORT" -p "$PORT" --no-app-request flash "$V1.bin"
board_stop $B
e2e_summary
