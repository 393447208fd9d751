#!/usr/bin/env bash
# Flashing time of a 32 KB image at 115200 baud on the virtual board in real-time mode, against
# the line-rate limit (bytes x 10 / baud: 8N1). Rows: the board's pty with the emulator's flash
# timings; with the F1's worst-case timings (erase 40 ms, 70 us per half-word); and through a
# TCP relay that delays every byte by 20 ms each way (a remote serial bridge, or a USB-serial
# adapter's latency timer), where only the device's receive window keeps the line busy.
# Time = first WRITE to the end of COMMIT, as iap's summary reports it.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

head -c 32768 /dev/zero | tr '\0' '\125' | cat "$BUILD/app-v1.bin" - | head -c 32768 >"$E2E_TMP/32k.bin"

# delay_relay LISTEN_PORT BOARD_PORT MS: TCP relay to 127.0.0.1:BOARD_PORT, every byte held MS ms.
delay_relay() {
    python3 -c '
import socket, sys, threading, time
lport, bport, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", lport))
ls.listen(1)
open(sys.argv[4], "w").close()
a, _ = ls.accept()
b = socket.create_connection(("127.0.0.1", bport))
for s in (a, b):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def pump(src, dst):
    import collections
    q, cv = collections.deque(), threading.Condition()
    def send():
        while True:
            with cv:
                while not q:
                    cv.wait()
                t, data = q.popleft()
            if data is None:
                dst.close()
                return
            time.sleep(max(0, t - time.time()))
            dst.sendall(data)
    threading.Thread(target=send, daemon=True).start()
    while True:
        data = src.recv(65536)
        with cv:
            q.append((time.time() + delay, data or None))
            cv.notify()
        if not data:
            return
threading.Thread(target=pump, args=(b, a), daemon=True).start()
pump(a, b)
time.sleep(delay * 2)' "$@" "$E2E_TMP/relay.ready" 2>/dev/null &
    echo $! >"$E2E_TMP/tcprelay.pid"
    for _ in $(seq 100); do
        [ -e "$E2E_TMP/relay.ready" ] && return 0
        sleep 0.05
    done
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# row LABEL PORT: flash, print the figures from iap's JSON summary
row() {
    local label=$1 port=$2 sum
    "$IAP" -p "$port" --json --no-reset flash "$E2E_TMP/32k.bin" >"$E2E_TMP/json" 2>"$E2E_TMP/err" ||
        { echo "$label: iap failed: $(cat "$E2E_TMP/err")"; return 1; }
    sum=$(grep '"event":"summary"' "$E2E_TMP/json")
    python3 -c 'import json, sys
s = json.loads(sys.argv[2])
print("%-44s 32768 bytes in %.2f s, line-rate limit %.2f s: %.0f%% efficiency"
      % (sys.argv[1], s["seconds"], s["line_limit_s"], s["efficiency"]))' "$label" "$sum"
}

rc=0
board_start pty || exit 1
row "pty" "$(board_port pty)" || rc=1
board_stop pty

board_start slow --erase-ms 40 --prog-us 70 || exit 1
row "pty, worst-case F1 flash timings" "$(board_port slow)" || rc=1
board_stop slow

bport=$(free_port)
BOARD_UART=tcp:$bport board_start bridged --erase-ms 40 --prog-us 70 || exit 1
lport=$(free_port)
delay_relay "$lport" "$bport" 20
row "tcp relay +20 ms each way, worst-case timings" "tcp://127.0.0.1:$lport" || rc=1
kill "$(cat "$E2E_TMP/tcprelay.pid")" 2>/dev/null
board_stop bridged
exit $rc
