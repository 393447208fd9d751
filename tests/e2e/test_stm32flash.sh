#!/usr/bin/env bash
# stm32flash 0.7 (the Debian package) against the real build/boot.elf on the virtual board, over a
# pseudo-terminal. A pty cannot do even parity, so every call passes -m 8n1 (the board's USART
# switches to 8E1 after 0x7F; the emulator's bridge carries the bytes unchanged either way).
# Usage: tests/e2e/test_stm32flash.sh [BUILD_DIR]. Prints "N passed, N failed" last.
set -u
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh" # board_start/board_stop, $E2E_TMP (removed at exit with every board)
APP1=$APP_DIR/app-v1.bin
APP2=$APP_DIR/app-v2.bin
tmp=$E2E_TMP
ok() { echo "ok $1"; e2e_pass=$((e2e_pass + 1)); }
bad() { echo "FAIL $1: $2"; e2e_fail=$((e2e_fail + 1)); }

# start_board NAME [emulator options...]: a board with only the bootloader (IAP mode); $link is
# its pty, $log its events (its flash image is $E2E_TMP/NAME.img).
start_board() {
    board_start "$@" || exit 1
    board=$1 link=$(board_port "$1") log=$E2E_TMP/$1.log
}
stop_board() { board_stop "$board"; }

flash() { timeout 60 stm32flash -m 8n1 -b 115200 "$@" "$link" >"$tmp/out" 2>&1; }

# app_runs VERSION: the app's once-a-second tick line shows up on the UART within 3 s.
app_runs() { timeout 3 cat "$link" 2>/dev/null | grep -a -q -m1 "app v$1 tick"; }

# the bootloader's 8 KB as --load puts them into a fresh flash image
"$EMU" --flash "$tmp/ref.img" --load "$BOOT_ELF" "${BOARD_EMU_ARGS[@]}" --stop-after 1 2>/dev/null
boot_intact() { cmp -s -n 8192 "$tmp/ref.img" "$1"; }

start_board a
if flash -S 0x08002000 -w "$APP1" -v -g 0x08002000 && app_runs 1; then
    ok write_verify_and_go_runs_the_app
else
    bad write_verify_and_go_runs_the_app "$(tail -5 "$tmp/out")"
fi
stop_board

start_board b
size=$(stat -c %s "$APP2")
if flash -S 0x08002000 -w "$APP2" && flash -S 0x08002000:"$size" -r "$tmp/back.bin" &&
    cmp -s "$APP2" "$tmp/back.bin"; then
    ok read_back_equals_the_file
else
    bad read_back_equals_the_file "$(tail -3 "$tmp/out")"
fi

head -c 2048 /dev/zero | tr '\0' '\377' >"$tmp/erased.bin"
if flash -S 0x08002000:2048 -o && flash -S 0x08002000:2048 -r "$tmp/back2.bin" &&
    cmp -s "$tmp/erased.bin" "$tmp/back2.bin"; then
    ok erase_only_erases_the_range
else
    bad erase_only_erases_the_range "$(tail -3 "$tmp/out")"
fi

if flash -w "$APP1"; then
    bad writing_at_0x08000000_is_refused "stm32flash succeeded"
elif grep -q -i "nack\|fail" "$tmp/out"; then
    ok writing_at_0x08000000_is_refused
else
    bad writing_at_0x08000000_is_refused "$(tail -3 "$tmp/out")"
fi
if flash -e 0 -w "$APP1"; then
    bad writing_at_0x08000000_without_erase_is_refused "stm32flash succeeded"
else
    ok writing_at_0x08000000_without_erase_is_refused
fi
if flash -S 0x08000000:256 -r "$tmp/boot.bin"; then
    bad reading_the_bootloader_is_refused "stm32flash succeeded"
else
    ok reading_the_bootloader_is_refused
fi
if flash -u; then
    bad write_unprotect_is_refused "stm32flash succeeded"
else
    ok write_unprotect_is_refused
fi

# the bootloader is intact and still answers; the image is bootable only after Go
# (stm32flash reports a refused Go with "failed." but exits 0)
if flash -g 0x08002000 || true; grep -q "0x08002000... failed" "$tmp/out"; then
    ok go_without_an_image_is_refused
else
    bad go_without_an_image_is_refused "$(tail -3 "$tmp/out")"
fi
if flash -S 0x08002000 -w "$APP2" -v -g 0x08002000 && app_runs 2; then
    ok after_the_refusals_an_update_still_works
else
    bad after_the_refusals_an_update_still_works "$(tail -5 "$tmp/out")"
fi
stop_board
if boot_intact "$tmp/b.img"; then
    ok bootloader_pages_unchanged
else
    bad bootloader_pages_unchanged "the first 8 KB of flash changed"
fi

# Mass erase (no -S) erases the application area only: the board stays in IAP mode
start_board c
if flash -S 0x08002000 -w "$APP1" -g 0x08002000 && app_runs 1; then
    stop_board
    start_board c --pin "$BOARD_ENTRY=$BOARD_ENTRY_ON"
    if flash -o && flash -S 0x08002000:2048 -r "$tmp/back3.bin" &&
        cmp -s "$tmp/erased.bin" "$tmp/back3.bin"; then
        ok mass_erase_clears_the_application_area
    else
        bad mass_erase_clears_the_application_area "$(tail -3 "$tmp/out")"
    fi
else
    bad mass_erase_clears_the_application_area "setup: $(tail -3 "$tmp/out")"
fi
stop_board
if boot_intact "$tmp/c.img"; then
    ok mass_erase_keeps_the_bootloader
else
    bad mass_erase_keeps_the_bootloader "the first 8 KB of flash changed"
fi

# 0x7F switches the USART to 8E1 (CR1: M and PCE set), 5 s of silence back to 8N1 (-vv logs CR1)
start_board d -vv
flash
sleep 5.5
cr1_at=$(case $BOARD_USART in 1) echo 0x4001380c ;; 2) echo 0x4000440c ;; *) echo 0x4000480c ;; esac)
cr1=$(grep -o "USART$BOARD_USART write $cr1_at/4 = 0x[0-9a-f]*" "$log" | awk '{print $NF}' | tr '\n' ' ')
stop_board
case "$cr1" in
*0x340c*0x200c*) ok sync_switches_to_8e1_and_silence_back_to_8n1 ;;
*) bad sync_switches_to_8e1_and_silence_back_to_8n1 "CR1 writes: $cr1" ;;
esac

e2e_summary
