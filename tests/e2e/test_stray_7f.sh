#!/usr/bin/env bash
# A stray 0x7F between native frames (docs/PROTOCOL.md, "AN3155 compatibility": it starts an
# AN3155 session, which switches the USART to 8E1) on a board told that its host sends 8N1
# (stm32emu --host-parity none): the host's next bytes reach an 8E1 receiver, which takes the
# host's stop bit for the parity bit and the next start bit for its stop bit, so the frame after
# the stray byte arrives garbled until its 0xA5 gives the line back to the native protocol at
# 8N1. That must cost retransmissions, not the update. A relay between iap and the board (Python,
# below) injects the 0x7F after chosen frames. Without --host-parity the bridge carries bytes
# whatever the framing and the test could not see the 8E1 switch at all.
# Usage: tests/e2e/test_stray_7f.sh [BUILD_DIR]. Prints "N passed, N failed" last.
set -u
BUILD=${1:-${BUILD:-build}}
. "$(dirname "$0")/lib.sh"
B=s

# relay BOARD_PTY LINK AFTER...: iap opens LINK; bytes cross unchanged both ways, and a 0x7F goes
# to the board right after the host's frames number AFTER... (1 = the first; sN: the Nth after
# the first SET_BAUD, 0x0B, iap's step-up). Counts on stderr.
relay_start() {
    rm -f "$2"
    python3 - "$@" <<'EOF' 2>"$E2E_TMP/relay.log" &
import os, select, signal, sys, tty
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # relay_stop
board_path, link = sys.argv[1], sys.argv[2]
after = {int(a) for a in sys.argv[3:] if a[0] != "s"}
after_step = {int(a[1:]) for a in sys.argv[3:] if a[0] == "s"}
board = os.open(board_path, os.O_RDWR | os.O_NOCTTY)
tty.setraw(board)
master, slave = os.openpty()
tty.setraw(slave)
tmp = link + ".tmp"
os.symlink(os.ttyname(slave), tmp)
os.rename(tmp, link)
frames = injected = 0
stepped = None  # frames since the first SET_BAUD
buf = bytearray()  # host bytes of a frame in progress
def frame_len(b):  # SOF type seq len16 payload CRC32; None until the header is there
    return 5 + (b[3] | b[4] << 8) + 4 if len(b) >= 5 else None
try:
    while True:
        r, _, _ = select.select([master, board], [], [])
        if board in r:
            os.write(master, os.read(board, 4096))
        if master in r:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""
            out = bytearray()
            for c in data:
                out.append(c)
                if not buf and c != 0xA5:
                    continue  # between frames (a SYNC's lead-in, noise)
                buf.append(c)
                n = frame_len(buf)
                if n is not None and (n > 1024 + 9 or len(buf) == n):
                    if stepped is not None:
                        stepped += 1
                    elif buf[1] == 0x0B:
                        stepped = 0
                    buf.clear()
                    frames += 1
                    if frames in after or stepped in after_step:
                        out.append(0x7F)
                        injected += 1
            os.write(board, bytes(out))
finally:
    print(f"frames {frames}, injected {injected}", file=sys.stderr)
EOF
    echo $! >"$E2E_TMP/relay.pid"
    for _ in $(seq 50); do [ -e "$2" ] && return 0; sleep 0.05; done
    say "relay did not start: $(cat "$E2E_TMP/relay.log")"
    return 1
}
relay_stop() { kill "$(cat "$E2E_TMP/relay.pid")" 2>/dev/null; wait "$(cat "$E2E_TMP/relay.pid")" 2>/dev/null; }

# update_despite_stray VERSION AFTER IAP_OPTIONS...: iap flashes app-vVERSION through the relay,
# which injects 0x7F after the frames AFTER ("3 6": the 3rd and 6th); the update completes, the
# app runs, frames were resent.
update_despite_stray() {
    local v=$1 at=$2 link=$E2E_TMP/relay.pty resent
    shift 2
    # shellcheck disable=SC2086
    relay_start "$(board_port $B)" "$link" $at || return 1
    timeout 90 "$IAP" -v -p "$link" --full "$@" flash "$APP_DIR/app-v$v.bin" >"$E2E_TMP/iap.out" 2>&1
    local rc=$?
    relay_stop
    [ $rc = 0 ] || { say "iap exit $rc: $(tail -n 3 "$E2E_TMP/iap.out")"; return 1; }
    grep -q "injected 2" "$E2E_TMP/relay.log" || { say "relay: $(cat "$E2E_TMP/relay.log")"; return 1; }
    resent=$(sed -n 's/.*frames resent \([0-9]*\).*/\1/p' "$E2E_TMP/iap.out")
    [ "${resent:-0}" -gt 0 ] || { say "no frame resent: the stray 0x7F had no effect?"; return 1; }
    uart_expect $B "app v$v tick" 4 || { say "app v$v does not run"; return 1; }
    echo "resent $resent" >&3
}

# the 8E1 switch is visible on this board: the bridge's line-mismatch log (-v)
switched_to_8e1() {
    grep -q "line mismatch: host .* 8N1, USART$BOARD_USART .* 8E1" "$E2E_TMP/$B.log" ||
        { say "no 8N1/8E1 mismatch logged: $(grep -a mismatch "$E2E_TMP/$B.log" | head -n 2)"; return 1; }
}

board_start $B --host-parity none --host-baud any || exit 1
check stray_0x7f_between_frames_costs_retransmissions_not_the_update update_despite_stray 1 "3 6" --baud-max 0
check the_usart_went_8e1_against_the_hosts_8n1 switched_to_8e1
check stray_0x7f_at_a_stepped_up_rate_costs_retransmissions_not_the_update update_despite_stray 2 "s2 s4"
board_stop $B

e2e_summary
