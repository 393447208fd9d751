#!/usr/bin/env bash
# One board profile end to end (docs/BOARDS.md): its real boot.elf on the virtual board of its
# part, build/iap through the pty of the USART the profile uses. The reduced suite run for every
# profile besides the default one's full suites: flash and run, update without a button, verify,
# read, the part's own limits refused before any erase (an image one byte larger than this part's
# application area; a BIN whose initial SP lies beyond this part's SRAM), the entry input held at
# power-on; on an XL part an image across the bank boundary (app-xl). One board serves the tests
# in order.
# Usage: tests/e2e/test_board.sh BUILD_DIR BOARD. Prints "N passed, N failed" last.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
E2E_BOARD=${2:?usage: test_board.sh BUILD_DIR BOARD}
. tests/e2e/lib.sh

B=main
PORT=$(board_port $B)
APP="$APP_DIR/app-v"
echo "board $BOARD: $BOARD_CHIP on the virtual $BOARD_EMU_PART, USART$BOARD_USART ($BOARD_USART_PINS)," \
    "$BOARD_FLASH_KB KB flash in $BOARD_PAGE_SIZE-byte pages, $BOARD_SRAM_KB KB SRAM, LED $BOARD_LED"

# runs VERSION: the board prints app vVERSION's ticks, and a power cycle shows its banner and
# finds the chip as after reset.
runs() {
    uart_expect $B "app v$1 tick" 3 || { say "app v$1 does not run on the board"; return 1; }
    boots_into "$E2E_TMP/$B.img" "handover: as after reset" ||
        { say "a power cycle: $(tr -d '\r' <"$E2E_TMP/boot-copy.out" | head -n 4)"; return 1; }
    grep -q "stm32-iap demo app v$1 " "$E2E_TMP/boot-copy.out" || { say "not v$1 after a power cycle"; return 1; }
}

# flashes FILE VERSION: iap flash succeeds and the board then runs app vVERSION.
flashes() {
    "$IAP" -p "$PORT" flash "$1" --app-version "$2" >"$E2E_TMP/iap.out" 2>&1 ||
        { say "iap exit $?: $(tail -n 3 "$E2E_TMP/iap.out")"; return 1; }
    runs "$2"
}

erases() { grep -c "page erase\|mass erase" "$E2E_TMP/$B.log"; }

# refused EXIT TEXT FILE: iap flash FILE exits with EXIT saying TEXT, nothing was erased, and
# app v2 still runs.
refused() {
    local want=$1 text=$2 before rc
    before=$(erases)
    "$IAP" -p "$PORT" flash "$3" >"$E2E_TMP/iap.out" 2>&1
    rc=$?
    [ $rc -eq "$want" ] || { say "exit $rc, want $want: $(tail -n 2 "$E2E_TMP/iap.out")"; return 1; }
    grep -q -F -- "$text" "$E2E_TMP/iap.out" || { say "no '$text' in: $(cat "$E2E_TMP/iap.out")"; return 1; }
    [ "$(erases)" = "$before" ] || { say "flash was erased: $(grep erase "$E2E_TMP/$B.log" | tail -n 1)"; return 1; }
    runs 2
}

empty_board_waits_in_iap_mode_with_the_led_on() {
    board_start $B || return 1
    sleep 0.5
    [ "$(board_led $B)" = 1 ] || { say "the LED ($BOARD_LED) is $(board_led $B)"; return 1; }
}

update_of_the_running_app_needs_no_button() {
    flashes "${APP}2.hex" 2 || return 1
    grep -q "asking the application to reboot" "$E2E_TMP/iap.out" ||
        { say "no reboot request: $(cat "$E2E_TMP/iap.out")"; return 1; }
}

verify_passes_and_a_changed_byte_exits_8() {
    local rc
    "$IAP" -p "$PORT" verify "${APP}2.elf" >"$E2E_TMP/iap.out" 2>&1 ||
        { say "verify: exit $?: $(cat "$E2E_TMP/iap.out")"; return 1; }
    cp "${APP}2.bin" "$E2E_TMP/changed.bin"
    printf '\x5a' | dd of="$E2E_TMP/changed.bin" bs=1 seek=600 conv=notrunc 2>/dev/null
    "$IAP" -p "$PORT" verify "$E2E_TMP/changed.bin" >"$E2E_TMP/iap.out" 2>&1
    rc=$?
    [ $rc -eq 8 ] || { say "changed byte: exit $rc: $(cat "$E2E_TMP/iap.out")"; return 1; }
    uart_expect $B "app v2 tick" 3 || { say "app v2 not restarted after verify"; return 1; }
}

read_returns_what_was_written_and_the_record_page() {
    local n record
    n=$(stat -c %s "${APP}2.bin")
    "$IAP" -p "$PORT" read 0x08002000 "$n" -o "$E2E_TMP/read.bin" >"$E2E_TMP/iap.out" 2>&1 ||
        { say "exit $?: $(cat "$E2E_TMP/iap.out")"; return 1; }
    cmp "${APP}2.bin" "$E2E_TMP/read.bin" >&3 || return 1
    # the record is where this part's last page starts: its magic reads back there
    record=$(printf '0x%08x' "$BOARD_APP_END")
    "$IAP" -p "$PORT" read "$record" 4 -o "$E2E_TMP/rec.bin" >"$E2E_TMP/iap.out" 2>&1 ||
        { say "read $record: exit $?: $(cat "$E2E_TMP/iap.out")"; return 1; }
    [ "$(od -An -tx4 "$E2E_TMP/rec.bin" | tr -d ' ')" != ffffffff ] ||
        { say "no record at $record"; return 1; }
    uart_expect $B "app v2 tick" 3 || { say "app v2 not restarted after read"; return 1; }
}

xl_image_across_the_bank_boundary_flashes_verifies_and_runs() {
    # v2 with a function at 0x0807FFF0..0x08080017; the 500 KB between are erased flash, which
    # iap finds already so on the board (PAGE_CRCS) and does not send
    flashes "$APP_DIR/app-xl.hex" 2 || return 1
    "$IAP" -p "$PORT" verify "$APP_DIR/app-xl.hex" >"$E2E_TMP/iap.out" 2>&1 ||
        { say "verify: exit $?: $(cat "$E2E_TMP/iap.out")"; return 1; }
    boots_into "$E2E_TMP/$B.img" "code across the flash banks runs" ||
        { say "a power cycle: $(tr -d '\r' <"$E2E_TMP/boot-copy.out" | head -n 5)"; return 1; }
    uart_expect $B "app v2 tick" 3 || { say "app v2 not restarted after verify"; return 1; }
}

image_one_byte_larger_than_the_application_area_is_refused_before_any_erase() {
    local area=$((BOARD_APP_END - 0x08002000))
    head -c $((area + 1)) /dev/zero | tr '\0' '\377' | cat "${APP}2.bin" - | head -c $((area + 1)) \
        >"$E2E_TMP/big.bin"
    refused 3 "too big" "$E2E_TMP/big.bin"
}

bin_whose_initial_sp_lies_beyond_this_parts_sram_is_refused_naming_its_size() {
    # linked for twice this part's SRAM: SP = the top of it
    local sp=$((0x20000000 + 2 * BOARD_SRAM_KB * 1024))
    python3 -c 'import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
d[0:4] = struct.pack("<I", int(sys.argv[3]))
open(sys.argv[2], "wb").write(d)' "${APP}2.bin" "$E2E_TMP/sp.bin" "$sp"
    refused 3 "$BOARD_SRAM_KB KB" "$E2E_TMP/sp.bin"
}

entry_input_held_at_power_on_keeps_the_app_waiting_in_iap_mode() {
    local copy=$E2E_TMP/entry.img
    cp "$E2E_TMP/$B.img" "$copy"
    "$EMU" --flash "$copy" "${BOARD_EMU_ARGS[@]}" --uart stdio --pin "$BOARD_ENTRY=$BOARD_ENTRY_ON" \
        --stop-after 1500 -v </dev/null >"$E2E_TMP/entry.out" 2>"$E2E_TMP/entry.log" ||
        { say "board exit $?"; return 1; }
    ! grep -q "stm32-iap demo" "$E2E_TMP/entry.out" || { say "the app started"; return 1; }
    grep "] $BOARD_LED = " "$E2E_TMP/entry.log" | tail -n 1 | grep -q "= $BOARD_LED_ON\$" ||
        { say "the LED is not lit: $(grep "] $BOARD_LED = " "$E2E_TMP/entry.log" | tail -n 1)"; return 1; }
}

check empty_board_waits_in_iap_mode_with_the_led_on empty_board_waits_in_iap_mode_with_the_led_on
check bin_flashes_and_runs flashes "${APP}1.bin" 1
check update_of_the_running_app_needs_no_button update_of_the_running_app_needs_no_button
check verify_passes_and_a_changed_byte_exits_8 verify_passes_and_a_changed_byte_exits_8
check read_returns_what_was_written_and_the_record_page read_returns_what_was_written_and_the_record_page
if [ "$BOARD_BANKS" = 2 ]; then
    check xl_image_across_the_bank_boundary_flashes_verifies_and_runs \
        xl_image_across_the_bank_boundary_flashes_verifies_and_runs
fi
check image_one_byte_larger_than_the_application_area_is_refused_before_any_erase \
    image_one_byte_larger_than_the_application_area_is_refused_before_any_erase
check bin_whose_initial_sp_lies_beyond_this_parts_sram_is_refused_naming_its_size \
    bin_whose_initial_sp_lies_beyond_this_parts_sram_is_refused_naming_its_size
check entry_input_held_at_power_on_keeps_the_app_waiting_in_iap_mode \
    entry_input_held_at_power_on_keeps_the_app_waiting_in_iap_mode
board_stop $B
e2e_summary
