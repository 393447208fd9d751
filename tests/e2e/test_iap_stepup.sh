#!/usr/bin/env bash
# The baud step-up on the real bootloader through the emulator's line model (a mismatched rate
# garbles bytes both ways, as a real line does): each listed rate works and the update completes;
# an adapter that cannot make the fastest rates (it carries nothing there), and noise right after
# each switch, make iap fall back to a lower rate that works, with a message, and the update
# completes; --baud-max 0 stays at the boot rate. Usage: tests/e2e/test_iap_stepup.sh [BUILD_DIR].
set -u
BUILD=${1:-${BUILD:-build}}
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
RELAY=$BUILD/usbrelay
B=u

# expect_on PORT TEXT: the application prints TEXT on PORT (read at its 115200) within 4 s.
expect_on() {
    stty -F "$1" 115200 min 1 time 0 2>/dev/null
    timeout 4 grep -a -q -m 1 -F -- "$2" "$1" 2>/dev/null
}

# flash_with PORT ARGS...: app v1 then v2 (each a full write: --full) with iap's options ARGS; the line's
# rate from iap's note in $E2E_TMP/rate; the app runs afterwards.
flash_with() {
    local port=$1 v
    shift
    for v in 1 2; do
        "$IAP" -p "$port" --full "$@" flash "$BUILD/app-v$v.bin" >"$E2E_TMP/iap.out" 2>&1 ||
            { say "v$v: $(cat "$E2E_TMP/iap.out")"; return 1; }
        expect_on "$port" "app v$v tick" || { say "app v$v does not run: $(cat "$E2E_TMP/iap.out")"; return 1; }
    done
    grep -o "line at [0-9]* baud" "$E2E_TMP/iap.out" | head -n 1 | tr -dc '0-9' >"$E2E_TMP/rate"
}

at_rate() { # RATE: --baud-max RATE steps up to exactly RATE
    flash_with "$(board_port $B)" --baud-max "$1" || return 1
    [ "$(cat "$E2E_TMP/rate")" = "$1" ] || { say "line at '$(cat "$E2E_TMP/rate")', want $1: $(cat "$E2E_TMP/iap.out")"; return 1; }
}

board_start $B || exit 1
for r in 2000000 1500000 1000000 921600 460800 230400; do
    check "step_up_to_${r}_baud_and_update" at_rate $r
done
stays() {
    flash_with "$(board_port $B)" --baud-max 0 || return 1
    [ ! -s "$E2E_TMP/rate" ] || { say "stepped up: $(cat "$E2E_TMP/iap.out")"; return 1; }
}
check baud_max_0_stays_at_the_boot_rate stays

# through an adapter: one that cannot go above 921600, one whose line is noisy after a switch
relay_start() { # ARGS...
    "$RELAY" --board "$(board_port $B)" --link "$E2E_TMP/usb" "$@" 2>"$E2E_TMP/relay.log" &
    echo $! >"$E2E_TMP/relay.pid"
    for _ in $(seq 50); do [ -e "$E2E_TMP/usb" ] && return 0; sleep 0.05; done
    return 1
}
relay_stop() { kill "$(cat "$E2E_TMP/relay.pid")" 2>/dev/null; wait "$(cat "$E2E_TMP/relay.pid")" 2>/dev/null; }

slow_adapter_falls_back() {
    relay_start --max-baud 921600 || { say "relay did not start"; return 1; }
    flash_with "$E2E_TMP/usb"
    local rc=$?
    relay_stop
    [ $rc -eq 0 ] || return 1
    [ "$(cat "$E2E_TMP/rate")" = 921600 ] || { say "rate $(cat "$E2E_TMP/rate"): $(cat "$E2E_TMP/iap.out")"; return 1; }
    grep -q "no answer at 2000000 baud: back to 115200, trying a lower rate" "$E2E_TMP/iap.out" ||
        { say "no fallback message: $(cat "$E2E_TMP/iap.out")"; return 1; }
}
check adapter_without_the_fast_rates_falls_back_to_921600 slow_adapter_falls_back

noisy_switch_still_updates() {
    relay_start --noise-after-switch 50 || { say "relay did not start"; return 1; }
    flash_with "$E2E_TMP/usb"
    local rc=$?
    relay_stop
    [ $rc -eq 0 ] || return 1
    [ -s "$E2E_TMP/rate" ] || { say "no step-up at all: $(cat "$E2E_TMP/iap.out")"; return 1; }
}
check noise_after_the_switch_costs_retries_not_the_update noisy_switch_still_updates
board_stop $B
e2e_summary
