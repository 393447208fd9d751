#!/usr/bin/env bash
# stm32flash 0.7 (the Debian package) against one board profile's boot.elf on the virtual board of
# its part (a pty: -m 8n1, as tests/e2e/test_stm32flash.sh explains): the device ID and erase
# command stm32flash is told for that part, write + verify + go, read back. On a part with more
# than 256 pages (XL) stm32flash erases with Extended Erase: an image linked across the bank
# boundary (app-xl: its code at 0x0807FFF0..0x08080017) is written in its two parts, read back
# across 0x08080000, verified and run; mass erase and the bank erase codes erase the application
# area's share only (the bootloader's pages stay).
# Usage: tests/e2e/test_stm32flash_board.sh BUILD_DIR BOARD. Prints "N passed, N failed" last.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
E2E_BOARD=${2:?usage: test_stm32flash_board.sh BUILD_DIR BOARD}
. tests/e2e/lib.sh
tmp=$E2E_TMP
ok() { echo "ok $1"; e2e_pass=$((e2e_pass + 1)); }
bad() { echo "FAIL $1: $2"; e2e_fail=$((e2e_fail + 1)); }
echo "board $BOARD: $BOARD_CHIP (device ID $BOARD_DEV_ID), $BOARD_FLASH_KB KB in $BOARD_PAGE_SIZE-byte pages"

# start_board NAME [emulator options...]: a board with only the bootloader (IAP mode).
start_board() {
    board_start "$@" || exit 1
    board=$1 link=$(board_port "$1")
}
stop_board() { board_stop "$board"; }
flash() { timeout 90 stm32flash -m 8n1 -b 115200 "$@" "$link" >"$tmp/out" 2>&1; }
last_lines() { tr '\r' '\n' <"$tmp/out" | grep -a -v '^ *$' | tail -n 3 | tr '\n' ' '; }
app_runs() { timeout 3 cat "$link" 2>/dev/null | tr -d '\r' | grep -a -q -m1 "$1"; }
# the bootloader's 8 KB as --load puts them into a fresh flash image
"$EMU" --flash "$tmp/ref.img" --load "$BOOT_ELF" "${BOARD_EMU_ARGS[@]}" --stop-after 1 2>/dev/null
boot_intact() { cmp -s -n 8192 "$tmp/ref.img" "$1"; }
# erased IMG OFFSET LEN: the LEN bytes of flash image IMG from OFFSET are all 0xFF
erased() {
    python3 -c 'import sys
f = open(sys.argv[1], "rb")
f.seek(int(sys.argv[2], 0))
d = f.read(int(sys.argv[3], 0))
sys.exit(0 if d and d.count(255) == len(d) else 1)' "$@"
}
# an3155 BYTES...: sends AN3155 bytes (hex) on the board's pty, one step per argument, each step
# to be answered with ACK (0x79); 0 when they all were. The first step may be answered NACK: a
# 0x7F to a bootloader that stm32flash left synchronised.
an3155() {
    python3 -c 'import os, select, sys, time, tty
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
for i, step in enumerate(sys.argv[2:]):
    os.write(fd, bytes.fromhex(step))
    r = os.read(fd, 1) if select.select([fd], [], [], 20)[0] else b""
    if not r or (r[0] != 0x79 and not (i == 0 and r[0] == 0x1F)):
        sys.exit(1)
    if step == "00ff":  # Get: the rest of its answer
        time.sleep(0.3)
        print(os.read(fd, 64).hex())' "$link" "$@"
}

xl=$([ "$BOARD_BANKS" = 2 ] && echo 1)
erase_cmd=$([ -n "$xl" ] && echo 0x44 || echo 0x43)

start_board a
if flash -S 0x08002000 -w "$APP_DIR/app-v1.bin" -v -g 0x08002000 && app_runs "app v1 tick"; then
    ok write_verify_and_go_runs_the_app
else
    bad write_verify_and_go_runs_the_app "$(last_lines)"
fi
pid=$(grep -a "Device ID" "$tmp/out")
if grep -a -q "Device ID *: 0x0*${BOARD_DEV_ID#0x} " "$tmp/out"; then
    ok device_id_is_the_parts
else
    bad device_id_is_the_parts "want $BOARD_DEV_ID: $pid"
fi
stop_board

start_board b
size=$(stat -c %s "$APP_DIR/app-v2.bin")
if flash -S 0x08002000 -w "$APP_DIR/app-v2.bin" && flash -S 0x08002000:"$size" -r "$tmp/back.bin" &&
    cmp -s "$APP_DIR/app-v2.bin" "$tmp/back.bin"; then
    ok read_back_equals_the_file
else
    bad read_back_equals_the_file "$(last_lines)"
fi
# Get's list of commands, from the bootloader itself: ... 0x31 (Write), the erase command, 0x63 ...
get=$(an3155 7f 00ff)
case $get in
*31"${erase_cmd#0x}"63*) ok "get_offers_erase_$erase_cmd" ;;
*) bad "get_offers_erase_$erase_cmd" "Get answered ${get:-nothing}" ;;
esac
stop_board

if [ -n "$xl" ]; then
    # the image in its two parts: stm32flash erases the pages each one covers (page 255 and 256:
    # two-byte page numbers), Go commits [0x08002000, end of the second) with the gap erased
    start_board c --erase-ms 2
    xlsize=$(stat -c %s "$APP_DIR/app-xl.bin")
    if ! flash -S 0x08002000 -w "$APP_DIR/app-xl-low.bin"; then
        bad image_across_the_bank_boundary_is_written_verified_and_runs \
            "writing the part at 0x08002000: $(last_lines)"
    elif ! flash -S 0x0807FFF0 -w "$APP_DIR/app-xl-bank2.bin" -v -g 0x08002000; then
        bad image_across_the_bank_boundary_is_written_verified_and_runs \
            "writing the part at 0x0807FFF0: $(last_lines)"
    elif ! app_runs "app v2 tick"; then
        bad image_across_the_bank_boundary_is_written_verified_and_runs "Go did not start the app"
    elif ! boots_into "$E2E_TMP/c.img" "code across the flash banks runs"; then
        # its bank 2 line comes once, at start, maybe before anyone reads the port: a power-up of
        # a copy of the flash, its UART on stdout, shows it
        bad image_across_the_bank_boundary_is_written_verified_and_runs \
            "a power-up does not run the code in bank 2"
    else
        ok image_across_the_bank_boundary_is_written_verified_and_runs
    fi
    stop_board
    # the same flash, held in the bootloader: read back across 0x08080000, then mass erase
    board_power_on c --pin "$BOARD_ENTRY=$BOARD_ENTRY_ON" --erase-ms 2 || exit 1
    dd if="$APP_DIR/app-xl.bin" bs=1 skip=$((0x0807F800 - 0x08002000)) count=4096 2>/dev/null \
        >"$tmp/across.bin"
    n=$(stat -c %s "$tmp/across.bin")
    head -c $((4096 - n)) /dev/zero | tr '\0' '\377' >>"$tmp/across.bin"
    if flash -S 0x0807F800:4096 -r "$tmp/back-across.bin" && cmp -s "$tmp/across.bin" "$tmp/back-across.bin"; then
        ok read_across_the_bank_boundary_equals_the_image
    else
        bad read_across_the_bank_boundary_equals_the_image "$(last_lines)"
    fi
    if flash -o && erased "$tmp/c.img" 8192 "$xlsize" && boot_intact "$tmp/c.img"; then
        ok mass_erase_erases_both_banks_of_the_application_area_and_keeps_the_bootloader
    else
        bad mass_erase_erases_both_banks_of_the_application_area_and_keeps_the_bootloader \
            "$(last_lines)"
    fi
    stop_board

    # bank erase codes, which stm32flash does not send: 0xFFFD erases bank 2's share only, 0xFFFE
    # bank 1's; the bootloader's pages stay
    start_board d --erase-ms 2
    flash -S 0x08002000 -w "$APP_DIR/app-xl-low.bin" && flash -S 0x0807FFF0 -w "$APP_DIR/app-xl-bank2.bin"
    # Extended Erase (0x44 0xBB), N = the code, its checksum
    if an3155 7f 44bb fffd02 && erased "$tmp/d.img" 0x80000 24 && ! erased "$tmp/d.img" 0x7FFF0 16 &&
        ! erased "$tmp/d.img" 8192 64; then
        ok bank2_erase_erases_bank2_only
    else
        bad bank2_erase_erases_bank2_only "bank 1 or 2 not as expected"
    fi
    if an3155 7f 44bb fffe01 && erased "$tmp/d.img" 8192 $((0x80000 - 8192)) &&
        boot_intact "$tmp/d.img"; then
        ok bank1_erase_erases_the_application_area_of_bank1_and_keeps_the_bootloader
    else
        bad bank1_erase_erases_the_application_area_of_bank1_and_keeps_the_bootloader "see $tmp"
    fi
    stop_board
fi

e2e_summary
