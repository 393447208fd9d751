#!/usr/bin/env bash
# Issue 11 on the real bootloader: a file that is not firmware is refused before anything is
# erased (by iap from INFO's rules, by the bootloader for YMODEM's first block), reads that would
# wrap are refused instead of reporting success, and a failed XMODEM send gives the line back at
# once. One board holding app v1 serves the refusals; each checks that v1 still runs and boots.
# Usage: tests/e2e/test_iap_precheck.sh [BUILD_DIR]. Prints "N passed, N failed" last.
set -u
BUILD=${1:-${BUILD:-build}}
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

B=p
PORT=$(board_port $B)
V1="$BUILD/app-v1"

# iap_refuses and app_survives: tests/e2e/lib.sh
v1_survives() { app_survives $B 1; }
refused_keeping_v1() { iap_refuses "$@" && v1_survives; }

setup() {
    board_start $B || return 1
    "$IAP" -p "$PORT" -q flash "$V1.bin" --app-version 1 >"$E2E_TMP/iap.err" 2>&1 ||
        { say "flashing v1: $(cat "$E2E_TMP/iap.err")"; return 1; }
    uart_expect $B "app v1 tick" 3 || { say "v1 does not run"; return 1; }
}

cp README.md "$E2E_TMP/readme.bin"
head -c 20480 /bin/ls >"$E2E_TMP/ls.bin"
printf 'x' >"$E2E_TMP/one.bin"
# app v1 with its initial SP moved to 0x2000C000: linked for a 48 KB part, this one has 20 KB
python3 -c 'import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
d[0:4] = struct.pack("<I", 0x2000C000)
open(sys.argv[2], "wb").write(d)' "$V1.bin" "$E2E_TMP/sp48k.bin"

check board_runs_app_v1 setup
check readme_as_bin_is_refused_before_any_erase \
    refused_keeping_v1 3 "readme.bin is not an application for this device" -p "$PORT" flash "$E2E_TMP/readme.bin"
check first_20k_of_bin_ls_is_refused_before_any_erase \
    refused_keeping_v1 3 "is not an application" -p "$PORT" flash "$E2E_TMP/ls.bin"
check one_byte_bin_is_refused_before_any_erase \
    refused_keeping_v1 3 "too short for a vector table" -p "$PORT" flash "$E2E_TMP/one.bin"
check sp_beyond_this_parts_sram_is_refused_naming_its_size \
    refused_keeping_v1 3 "(0x20000000..0x20005000, 20 KB)" -p "$PORT" flash "$E2E_TMP/sp48k.bin"

# Reads: a length that wrapped the frame count read nothing and exited 0.
no_file() { [ ! -s "$E2E_TMP/read.out" ] || { say "a file was written: $(stat -c %s "$E2E_TMP/read.out")"; return 1; }; }
read_refused() { rm -f "$E2E_TMP/read.out"; iap_refuses "$@" && no_file; }
check read_of_4_gib_is_refused_not_faked \
    read_refused 1 "outside the device's flash" -p "$PORT" read 0x08002000 0xFFFFFFFF -o "$E2E_TMP/read.out"
check read_length_that_wrapped_the_frame_count_is_refused \
    read_refused 1 "outside the device's flash" -p "$PORT" read 0x08002000 0xFFFFFC01 -o "$E2E_TMP/read.out"
check read_past_the_end_of_flash_names_the_flash_not_the_app_area \
    read_refused 1 "(0x08000000..0x0800ffff, 64 KB)" -p "$PORT" read 0x0800FC00 2048 -o "$E2E_TMP/read.out"
read_exact() {
    "$IAP" -p "$PORT" -q read 0x0800FC00 1024 -o "$E2E_TMP/last.bin" 2>"$E2E_TMP/iap.err" ||
        { say "$(cat "$E2E_TMP/iap.err")"; return 1; }
    [ "$(stat -c %s "$E2E_TMP/last.bin")" -eq 1024 ] || { say "not 1024 bytes"; return 1; }
    v1_survives
}
check read_of_the_last_page_reads_exactly_it read_exact

# YMODEM: the README sent with sb after the app's update command: cancelled at the first block.
ymodem_readme_refused() {
    local link=$PORT rc
    stty -F "$link" raw -echo min 1 time 0
    exec 3<>"$link"
    printf '\r#iap-update\r' >&3
    sleep 0.6
    timeout 20 sb --ymodem -k "$E2E_TMP/readme.bin" <&3 >&3 2>"$E2E_TMP/sb.err" &
    local sb=$!
    sleep 0.2
    printf '1' >&3
    wait $sb
    rc=$?
    exec 3>&-
    [ "$rc" -ne 0 ] || { say "sb succeeded"; return 1; }
    "$IAP" -p "$PORT" -q reset >"$E2E_TMP/iap.err" 2>&1 || { say "reset: $(cat "$E2E_TMP/iap.err")"; return 1; }
    v1_survives
}
check ymodem_file_that_is_no_firmware_is_cancelled_keeping_v1 ymodem_readme_refused
board_stop $B

# XMODEM (sx: no header block) on a board in IAP mode: refused with CAN, and the line is free
# for iap at once (it was locked for 35-40 s).
xmodem_frees_the_line() {
    board_start x || return 1
    local link
    link=$(board_port x)
    stty -F "$link" raw -echo min 1 time 0
    exec 3<>"$link"
    head -c 2048 "$V1.bin" >"$E2E_TMP/app2k.bin"
    timeout 30 sx -k "$E2E_TMP/app2k.bin" <&3 >&3 2>"$E2E_TMP/sx.err" &
    local sx=$! t0 t1
    sleep 0.3
    printf '1' >&3
    wait $sx
    exec 3>&-
    t0=$(date +%s%N)
    "$IAP" -p "$link" --timeout 200 --retries 2 info >"$E2E_TMP/info.out" 2>"$E2E_TMP/iap.err" ||
        { say "iap info after sx: $(cat "$E2E_TMP/iap.err")"; board_stop x; return 1; }
    t1=$(date +%s%N)
    board_stop x
    [ $(((t1 - t0) / 1000000)) -lt 1000 ] || { say "iap info took $(((t1 - t0) / 1000000)) ms"; return 1; }
}
check failed_xmodem_send_gives_the_line_back_within_a_second xmodem_frees_the_line
e2e_summary
