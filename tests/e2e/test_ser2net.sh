#!/usr/bin/env bash
# build/iap through Debian's ser2net (4.x, YAML config) to the real bootloader on the virtual
# board: ser2net owns the board's pty and serves it on loopback ports, raw (tcp://) and telnet
# with RFC 2217 (rfc2217://). Flash, verify, read and refusals through both; the bridge's line
# rate set by iap (the pty's termios, which ser2net sets from RFC 2217); and what users meet: a
# port nobody serves, a bridge that cannot open its device or whose port is taken, ser2net killed
# mid-flash, a telnet port given as tcp://, a raw port given as rfc2217://, a telnet port without
# RFC 2217.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

B=s
PTY=$(board_port $B)
APP="$BUILD/app-v"
S2N_LOG="$E2E_TMP/ser2net.log"

if ! command -v ser2net >/dev/null; then
    echo "FAIL ser2net_is_installed: run make deps (scripts/deps.sh installs ser2net)"
    echo "0 passed, 1 failed"
    exit 1
fi

# Free loopback ports for the raw, RFC 2217, plain telnet and broken (missing device) accepters,
# raw and RFC 2217 accepters whose line is set to 9600 baud (the board listens at 115200: the
# emulator garbles a line whose two ends disagree, as a real one does), and one nobody serves.
read -r RAW RFC TEL BAD SLOWRAW SLOWRFC NONE < <(python3 -c 'import socket
socks = [socket.socket() for _ in range(7)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')

cat >"$E2E_TMP/ser2net.yaml" <<EOF
connection: &raw
    accepter: tcp,127.0.0.1,$RAW
    connector: serialdev,$PTY,115200n81,local
connection: &rfc2217
    accepter: telnet(rfc2217),tcp,127.0.0.1,$RFC
    connector: serialdev,$PTY,115200n81,local
connection: &telnet
    accepter: telnet,tcp,127.0.0.1,$TEL
    connector: serialdev,$PTY,115200n81,local
connection: &nodevice
    accepter: tcp,127.0.0.1,$BAD
    connector: serialdev,$E2E_TMP/nosuch-tty,115200n81,local
connection: &slowraw
    accepter: tcp,127.0.0.1,$SLOWRAW
    connector: serialdev,$PTY,9600n81,local
connection: &slowrfc2217
    accepter: telnet(rfc2217),tcp,127.0.0.1,$SLOWRFC
    connector: serialdev,$PTY,9600n81,local
EOF

# ser2net_start: in the foreground (-n, killed by lib.sh's cleanup through its .pid), no UUCP
# locks (-u: /var/lock is root's), until its ports listen.
ser2net_start() {
    ser2net -n -u -c "$E2E_TMP/ser2net.yaml" -P "$E2E_TMP/ser2net.pidfile" >>"$S2N_LOG" 2>&1 </dev/null 3>&- &
    echo $! >"$E2E_TMP/ser2net.pid"
    for _ in $(seq 100); do
        ss -Hltn "sport = :$BAD" | grep -q . && return 0
        sleep 0.05
    done
    say "ser2net did not start: $(tail -n 3 "$S2N_LOG")"
    return 1
}

ser2net_stop() {
    local pid
    pid=$(cat "$E2E_TMP/ser2net.pid" 2>/dev/null) || return 0
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "$E2E_TMP/ser2net.pid"
    return 0
}

# iap_ok ARGS...: iap succeeds (its output in iap.out).
iap_ok() {
    "$IAP" "$@" >"$E2E_TMP/iap.out" 2>&1 || { say "iap exit $?: $(tail -n 3 "$E2E_TMP/iap.out")"; return 1; }
}

# iap_fails EXIT TEXT MAX_SECONDS ARGS...: iap exits EXIT within MAX_SECONDS with one error line
# on stderr containing TEXT.
iap_fails() {
    local want=$1 text=$2 max=$3 rc t0 t1
    shift 3
    t0=$(date +%s%N)
    "$IAP" "$@" >"$E2E_TMP/iap.out" 2>"$E2E_TMP/iap.err"
    rc=$?
    t1=$(date +%s%N)
    [ "$rc" -eq "$want" ] || { say "exit $rc, want $want: $(cat "$E2E_TMP/iap.err")"; return 1; }
    grep -q -F -- "$text" "$E2E_TMP/iap.err" || { say "no '$text' in: $(cat "$E2E_TMP/iap.err")"; return 1; }
    [ "$(grep -c '^iap: ' "$E2E_TMP/iap.err")" -eq 1 ] && tail -n 1 "$E2E_TMP/iap.err" | grep -q '^iap: ' ||
        { say "not one error line: $(cat "$E2E_TMP/iap.err")"; return 1; }
    [ $(((t1 - t0) / 1000000)) -le $((max * 1000)) ] ||
        { say "took $(((t1 - t0) / 1000000)) ms, more than $max s"; return 1; }
}

# runs VERSION: once iap is done ser2net lets go of the pty; the board prints app vVERSION's
# ticks, and a power cycle shows its banner.
runs() {
    uart_expect $B "app v$1 tick" 3 || { say "app v$1 does not run on the board"; return 1; }
    boots_into "$E2E_TMP/$B.img" "stm32-iap demo app v$1 " ||
        { say "a power cycle does not show v$1's banner"; return 1; }
}

flashes() { # URL FILE VERSION [iap options]
    local url=$1 file=$2 v=$3
    shift 3
    iap_ok -p "$url" flash "$file" --app-version "$v" "$@" && runs "$v"
}

setup() {
    board_start $B && ser2net_start
}

verify_passes() { # URL FILE
    iap_ok -p "$1" verify "$2" && runs 2
}

verify_of_a_changed_file_exits_8() { # URL
    cp "${APP}2.bin" "$E2E_TMP/changed.bin"
    printf '\x5a' | dd of="$E2E_TMP/changed.bin" bs=1 seek=600 conv=notrunc 2>/dev/null
    iap_fails 8 "verify failed" 20 -p "$1" verify "$E2E_TMP/changed.bin" && runs 2
}

# A 16 KB image, mostly 0xFF (telnet's IAC), and reading it back: every 0xFF crosses the
# bridge in both directions.
image_full_of_0xff_round_trips() { # URL
    head -c 16384 /dev/zero | tr '\0' '\377' | cat "${APP}2.bin" - | head -c 16384 >"$E2E_TMP/ff.bin"
    iap_ok -p "$1" flash "$E2E_TMP/ff.bin" --app-version 2 || return 1
    iap_ok -p "$1" read 0x08002000 16384 -o "$E2E_TMP/ff-read.bin" || return 1
    cmp "$E2E_TMP/ff.bin" "$E2E_TMP/ff-read.bin" >&3 || return 1
    runs 2
}

too_big_exits_3_and_the_app_survives() { # URL
    head -c 61440 /dev/zero | tr '\0' '\377' | cat "${APP}2.bin" - | head -c 61440 >"$E2E_TMP/big.bin"
    iap_fails 3 "too big" 20 -p "$1" flash "$E2E_TMP/big.bin" && runs 2
}

# pty_speeds_while PID: the rates the board's pty had (stty on the pty: what ser2net set) while
# process PID ran, one per line.
pty_speeds_while() {
    : >"$E2E_TMP/speeds"
    while kill -0 "$1" 2>/dev/null; do
        stty -F "$PTY" speed >>"$E2E_TMP/speeds" 2>/dev/null
        sleep 0.05
    done
}

# A bridge whose line ser2net opens at 9600: iap's rfc2217:// sets it to 115200 for the session
# (the pty shows it), and the update works where tcp:// to the same line gets no answer.
rfc2217_sets_the_bridge_line_to_115200() {
    "$IAP" -p "rfc2217://127.0.0.1:$SLOWRFC" -b 115200 -q flash "${APP}1.bin" --app-version 1 \
        >"$E2E_TMP/iap.out" 2>&1 3>&- &
    local pid=$!
    pty_speeds_while $pid
    wait $pid || { say "iap exit $?: $(cat "$E2E_TMP/iap.out")"; return 1; }
    grep -qx 115200 "$E2E_TMP/speeds" ||
        { say "the pty ran at: $(sort -u "$E2E_TMP/speeds" | tr '\n' ' ')"; return 1; }
    runs 1
}

# -b 57600 over RFC 2217: the bridge's line follows (the board, at 115200, then cannot answer).
rfc2217_sets_the_rate_given_with_b() {
    "$IAP" -p "rfc2217://127.0.0.1:$RFC" -b 57600 --no-app-request --timeout 300 info \
        >"$E2E_TMP/iap.out" 2>&1 3>&- &
    local pid=$! rc
    pty_speeds_while $pid
    wait $pid
    rc=$?
    [ $rc -eq 5 ] || { say "exit $rc: $(cat "$E2E_TMP/iap.out")"; return 1; }
    grep -qx 57600 "$E2E_TMP/speeds" ||
        { say "the pty ran at: $(sort -u "$E2E_TMP/speeds" | tr '\n' ' ')"; return 1; }
}

# Kill ser2net while iap writes a 32 KB image (about 3 s on the line): iap says the connection
# closed, in one line, exit 4; the board stays in IAP mode and takes the next update.
killed_bridge_leaves_the_board_in_iap_mode() { # URL
    local pid rc
    # random after the app: every page differs from the device's (iap skips pages that match)
    head -c 32768 /dev/urandom | cat "${APP}2.bin" - | head -c 32768 >"$E2E_TMP/32k.bin"
    "$IAP" -p "$1" -v flash "$E2E_TMP/32k.bin" >/dev/null 2>"$E2E_TMP/trace" &
    pid=$!
    for _ in $(seq 100); do
        grep -q "> WRITE" "$E2E_TMP/trace" && break
        sleep 0.05
    done
    sleep 1
    ser2net_stop
    wait $pid
    rc=$?
    grep -q "> COMMIT" "$E2E_TMP/trace" && { say "too late: the transfer had ended"; return 1; }
    [ $rc -eq 4 ] || { say "exit $rc: $(tail -n 2 "$E2E_TMP/trace")"; return 1; }
    [ "$(grep -c '^iap: ' "$E2E_TMP/trace")" -eq 1 ] || { say "$(grep '^iap' "$E2E_TMP/trace")"; return 1; }
    tail -n 1 "$E2E_TMP/trace" | grep -q "^iap: connection to 127.0.0.1:[0-9]* closed" ||
        { say "last line: $(tail -n 1 "$E2E_TMP/trace")"; return 1; }
    sleep 0.3
    uart_read $B 1.5 >"$E2E_TMP/uart"
    grep -q tick "$E2E_TMP/uart" && { say "an app runs: $(cat "$E2E_TMP/uart")"; return 1; }
    [ "$(board_led $B)" = 1 ] || { say "LED is $(board_led $B), not lit"; return 1; }
    ser2net_start || return 1
    flashes "$1" "${APP}1.bin" 1
}

# A port of ser2net's that a client already holds: ser2net says so and closes.
busy_port_says_in_use() { # URL
    local rc
    exec 5<>"/dev/tcp/127.0.0.1/$RAW" || { say "cannot connect to ser2net"; return 1; }
    sleep 0.2
    iap_fails 4 "already in use" 5 -p "$1" info 5>&-
    rc=$?
    exec 5>&-
    return $rc
}

# raw (tcp://)
check board_and_ser2net_start setup
check raw_bridge_flashes_and_the_app_runs flashes "tcp://127.0.0.1:$RAW" "${APP}1.bin" 1
check raw_bridge_updates_the_running_app flashes "tcp://127.0.0.1:$RAW" "${APP}2.hex" 2
check raw_bridge_verify_passes verify_passes "tcp://127.0.0.1:$RAW" "${APP}2.elf"
check raw_bridge_verify_of_a_changed_file_exits_8 verify_of_a_changed_file_exits_8 "tcp://127.0.0.1:$RAW"
check raw_bridge_image_too_big_exits_3_and_the_app_survives \
    too_big_exits_3_and_the_app_survives "tcp://127.0.0.1:$RAW"
check raw_bridge_carries_0xff_both_ways image_full_of_0xff_round_trips "tcp://127.0.0.1:$RAW"
check port_nobody_serves_exits_4_naming_the_bridge \
    iap_fails 4 "cannot connect to 127.0.0.1:$NONE" 2 -p "tcp://127.0.0.1:$NONE" info
check bridge_that_cannot_open_its_device_says_why \
    iap_fails 4 "saying \"Device open failure" 2 -p "tcp://127.0.0.1:$BAD" info
check raw_port_in_use_says_so busy_port_says_in_use "tcp://127.0.0.1:$RAW"
check raw_bridge_killed_mid_flash_exits_4_and_the_board_takes_the_next_update \
    killed_bridge_leaves_the_board_in_iap_mode "tcp://127.0.0.1:$RAW"

# telnet (rfc2217://)
check telnet_port_given_as_tcp_exits_4_at_once_naming_rfc2217 \
    iap_fails 4 "is a telnet port (the bridge opened with telnet negotiation" 2 -p "tcp://127.0.0.1:$RFC" info
check rfc2217_flashes_and_the_app_runs flashes "rfc2217://127.0.0.1:$RFC" "${APP}2.srec" 2
check rfc2217_verify_passes verify_passes "rfc2217://127.0.0.1:$RFC" "${APP}2.bin"
check rfc2217_verify_of_a_changed_file_exits_8 verify_of_a_changed_file_exits_8 "rfc2217://127.0.0.1:$RFC"
check rfc2217_image_too_big_exits_3_and_the_app_survives \
    too_big_exits_3_and_the_app_survives "rfc2217://127.0.0.1:$RFC"
check rfc2217_carries_0xff_both_ways image_full_of_0xff_round_trips "rfc2217://127.0.0.1:$RFC"
check raw_bridge_at_another_rate_than_the_board_gets_no_answer \
    iap_fails 5 "no bootloader answered" 5 -p "tcp://127.0.0.1:$SLOWRAW" --no-app-request --timeout 300 info
check rfc2217_sets_a_bridge_opened_at_9600_to_115200_and_the_update_works \
    rfc2217_sets_the_bridge_line_to_115200
check rfc2217_sets_the_rate_given_with_b rfc2217_sets_the_rate_given_with_b
check rfc2217_on_a_raw_port_exits_4_within_5_s \
    iap_fails 4 "does not speak telnet" 5 -p "rfc2217://127.0.0.1:$RAW" info
check rfc2217_on_telnet_without_com_port_control_exits_4 \
    iap_fails 4 "RFC 2217" 5 -p "rfc2217://127.0.0.1:$TEL" info
check rfc2217_port_in_use_says_so busy_port_says_in_use "rfc2217://127.0.0.1:$RFC"
check rfc2217_bridge_killed_mid_flash_exits_4_and_the_board_takes_the_next_update \
    killed_bridge_leaves_the_board_in_iap_mode "rfc2217://127.0.0.1:$RFC"
ser2net_stop
board_stop $B
e2e_summary
