#!/usr/bin/env bash
# stm32emu from the command line: exit codes, loud faults, UART on stdio, power cut. Runs the
# ASan/UBSan build (BUILD/stm32emu-san): the same program, memory errors fatal.
# Usage: tests/emu/test_cli.sh [BUILD_DIR] (default $BUILD, else build).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
EMU=$BUILD/stm32emu-san
FW=$BUILD/emu-fw
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, expected status, actual status
    if [ "$2" = "$3" ]; then echo "ok $1"; pass=$((pass + 1));
    else echo "FAIL $1: exit $3, expected $2"; fail=$((fail + 1)); fi
}

"$EMU" >/dev/null 2>&1
check usage_without_flash_is_a_setup_error 1 $?

"$EMU" --flash "$tmp/a.img" --bogus >/dev/null 2>&1
check unknown_option_is_a_setup_error 1 $?

"$EMU" --flash "$tmp/a.img" --load "$tmp/missing.elf" >/dev/null 2>&1
check missing_preload_is_a_setup_error 1 $?

out=$("$EMU" --flash "$tmp/b.img" --load "$FW/hello.elf" --uart stdio --stop-on-bkpt 2>/dev/null)
check hello_exits_0 0 $?
case "$out" in *"hello from the board"*) check hello_prints_on_stdio 0 0 ;;
               *) check hello_prints_on_stdio 0 1 ;; esac

"$EMU" --flash "$tmp/c.img" --load "$FW/core_unmapped.elf" --stop-on-bkpt 2>"$tmp/err"
check unimplemented_address_exits_2 2 $?
grep -q "0x40005c00" "$tmp/err" && grep -q "PC 0x" "$tmp/err"
check fault_message_names_address_and_pc 0 $?

"$EMU" --flash "$tmp/d.img" --load "$FW/core_powercut.elf" --stop-on-bkpt --power-cut 5 --seed 3 2>/dev/null
check power_cut_exits_3 3 $?

"$EMU" --flash "$tmp/e.img" --load "$FW/core_loop.elf" --stop-after 10 2>/dev/null
check stop_after_exits_0 0 $?

"$EMU" --flash "$tmp/e.img" --stop-after 10 --stop-on-uart "never" 2>/dev/null
check stop_on_uart_not_seen_exits_4 4 $?

"$EMU" --flash "$tmp/f.img" --load "$FW/core_persist.elf" --stop-on-bkpt 2>/dev/null
check persist_first_boot 21 $?
"$EMU" --flash "$tmp/f.img" --stop-on-bkpt 2>/dev/null
check persist_second_boot_from_the_file 22 $?

"$EMU" --flash "$tmp/g.img" --flash-size 128 --load "$FW/core_flash.elf" --stop-on-bkpt 2>/dev/null
check flash_size_128_runs 0 $?
[ "$(stat -c %s "$tmp/g.img")" = 131072 ]
check flash_size_128_file_is_128k 0 $?

"$EMU" --flash "$tmp/h.img" --part f103zg --load "$FW/hello.elf" --stop-on-bkpt 2>/dev/null
check part_f103zg_runs 0 $?
[ "$(stat -c %s "$tmp/h.img")" = 1048576 ]
check part_f103zg_file_is_1m 0 $?

"$EMU" --flash "$tmp/i.img" --part f103x9 2>/dev/null
check unknown_part_is_a_setup_error 1 $?

"$EMU" --flash "$tmp/i.img" --part f103rc --flash-size 128 2>/dev/null
check flash_size_other_than_the_parts_is_a_setup_error 1 $?

"$EMU" --flash "$tmp/i.img" --part f107vc --pin PF0=1 2>/dev/null
check pin_on_a_port_the_part_lacks_is_a_setup_error 1 $?

"$EMU" --flash "$tmp/h.img" --part f103rc 2>/dev/null
check flash_file_larger_than_the_part_is_a_setup_error 1 $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
