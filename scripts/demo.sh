#!/usr/bin/env bash
# make demo: the virtual STM32F103 board holding only the bootloader; iap flashes the demo app v1
# through the board's pseudo-terminal, the app runs (banner, LED blinking), then iap updates it to
# v2 without a button (it asks the running app to reboot into the bootloader). Needs no terminal;
# exits 0 only when every step was seen to work.
cd "$(dirname "$0")/.." || exit 1
. tests/e2e/lib.sh

step() { printf '\n== %s\n' "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }

# listen SECONDS: holds the board's port open while iap runs (so the board's output after iap
# exits is kept), then, once $E2E_TMP/go exists, prints what the board sends for SECONDS.
listen() {
    rm -f "$E2E_TMP/go" "$E2E_TMP/uart"
    python3 -c 'import os, select, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
end = time.time() + float(sys.argv[3])
out = open(sys.argv[4], "wb")
while time.time() < end:
    if select.select([fd], [], [], 0.05)[0]:
        try:
            out.write(os.read(fd, 4096))
            out.flush()
        except OSError:
            time.sleep(0.05)' "$(board_port demo)" "$E2E_TMP/go" "$1" "$E2E_TMP/uart" &
    echo $! >"$E2E_TMP/listen.pid"
    sleep 0.2
}

# show_uart: the listener's capture, indented
show_uart() {
    wait "$(cat "$E2E_TMP/listen.pid")" 2>/dev/null
    tr -d '\r' <"$E2E_TMP/uart" | sed 's/^/   uart | /'
}

# show_led N: the last N changes of PA4 in the board's log
show_led() { grep '] PA4 = [01]' "$E2E_TMP/demo.log" | tail -n "$1" | sed 's/^emu: /   log  | /'; }

step "virtual board: bootloader only (build/boot.elf), USART1 on a pty, real time"
board_start demo || fail "the board did not start"
echo "   $(grep -o 'USART1 on .*' "$E2E_TMP/demo.log"), linked at $(board_port demo)"
sleep 0.5
show_led 1
[ "$(board_led demo)" = 1 ] || fail "PA4 is not lit: the bootloader is not in IAP mode"
echo "   PA4 lit: no application, the bootloader waits in IAP mode"

step "iap flash build/app-v1.elf (through the board's pty)"
listen 2.4
"$IAP" -p "$(board_port demo)" flash "$BUILD/app-v1.elf" --app-version 1 </dev/null ||
    fail "iap flash of v1 failed"
touch "$E2E_TMP/go"

step "app v1 runs: its UART and the LED on PA4 (toggles every 250 ms)"
show_uart
grep -q "stm32-iap demo app v1" "$E2E_TMP/uart" || fail "no banner of app v1 on the UART"
show_led 4

step "iap flash build/app-v2.elf: the running app is asked to reboot, no button"
listen 1.4
"$IAP" -p "$(board_port demo)" flash "$BUILD/app-v2.elf" --app-version 2 </dev/null ||
    fail "iap flash of v2 failed"
touch "$E2E_TMP/go"
show_uart
grep -q "stm32-iap demo app v2" "$E2E_TMP/uart" || fail "no banner of app v2 on the UART"
grep -q "reset requested: SYSRESETREQ" "$E2E_TMP/demo.log" || fail "the app did not reboot itself"

board_stop demo
step "done: v1 flashed and run, then replaced by v2 without a button press"
