#!/usr/bin/env bash
# make demo: the virtual STM32F1 board holding only the bootloader; iap flashes the demo app v1
# through the board's pseudo-terminal, the app runs (banner, LED blinking), then iap updates it to
# v2 without a button (it asks the running app to reboot into the bootloader). Needs no terminal;
# exits 0 only when every step was seen to work. The board is the build's default profile
# (make demo BOARD=NAME, docs/BOARDS.md): its part, USART and LED come from $BUILD/board.env.
cd "$(dirname "$0")/.." || exit 1
. tests/e2e/lib.sh

step() { printf '\n== %s\n' "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }

# listen SECONDS TEXT: holds the board's port open while iap runs (so the board's output after iap
# exits is kept), then, once $E2E_TMP/go exists, prints what the board sends until SECONDS after
# TEXT arrived (at most 30 s in all: a loaded machine runs the board late, not wrong).
listen() {
    rm -f "$E2E_TMP/go" "$E2E_TMP/go.listening" "$E2E_TMP/uart"
    python3 -c 'import os, select, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
open(sys.argv[2] + ".listening", "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
end = time.time() + 30
seen = b""
out = open(sys.argv[4], "wb")
while time.time() < end:
    if select.select([fd], [], [], 0.05)[0]:
        try:
            d = os.read(fd, 4096)
            out.write(d)
            out.flush()
            if sys.argv[5].encode() not in seen:
                seen += d
                if sys.argv[5].encode() in seen:
                    end = min(end, time.time() + float(sys.argv[3]))
        except OSError:
            time.sleep(0.05)' "$(board_port demo)" "$E2E_TMP/go" "$1" "$E2E_TMP/uart" "$2" &
    echo $! >"$E2E_TMP/listen.pid"
    # the port must be open before iap closes it, or the board's next bytes go nowhere
    for _ in $(seq 100); do
        [ -e "$E2E_TMP/go.listening" ] && break
        sleep 0.05
    done
    sleep 0.2
}

# show_uart: the listener's capture, indented
show_uart() {
    wait "$(cat "$E2E_TMP/listen.pid")" 2>/dev/null
    tr -d '\r' <"$E2E_TMP/uart" | sed 's/^/   uart | /'
}

# show_led N: the last N changes of the LED pin in the board's log
show_led() { grep "] $BOARD_LED = [01]" "$E2E_TMP/demo.log" | tail -n "$1" | sed 's/^emu: /   log  | /'; }
led_lit="$BOARD_LED lit (it lights when $([ "$BOARD_LED_ON" = 1 ] && echo high || echo low))"

step "virtual board $BOARD ($BOARD_CHIP): bootloader only ($BOOT_ELF), USART$BOARD_USART on a pty, real time"
board_start demo || fail "the board did not start"
echo "   $(grep -o 'USART[1-3] on .*' "$E2E_TMP/demo.log"), linked at $(board_port demo)"
sleep 0.5
show_led 1
[ "$(board_led demo)" = 1 ] || fail "$BOARD_LED is not lit: the bootloader is not in IAP mode"
echo "   $led_lit: no application, the bootloader waits in IAP mode"

step "iap flash $APP_DIR/app-v1.elf (through the board's pty)"
listen 1 "app v1 tick"
"$IAP" -p "$(board_port demo)" --baud-max "${DEMO_BAUD_MAX:-2000000}" flash "$APP_DIR/app-v1.elf" --app-version 1 </dev/null ||
    fail "iap flash of v1 failed"
touch "$E2E_TMP/go"

step "app v1 runs: its UART and the LED on $BOARD_LED (toggles every 250 ms)"
show_uart
# its banner, unless iap read it before closing the port (a loaded machine), and its ticks
grep -q "app v1 tick" "$E2E_TMP/uart" || fail "no tick of app v1 on the UART"
show_led 4

step "iap flash $APP_DIR/app-v2.elf: the running app is asked to reboot, no button"
listen 1 "app v2 tick"
"$IAP" -p "$(board_port demo)" --baud-max "${DEMO_BAUD_MAX:-2000000}" flash "$APP_DIR/app-v2.elf" --app-version 2 </dev/null ||
    fail "iap flash of v2 failed"
touch "$E2E_TMP/go"
show_uart
grep -q "app v2 tick" "$E2E_TMP/uart" || fail "no tick of app v2 on the UART"
grep -q "reset requested: SYSRESETREQ" "$E2E_TMP/demo.log" || fail "the app did not reboot itself"

board_stop demo
step "done: v1 flashed and run, then replaced by v2 without a button press"
