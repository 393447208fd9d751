#!/usr/bin/env bash
# AN3155 auto-baud (docs/PROTOCOL.md, "Auto-baud") with the real stm32flash on the virtual board.
# The board's bridge checks the host's rate against the USART's whatever the pty is at
# (--host-baud strict: 38400, a pty's initial rate, included) and garbles bytes beyond the
# receiver's tolerance, as a real line does; so stm32flash at its default 57600 and at 9600,
# 19200, 38400 and 115200 works only if the bootloader follows its rate. Then a native iap flash
# right after an auto-bauded session, and after a lone slower 0x7F that the bootloader gave up
# on (1 s without a command). A pty cannot carry parity: -m 8n1 (test_stm32flash.sh).
# Usage: tests/e2e/test_autobaud.sh [BUILD_DIR]. Prints "N passed, N failed" last.
set -u
BUILD=${1:-${BUILD:-build}}
. "$(dirname "$0")/lib.sh"
APP1=$APP_DIR/app-v1.bin
APP2=$APP_DIR/app-v2.bin
B=ab

start() { board_start $B --host-baud strict "$@" || exit 1; }
port() { board_port $B; }
stm() { timeout 120 stm32flash -m 8n1 "$@" "$(port)" >"$E2E_TMP/out" 2>&1; }
app_runs() { uart_expect $B "app v$1 tick" 3; }
brr_writes() { grep -c "USART$BOARD_USART write 0x400[0-9a-f]*08/4" "$E2E_TMP/$B.log"; }

# write_verify_go RATE: the application written, verified and started at RATE.
write_verify_go() {
    stm -b "$1" -S 0x08002000 -w "$APP1" -v -g 0x08002000 ||
        { say "stm32flash: $(tail -n 4 "$E2E_TMP/out")"; return 1; }
    grep -q "Wrote and verified address" "$E2E_TMP/out" || { say "$(tail -n 4 "$E2E_TMP/out")"; return 1; }
    app_runs 1 || { say "the application does not run"; return 1; }
}
for r in 57600 9600 19200 38400 115200; do
    start
    check "stm32flash_at_${r}_writes_verifies_and_goes" write_verify_go $r
    board_stop $B
done

# iap_after: a native update right after, then the application it wrote runs.
iap_after() {
    timeout 60 "$IAP" -p "$(port)" flash "$APP2" >"$E2E_TMP/iap.out" 2>&1 ||
        { say "iap: $(tail -n 3 "$E2E_TMP/iap.out")"; return 1; }
    app_runs 2 || { say "app v2 does not run: $(tail -n 3 "$E2E_TMP/iap.out")"; return 1; }
}

# An auto-bauded session that ends without Go: iap at once, at the boot rate.
after_session() {
    stm -b 57600 -S 0x08002000 -w "$APP1" -v || { say "stm32flash: $(tail -n 4 "$E2E_TMP/out")"; return 1; }
    iap_after
}
start
check iap_flash_right_after_an_auto_bauded_stm32flash_session after_session
board_stop $B

# One 0x7F at 19200 and nothing after it: the bootloader answers ACK at 19200 (its BRR changes),
# then 1 s later goes back to the boot rate (BRR again); iap then updates at once.
lone_sync() {
    local before ack
    sleep 0.2
    before=$(brr_writes)
    exec 4<>"$(port)"
    stty -F "$(port)" 19200 raw -echo || return 1
    printf '\177' >&4
    ack=$(timeout 1 dd bs=1 count=1 <&4 2>/dev/null | od -An -tx1 | tr -d ' ')
    exec 4<&-
    [ "$ack" = 79 ] || { say "answer to 0x7F at 19200: '$ack'"; return 1; }
    sleep 1.5
    [ "$(brr_writes)" -ge $((before + 2)) ] ||
        { say "BRR writes: $before before, $(brr_writes) after"; return 1; }
    iap_after
}
start -vv
check iap_flash_after_an_unanswered_auto_baud_timed_out lone_sync
board_stop $B

e2e_summary
