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

# A stall on the line longer than the device's 3 s return to the boot rate, in the middle of a
# stepped-up transfer (tests/robust/linefault: one stall, no other fault): iap follows the device
# back to 115200 and the update completes there (it used to resend at 2 Mbaud until it gave up).
stall_past_the_fallback_is_followed() {
    python3 -c 'import random, sys
app = open(sys.argv[1], "rb").read()
r = random.Random(5)
open(sys.argv[2], "wb").write(app + bytes(r.randrange(256) for _ in range(24 * 1024 - len(app))))' \
        "$BUILD/app-v1.bin" "$E2E_TMP/app24k.bin"
    "$BUILD/linefault" --board "$(board_port $B)" --link "$E2E_TMP/lf" --rate 0 --stall-at 12000 \
        --stall-ms 3600 2>"$E2E_TMP/lf.log" &
    local lf=$! rc
    for _ in $(seq 50); do [ -e "$E2E_TMP/lf" ] && break; sleep 0.05; done
    "$IAP" -p "$E2E_TMP/lf" --baud-max 2000000 --full flash "$E2E_TMP/app24k.bin" >"$E2E_TMP/iap.out" 2>&1
    rc=$?
    kill $lf 2>/dev/null
    wait $lf 2>/dev/null
    [ $rc -eq 0 ] || { say "exit $rc: $(tail -n 3 "$E2E_TMP/iap.out")"; return 1; }
    grep -q "line at 2000000 baud" "$E2E_TMP/iap.out" || { say "no step-up: $(cat "$E2E_TMP/iap.out")"; return 1; }
    grep -q "the device is back at 115200 baud, continuing there" "$E2E_TMP/iap.out" ||
        { say "the stall did not reach the fallback: $(cat "$E2E_TMP/iap.out")"; return 1; }
    expect_on "$(board_port $B)" "app v1 tick" || { say "app does not run"; return 1; }
}
check a_stall_past_the_devices_fallback_is_followed_to_the_boot_rate stall_past_the_fallback_is_followed
board_stop $B
e2e_summary
