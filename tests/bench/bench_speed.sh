#!/usr/bin/env bash
# Issue 15's table: the same images through the four clients, side by side in one run, on the
# virtual board in real time with its typical flash timings (page erase 20 ms, half-word 52.5 us),
# directly on the board's pty and through a modelled USB-serial adapter (tests/bench/usbrelay.c:
# line-rate pacing, a 16 ms latency timer, 62-byte packets, the host's rate followed).
# Columns: seconds (iap: first WRITE to the end of COMMIT, as its summary reports; stm32flash and
# sb: the whole command, the board waiting in IAP mode); the fraction
# of the line limit (image bytes x 10 bits at the rate the line ended at, over that time); the
# multiple of the flash floor (the sum of the image's page erases and half-word programs).
# BENCH_QUICK=1 (CI's slice): 48 KB rows and the extra rows only.
# Usage: tests/bench/bench_speed.sh [BUILD_DIR]. Prints the table; exits 1 when a run fails.
set -u
BUILD=${1:-${BUILD:-build}}
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
RELAY=$BUILD/usbrelay
B=s
fail=0

python3 - "$BUILD/app-v2.bin" "$E2E_TMP" <<'PY'
import random, sys
app = open(sys.argv[1], "rb").read()
rnd = random.Random(7)
for kb in (32, 48):
    body = bytes(rnd.randrange(256) for _ in range(kb * 1024 - len(app)))
    open("%s/img%d.bin" % (sys.argv[2], kb), "wb").write(app + body)
# one changed page (the 20th) of the 48 KB image
d = bytearray(open("%s/img48.bin" % sys.argv[2], "rb").read())
d[20 * 1024 + 5] ^= 0xFF
open("%s/img48-page.bin" % sys.argv[2], "wb").write(d)
# a compressible 48 KB image: the app, then tables and text as firmware carries
words = [b"stm32-iap ", b"demo ", b"tick ", b"\x00\x00\x00\x00", b"\xff\xff", b"error: ", b"flash "]
body = b"".join(rnd.choice(words) for _ in range(20000))[: 48 * 1024 - len(app)]
open("%s/img48-text.bin" % sys.argv[2], "wb").write(app + body)
PY

floor_s() { # BYTES: page erases (1 KB pages) + half-words at the typical timings
    python3 -c "import sys; n=int(sys.argv[1]); print((n + 1023)//1024 * 0.020 + (n + 1)//2 * 52.5e-6)" "$1"
}

row() { # LABEL BYTES SECONDS RATE
    local fl
    fl=$(floor_s "$2")
    python3 -c "import sys
lab, n, s, rate, fl = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
print('| %-44s | %6.2f | %8.2f | %9.2f |' % (lab, s, n * 10 / rate / s, s / fl))" "$1" "$2" "$3" "$4" "$fl"
}

timed() { # runs the command; prints the wall seconds, or fails
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >"$E2E_TMP/run.out" 2>&1 || { echo "FAILED: $* : $(tail -c 400 "$E2E_TMP/run.out")" >&2; return 1; }
    t1=$(date +%s.%N)
    python3 -c "import sys; print('%.3f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$t1"
}

rate_of() { grep -o "line at [0-9]* baud" "$E2E_TMP/run.out" | tail -n 1 | tr -dc '0-9'; }
iap_s() { grep -o "flashed [0-9]* bytes in [0-9.]* s" "$E2E_TMP/run.out" | tail -n 1 | awk '{print $5}'; }
to_iap_mode() { "$IAP" -p "$1" -q --baud-max 0 erase >/dev/null 2>&1; }

fresh_board() {
    board_stop $B 2>/dev/null
    board_start $B || exit 1
}

ymodem_send() { # PORT FILE
    local port=$1
    stty -F "$port" raw -echo 115200 min 1 time 0
    exec 3<>"$port"
    timeout 120 sb --ymodem -k "$2" <&3 >&3 2>/dev/null &
    local sb=$!
    sleep 0.2
    printf '1' >&3
    wait $sb
    local rc=$?
    exec 3>&-
    return $rc
}

run_clients() { # LINKNAME PORT KB
    local link=$1 port=$2 kb=$3 f="$E2E_TMP/img$3.bin" n s r
    n=$(stat -c %s "$f")
    timed "$IAP" -p "$port" --full flash "$f" >/dev/null || { fail=1; return; }
    s=$(iap_s)
    r=$(rate_of)
    row "$link, $kb KB, iap (step-up to ${r:-115200})" "$n" "$s" "${r:-115200}"
    timed "$IAP" -p "$port" --full --baud-max 0 --no-compress flash "$f" >/dev/null ||
        { fail=1; return; }
    row "$link, $kb KB, iap at 115200" "$n" "$(iap_s)" 115200
    to_iap_mode "$port"
    s=$(timed timeout 120 stm32flash -m 8n1 -b 115200 -S 0x08002000 -w "$f" -g 0x08002000 "$port") ||
        { fail=1; return; }
    row "$link, $kb KB, stm32flash -b 115200" "$n" "$s" 115200
    to_iap_mode "$port" # the YMODEM menu is served in IAP mode
    s=$(timed ymodem_send "$port" "$f") || { fail=1; return; }
    row "$link, $kb KB, sb --ymodem -k" "$n" "$s" 115200
}

relay_start() {
    "$RELAY" --board "$(board_port $B)" --link "$E2E_TMP/usb" 2>/dev/null &
    echo $! >"$E2E_TMP/relay.pid"
    for _ in $(seq 50); do [ -e "$E2E_TMP/usb" ] && return 0; sleep 0.05; done
    return 1
}
relay_stop() { kill "$(cat "$E2E_TMP/relay.pid")" 2>/dev/null; wait "$(cat "$E2E_TMP/relay.pid")" 2>/dev/null; }

echo "| run                                          | seconds | of line | x floor  |"
echo "|----------------------------------------------|--------:|--------:|----------:|"
sizes="32 48"
[ -n "${BENCH_QUICK:-}" ] && sizes=48
fresh_board
for kb in $sizes; do
    [ -n "${BENCH_QUICK:-}" ] || run_clients "pty" "$(board_port $B)" "$kb"
done
relay_start || { echo "relay did not start"; exit 1; }
for kb in $sizes; do
    run_clients "adapter 16 ms" "$E2E_TMP/usb" "$kb"
done

# one changed page against the full flash, through the adapter with the step-up
f48=$(stat -c %s "$E2E_TMP/img48.bin")
timed "$IAP" -p "$E2E_TMP/usb" --full flash "$E2E_TMP/img48.bin" >/dev/null || fail=1
full=$(iap_s)
timed "$IAP" -p "$E2E_TMP/usb" flash "$E2E_TMP/img48-page.bin" >/dev/null || fail=1
one=$(iap_s)
row "adapter, 48 KB, one changed page (step-up)" "$f48" "${one:-0}" "$(rate_of)"
python3 -c "import sys; print('one changed page: %.2f s, %.3f x the full flash (%.2f s)' % (float(sys.argv[1]), float(sys.argv[1]) / float(sys.argv[2]), float(sys.argv[2])))" "${one:-0}" "${full:-1}"

# compressible image at a fixed 115200
ft=$(stat -c %s "$E2E_TMP/img48-text.bin")
timed "$IAP" -p "$E2E_TMP/usb" --full --baud-max 0 --no-compress flash "$E2E_TMP/img48-text.bin" \
    >/dev/null || fail=1
row "adapter, 48 KB compressible, 115200, plain" "$ft" "$(iap_s)" 115200
timed "$IAP" -p "$E2E_TMP/usb" --full --baud-max 0 --compress flash "$E2E_TMP/img48-text.bin" \
    >/dev/null || fail=1
row "adapter, 48 KB compressible, 115200, LZ4" "$ft" "$(iap_s)" 115200
grep -o "LZ4: .*" "$E2E_TMP/run.out"
relay_stop
board_stop $B
echo "line limit: image bytes x 10 / rate; flash floor: 20 ms a page + 52.5 us a half-word"
exit $fail
