#!/usr/bin/env bash
# lrzsz's sb --ymodem (the Debian package) against the real build/boot.elf on the virtual board,
# over a pseudo-terminal, as a terminal user would: '1' starts the download, Enter 2 Enter runs
# the application.
# sb sends 128-byte blocks by default and 1024-byte blocks with -k.
# Usage: tests/e2e/test_ymodem.sh [BUILD_DIR]. Prints "N passed, N failed" last.
set -u
BUILD=${1:-build}
. "$(dirname "$0")/lib.sh" # board_start/board_stop, $E2E_TMP (removed at exit with every board)
APP1=$APP_DIR/app-v1.bin
APP2=$APP_DIR/app-v2.bin
tmp=$E2E_TMP
ok() { echo "ok $1"; e2e_pass=$((e2e_pass + 1)); }
bad() { echo "FAIL $1: $2"; e2e_fail=$((e2e_fail + 1)); }

# start_board NAME [emulator options...]: bootloader only; fd 3 is its pty, raw, as a terminal
# program would hold it; $log its events.
start_board() {
    board_start "$@" || exit 1
    board=$1 link=$(board_port "$1") log=$E2E_TMP/$1.log
    exec 3<>"$link"
    stty -F "$link" raw -echo
}

stop_board() {
    exec 3>&- 2>/dev/null
    board_stop "$board"
}

# ymodem FILE [sb options...]: sb waits on the pty first, then the menu key starts the download,
# so sb reads the board's first 'C' (no stale requests queue up ahead of it).
ymodem() {
    local file=$1
    shift
    timeout 60 sb --ymodem "$@" "$file" <&3 >&3 2>"$tmp/sb.err" &
    local sb=$!
    sleep 0.2
    printf '1' >&3
    wait $sb
}

# app_runs VERSION: the app's once-a-second tick line shows up on the UART within 3 s.
app_runs() { timeout 3 cat <&3 2>/dev/null | grep -a -q -m1 "app v$1 tick"; }

# reads the UART for S seconds into $tmp/uart
listen() { timeout "$1" cat <&3 >"$tmp/uart" 2>/dev/null; }

start_board a
if ymodem "$APP1" -k && app_runs 1; then
    ok sb_1k_blocks_then_the_app_runs
else
    bad sb_1k_blocks_then_the_app_runs "$(tail -c 300 "$tmp/sb.err")"
fi

# the running app's update command reboots into the bootloader; 128-byte blocks this time
printf '\r#iap-update\r' >&3
sleep 0.5
if ymodem "$APP2" && app_runs 2; then
    ok sb_128_byte_blocks_after_the_app_update_command
else
    bad sb_128_byte_blocks_after_the_app_update_command "$(tail -c 300 "$tmp/sb.err")"
fi

# a file larger than the application area (55 KB) is cancelled before any erase: v2 survives
head -c 60000 /dev/urandom >"$tmp/big.bin"
printf '\r#iap-update\r' >&3
sleep 0.5
erases=$(grep -c "page erase" "$log")
if ymodem "$tmp/big.bin" -k; then
    bad oversized_file_is_refused "sb succeeded"
elif [ "$(grep -c "page erase" "$log")" != "$erases" ]; then
    bad oversized_file_is_refused "flash was erased"
else
    ok oversized_file_is_refused
fi
printf '\r2\r' >&3 # menu: Enter 2 Enter runs the application
if app_runs 2; then
    ok refused_file_leaves_the_old_app_intact
else
    bad refused_file_leaves_the_old_app_intact "app v2 does not run"
fi
stop_board

# cancel mid-transfer (sb sends CANs when terminated): IAP mode, LED on, then a new update works
start_board b
# an application's vector table first (a file that is no firmware is refused at its first block
# now, before anything is erased), then random data
head -c 30000 /dev/urandom | cat "$APP1" - | head -c 30000 >"$tmp/slow.bin"
# SIGTERM: sb catches it and sends its CANs (a background job ignores SIGINT)
timeout 1.5 sb --ymodem -k "$tmp/slow.bin" <&3 >&3 2>"$tmp/sb.err" &
sb_pid=$!
sleep 0.2
printf '1' >&3
wait $sb_pid
listen 1
if grep -q "page erase" "$log" && [ "$(board_led "$board")" = 1 ]; then
    ok cancelled_transfer_leaves_iap_mode_with_the_led_on
else
    bad cancelled_transfer_leaves_iap_mode_with_the_led_on "$(grep -v USART "$log" | tail -3)"
fi
if ymodem "$APP1" -k && app_runs 1; then
    ok new_update_after_a_cancel_works
else
    bad new_update_after_a_cancel_works "$(tail -c 300 "$tmp/sb.err")"
fi
stop_board

e2e_summary
