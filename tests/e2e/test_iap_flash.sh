#!/usr/bin/env bash
# build/iap updates the real bootloader's application on the virtual board, through the board's
# pty in real time: every file format, an update of a running app without a button, verify, read,
# a transfer killed halfway, garbage on the line. One board serves the tests in order.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

B=main
PORT=$(board_port $B)
APP="$APP_DIR/app-v"

# flashes FILE VERSION [iap options]: iap flash succeeds and the board then runs app vVERSION.
flashes() {
    local file=$1 v=$2
    shift 2
    "$IAP" -p "$PORT" flash "$file" --app-version "$v" "$@" >"$E2E_TMP/iap.out" 2>&1 ||
        { say "iap exit $?: $(tail -n 3 "$E2E_TMP/iap.out")"; return 1; }
    runs "$v"
}

# runs VERSION: the board prints app vVERSION's ticks, and a power cycle shows its banner.
runs() {
    uart_expect $B "app v$1 tick" 3 || { say "app v$1 does not run on the board"; return 1; }
    boots_into "$E2E_TMP/$B.img" "stm32-iap demo app v$1 " ||
        { say "a power cycle does not show v$1's banner"; return 1; }
}

idle_bootloader_sleeps_between_bytes() {
    # 3 s of an idle bootloader, as fast as the host can: a busy polling loop took 6 s of wall
    # time here (every stack store goes through Unicorn's slow path), so in real-time mode the
    # emulated line ran at 0.5-0.6x its baud rate; sleeping until the next interrupt takes ms.
    local t0 t1
    t0=$(date +%s%N)
    "$EMU" --flash "$E2E_TMP/idle.img" --load "$BOOT_ELF" "${BOARD_EMU_ARGS[@]}" --stop-after 3000 \
        2>/dev/null ||
        { say "board exit $?"; return 1; }
    t1=$(date +%s%N)
    [ $(((t1 - t0) / 1000000)) -lt 1500 ] || { say "$(((t1 - t0) / 1000000)) ms of wall time"; return 1; }
}

empty_board_waits_in_iap_mode_with_the_led_on() {
    board_start $B || return 1
    sleep 0.5
    [ "$(board_led $B)" = 1 ] || { say "the LED ($BOARD_LED) is $(board_led $B)"; return 1; }
}

running_app_hears_every_byte_iap_sends() {
    # Like iap's probe: 9-byte SYNC frames, 10-60 ms apart, to the app, which reads USART1 from
    # its RXNE interrupt. The board once ran a slice (0.5 ms real time, 2 ms fast) over bytes
    # that had just arrived, and the app overran on all but the first of them: it sometimes
    # missed the update command. On a fast board (a copy of this one's flash) it always did.
    local pid
    cp "$E2E_TMP/$B.img" "$E2E_TMP/fast.img"
    "$EMU" --flash "$E2E_TMP/fast.img" "${BOARD_EMU_ARGS[@]}" --uart "pty:$E2E_TMP/fast.pty" \
        --stop-after 3600000 -v \
        2>"$E2E_TMP/fast.log" </dev/null >/dev/null 3>&- &
    pid=$!
    for _ in $(seq 100); do
        [ -e "$E2E_TMP/fast.pty" ] && break
        sleep 0.05
    done
    python3 -c 'import os, random, sys, time
random.seed(1)
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
for i in range(20):
    os.write(fd, bytes([0xA5, 8, i, 0, 0, 1, 2, 3, 4]))
    time.sleep(random.uniform(0.01, 0.06))
os.close(fd)' "$E2E_TMP/fast.pty"
    kill $pid
    wait $pid 2>/dev/null
    grep -q "stm32-iap\|] $BOARD_LED = $BOARD_LED_ON" "$E2E_TMP/fast.log" ||
        { say "the app did not run"; return 1; }
    ! grep -q overrun "$E2E_TMP/fast.log" ||
        { say "$(grep -c overrun "$E2E_TMP/fast.log") bytes lost: $(grep overrun "$E2E_TMP/fast.log" | head -n 2)"; return 1; }
}

update_of_the_running_app_needs_no_button() {
    flashes "${APP}2.hex" 2 || return 1
    grep -q "asking the application to reboot" "$E2E_TMP/iap.out" ||
        { say "no reboot request: $(cat "$E2E_TMP/iap.out")"; return 1; }
}

verify_passes_after_a_flash() {
    "$IAP" -p "$PORT" verify "${APP}2.elf" >"$E2E_TMP/iap.out" 2>&1 ||
        { say "exit $?: $(cat "$E2E_TMP/iap.out")"; return 1; }
    uart_expect $B "app v2 tick" 3 || { say "app v2 not restarted after verify"; return 1; }
}

verify_of_a_file_with_one_changed_byte_exits_8() {
    local rc
    cp "${APP}2.bin" "$E2E_TMP/changed.bin"
    printf '\x5a' | dd of="$E2E_TMP/changed.bin" bs=1 seek=600 conv=notrunc 2>/dev/null
    cmp -s "${APP}2.bin" "$E2E_TMP/changed.bin" && { say "the byte did not change"; return 1; }
    "$IAP" -p "$PORT" verify "$E2E_TMP/changed.bin" >"$E2E_TMP/iap.out" 2>&1
    rc=$?
    [ $rc -eq 8 ] || { say "exit $rc: $(cat "$E2E_TMP/iap.out")"; return 1; }
    grep -q "iap: verify failed" "$E2E_TMP/iap.out" || { say "$(cat "$E2E_TMP/iap.out")"; return 1; }
    uart_expect $B "app v2 tick" 3 || { say "app v2 not restarted after the mismatch"; return 1; }
}

read_returns_what_was_written() {
    local n
    n=$(stat -c %s "${APP}2.bin")
    "$IAP" -p "$PORT" read 0x08002000 "$n" -o "$E2E_TMP/read.bin" >"$E2E_TMP/iap.out" 2>&1 ||
        { say "exit $?: $(cat "$E2E_TMP/iap.out")"; return 1; }
    cmp "${APP}2.bin" "$E2E_TMP/read.bin" >&3
}

killed_transfer_leaves_the_board_in_iap_mode_and_the_next_flash_succeeds() {
    local pid events
    # 32 KB: about 3 s on the line, so the kill lands in the middle of the WRITEs
    head -c 32768 /dev/zero | tr '\0' '\125' | cat "${APP}2.bin" - | head -c 32768 >"$E2E_TMP/32k.bin"
    "$IAP" -p "$PORT" -v flash "$E2E_TMP/32k.bin" >/dev/null 2>"$E2E_TMP/trace" &
    pid=$!
    for _ in $(seq 100); do
        grep -q "> WRITE" "$E2E_TMP/trace" && break
        sleep 0.05
    done
    sleep 1
    kill -KILL $pid
    wait $pid 2>/dev/null
    grep -q "> COMMIT" "$E2E_TMP/trace" && { say "too late: the transfer had ended"; return 1; }
    sleep 0.3
    events=$(led_changes $B)
    uart_read $B 1.5 >"$E2E_TMP/uart"
    grep -q tick "$E2E_TMP/uart" && { say "an app runs: $(cat "$E2E_TMP/uart")"; return 1; }
    [ "$(board_led $B)" = 1 ] || { say "LED is $(board_led $B), not lit"; return 1; }
    [ "$(led_changes $B)" = "$events" ] || { say "the LED blinks"; return 1; }
    flashes "${APP}1.bin" 1
}

garbage_before_the_handshake_does_not_prevent_an_update() {
    "$IAP" -p "$PORT" -q erase >"$E2E_TMP/iap.out" 2>&1 || { say "erase: $(cat "$E2E_TMP/iap.out")"; return 1; }
    # every byte value, AN3155's 0x7F and printable keys for the YMODEM menu included
    python3 -c 'import random, sys
random.seed(4)
sys.stdout.buffer.write(bytes(random.randrange(256) for _ in range(3000)))' >"$E2E_TMP/garbage"
    cat "$E2E_TMP/garbage" >"$PORT"
    flashes "${APP}2.srec" 2
}

check idle_bootloader_sleeps_between_bytes idle_bootloader_sleeps_between_bytes
check empty_board_waits_in_iap_mode_with_the_led_on empty_board_waits_in_iap_mode_with_the_led_on
check bin_flashes_and_runs flashes "${APP}1.bin" 1
check running_app_hears_every_byte_iap_sends running_app_hears_every_byte_iap_sends
check update_of_the_running_app_needs_no_button update_of_the_running_app_needs_no_button
check srec_flashes_and_runs flashes "${APP}1.srec" 1
check elf_flashes_and_runs flashes "${APP}2.elf" 2
check verify_passes_after_a_flash verify_passes_after_a_flash
check verify_of_a_file_with_one_changed_byte_exits_8 verify_of_a_file_with_one_changed_byte_exits_8
check read_returns_what_was_written read_returns_what_was_written
check killed_transfer_leaves_the_board_in_iap_mode_and_the_next_flash_succeeds \
    killed_transfer_leaves_the_board_in_iap_mode_and_the_next_flash_succeeds
check garbage_before_the_handshake_does_not_prevent_an_update \
    garbage_before_the_handshake_does_not_prevent_an_update
board_stop $B
e2e_summary
