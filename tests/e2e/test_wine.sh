#!/usr/bin/env bash
# The Windows build (build/win/iap.exe, host/windows.mk) under Wine, headless, against the real
# bootloader on the virtual board: the board's pty is COM5 of a private Wine prefix (Wine's own
# way: HKLM\Software\Wine\Ports, which makes mountmgr create dosdevices/com5), so iap.exe goes
# through serial_win.c (CreateFile, DCB, COMMTIMEOUTS) and Wine's serial driver. Flash, verify,
# read and refusals as on Linux; a COM port that does not exist, a killed transfer;
# `iap ports`; and, with ser2net, tcp_win.c and rfc2217.c (Winsock) through raw and RFC 2217 ports.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

B=w
PTY=$(board_port $B)
APP="$BUILD/app-v"
EXE="$BUILD/win/iap.exe"
export WINEPREFIX="$E2E_TMP/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY

for tool in wine wineboot wineserver; do
    if ! command -v $tool >/dev/null; then
        echo "FAIL wine_is_installed: no $tool: run make deps (scripts/deps.sh installs wine)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
if [ ! -x "$EXE" ]; then
    echo "FAIL iap_exe_is_built: no $EXE: run make windows"
    echo "0 passed, 1 failed"
    exit 1
fi

# The prefix's wineserver is ours: stop it before lib.sh removes the prefix.
trap 'wineserver -k 2>/dev/null; e2e_cleanup' EXIT

# iap ARGS...: iap.exe under Wine; Windows' text-mode output ends lines with CR LF. Wine and the
# helpers it starts never get check's fd 3 (they would hold it open after iap.exe ends).
iap() { wine "$EXE" "$@" 3>&-; }

iap_ok() {
    iap "$@" >"$E2E_TMP/iap.out" 2>&1 || { say "iap.exe exit $?: $(tr -d '\r' <"$E2E_TMP/iap.out" | tail -n 3)"; return 1; }
}

# iap_fails EXIT TEXT ARGS...: exit EXIT and one error line on stderr containing TEXT.
iap_fails() {
    local want=$1 text=$2 rc
    shift 2
    iap "$@" >"$E2E_TMP/iap.out" 2>"$E2E_TMP/iap.raw"
    rc=$?
    tr -d '\r' <"$E2E_TMP/iap.raw" >"$E2E_TMP/iap.err"
    [ "$rc" -eq "$want" ] || { say "exit $rc, want $want: $(cat "$E2E_TMP/iap.err")"; return 1; }
    grep -q -F -- "$text" "$E2E_TMP/iap.err" || { say "no '$text' in: $(cat "$E2E_TMP/iap.err")"; return 1; }
    [ "$(grep -c '^iap: ' "$E2E_TMP/iap.err")" -eq 1 ] && tail -n 1 "$E2E_TMP/iap.err" | grep -q '^iap: ' ||
        { say "not one error line: $(cat "$E2E_TMP/iap.err")"; return 1; }
}

runs() { # VERSION
    uart_expect $B "app v$1 tick" 3 || { say "app v$1 does not run on the board"; return 1; }
    boots_into "$E2E_TMP/$B.img" "stm32-iap demo app v$1 " ||
        { say "a power cycle does not show v$1's banner"; return 1; }
}

flashes() { # PORT FILE VERSION [options]
    local port=$1 file=$2 v=$3
    shift 3
    iap_ok -p "$port" flash "$file" --app-version "$v" "$@" && runs "$v"
}

# A fresh prefix (no display: wineboot needs none), COM5 -> the board's pty link, and a
# wineserver kept running so each iap.exe starts in a fraction of a second.
wine_prefix_starts_headless_with_com5() {
    local t0=$SECONDS
    wineboot -i >"$E2E_TMP/wineboot.log" 2>&1 3>&- || { say "wineboot: $(tail -n 3 "$E2E_TMP/wineboot.log")"; return 1; }
    wine reg add 'HKEY_LOCAL_MACHINE\Software\Wine\Ports' /v COM5 /t REG_SZ /d "$PTY" /f \
        >>"$E2E_TMP/wineboot.log" 2>&1 3>&- || { say "reg add failed"; return 1; }
    wineserver -k # mountmgr reads the ports when the server starts again
    wineserver -p 3>&-
    wine cmd /c exit >/dev/null 2>&1 3>&-
    [ "$(readlink "$WINEPREFIX/dosdevices/com5")" = "$PTY" ] ||
        { say "dosdevices/com5 is '$(readlink "$WINEPREFIX/dosdevices/com5")'"; return 1; }
    echo "prefix ready in $((SECONDS - t0)) s" >>"$E2E_TMP/wineboot.log"
}

setup() {
    board_start $B && wine_prefix_starts_headless_with_com5
}

ports_lists_com5() {
    iap_ok ports || return 1
    tr -d '\r' <"$E2E_TMP/iap.out" | grep -q '^COM5 ' || { say "$(cat "$E2E_TMP/iap.out")"; return 1; }
}

update_of_the_running_app_needs_no_button() {
    flashes COM5 "${APP}2.hex" 2 || return 1
    grep -q "asking the application to reboot" "$E2E_TMP/iap.out" ||
        { say "no reboot request: $(cat "$E2E_TMP/iap.out")"; return 1; }
}

verify_of_a_changed_file_exits_8() {
    cp "${APP}2.bin" "$E2E_TMP/changed.bin"
    printf '\x5a' | dd of="$E2E_TMP/changed.bin" bs=1 seek=600 conv=notrunc 2>/dev/null
    iap_fails 8 "verify failed" -p COM5 verify "$E2E_TMP/changed.bin" && runs 2
}

read_returns_what_was_written() {
    local n
    n=$(stat -c %s "${APP}2.bin")
    iap_ok -p COM5 read 0x08002000 "$n" -o "$E2E_TMP/read.bin" || return 1
    cmp "${APP}2.bin" "$E2E_TMP/read.bin" >&3 # binary output: no CR LF translation
}

too_big_exits_3_and_the_app_survives() {
    head -c 61440 /dev/zero | tr '\0' '\377' | cat "${APP}2.bin" - | head -c 61440 >"$E2E_TMP/big.bin"
    iap_fails 3 "too big" -p COM5 flash "$E2E_TMP/big.bin" && runs 2
}

# A 32 KB image (about 3 s on the line), killed halfway: the board stays in IAP mode and the next
# flash succeeds. (A second iap.exe on COM5 meanwhile is not refused under Wine, which does not
# enforce Windows' exclusive COM access: docs/WINDOWS.md.)
killed_transfer_leaves_iap_mode() {
    local pid events
    # random after the app: every page differs from the device's (iap skips pages that match)
    head -c 32768 /dev/urandom | cat "${APP}1.bin" - | head -c 32768 >"$E2E_TMP/32k.bin"
    wine "$EXE" -p COM5 -v flash "$E2E_TMP/32k.bin" >/dev/null 2>"$E2E_TMP/trace" 3>&- &
    pid=$! # wine's own pid (not a subshell's): the Windows process itself
    for _ in $(seq 200); do
        grep -q "> WRITE" "$E2E_TMP/trace" && break
        sleep 0.05
    done
    sleep 1
    kill -KILL $pid
    wait $pid 2>/dev/null
    grep -q "> COMMIT" "$E2E_TMP/trace" && { say "too late: the transfer had ended"; return 1; }
    sleep 0.3
    events=$(grep -c '] PA4 = ' "$E2E_TMP/$B.log")
    uart_read $B 1.5 >"$E2E_TMP/uart"
    grep -q tick "$E2E_TMP/uart" && { say "an app runs: $(cat "$E2E_TMP/uart")"; return 1; }
    [ "$(board_led $B)" = 1 ] || { say "LED is $(board_led $B), not lit"; return 1; }
    [ "$(grep -c '] PA4 = ' "$E2E_TMP/$B.log")" = "$events" ] || { say "the LED blinks"; return 1; }
    flashes COM5 "${APP}1.bin" 1
}

# -b 57600 reaches the line through the DCB (the pty shows it); the board, at 115200, cannot
# answer then: the emulator garbles a line whose two ends disagree, as a real one does.
dcb_sets_the_rate_given_with_b() {
    wine "$EXE" -p COM5 -b 57600 --no-app-request --timeout 300 info >"$E2E_TMP/iap.out" 2>&1 3>&- &
    local pid=$! rc
    : >"$E2E_TMP/speeds"
    while kill -0 $pid 2>/dev/null; do
        stty -F "$PTY" speed >>"$E2E_TMP/speeds" 2>/dev/null
        sleep 0.05
    done
    wait $pid
    rc=$?
    [ $rc -eq 5 ] || { say "exit $rc: $(cat "$E2E_TMP/iap.out")"; return 1; }
    grep -qx 57600 "$E2E_TMP/speeds" || { say "the pty ran at: $(sort -u "$E2E_TMP/speeds" | tr '\n' ' ')"; return 1; }
}

# ser2net on the same board: Winsock under tcp:// and rfc2217://.
read -r RAW SLOWRFC NONE < <(python3 -c 'import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')

ser2net_start() {
    cat >"$E2E_TMP/ser2net.yaml" <<EOF
connection: &raw
    accepter: tcp,127.0.0.1,$RAW
    connector: serialdev,$PTY,115200n81,local
connection: &slowrfc2217
    accepter: telnet(rfc2217),tcp,127.0.0.1,$SLOWRFC
    connector: serialdev,$PTY,9600n81,local
EOF
    ser2net -n -u -c "$E2E_TMP/ser2net.yaml" -P "$E2E_TMP/ser2net.pidfile" >"$E2E_TMP/ser2net.log" 2>&1 </dev/null 3>&- &
    echo $! >"$E2E_TMP/ser2net.pid"
    for _ in $(seq 100); do
        ss -Hltn "sport = :$SLOWRFC" | grep -q . && return 0
        sleep 0.05
    done
    say "ser2net did not start: $(tail -n 3 "$E2E_TMP/ser2net.log")"
    return 1
}

# ser2net opens this line at 9600; the board listens at 115200: it works once iap.exe has set the
# bridge's rate over RFC 2217 (the pty shows it).
rfc2217_sets_the_bridge_line() { # BAUD
    iap -p "rfc2217://127.0.0.1:$SLOWRFC" -b "$1" -q flash "${APP}2.bin" --app-version 2 \
        >"$E2E_TMP/iap.out" 2>&1 3>&- &
    local pid=$!
    : >"$E2E_TMP/speeds"
    while kill -0 $pid 2>/dev/null; do
        stty -F "$PTY" speed >>"$E2E_TMP/speeds" 2>/dev/null
        sleep 0.05
    done
    wait $pid || { say "iap.exe exit $?: $(cat "$E2E_TMP/iap.out")"; return 1; }
    grep -qx "$1" "$E2E_TMP/speeds" || { say "the pty ran at: $(sort -u "$E2E_TMP/speeds" | tr '\n' ' ')"; return 1; }
    runs 2
}

check board_and_wine_start setup
check ports_lists_com5 ports_lists_com5
check bin_flashes_and_runs flashes COM5 "${APP}1.bin" 1
check update_of_the_running_app_needs_no_button update_of_the_running_app_needs_no_button
check verify_passes_after_a_flash iap_ok -p COM5 verify "${APP}2.elf"
check verify_of_a_file_with_one_changed_byte_exits_8 verify_of_a_changed_file_exits_8
check read_returns_what_was_written read_returns_what_was_written
check image_too_big_exits_3_and_the_app_survives too_big_exits_3_and_the_app_survives
check dcb_sets_the_rate_given_with_b dcb_sets_the_rate_given_with_b
check com_port_that_does_not_exist_exits_4 \
    iap_fails 4 "port COM9 does not exist: check the cable and the name" -p COM9 info
check killed_transfer_leaves_the_board_in_iap_mode_and_the_next_flash_succeeds \
    killed_transfer_leaves_iap_mode
if command -v ser2net >/dev/null; then
    check ser2net_starts ser2net_start
    check winsock_raw_bridge_flashes_and_the_app_runs flashes "tcp://127.0.0.1:$RAW" "${APP}2.srec" 2
    check winsock_rfc2217_sets_a_bridge_opened_at_9600_to_115200_and_flashes \
        rfc2217_sets_the_bridge_line 115200
    check winsock_telnet_port_given_as_tcp_exits_4_naming_rfc2217 \
        iap_fails 4 "use rfc2217://127.0.0.1:$SLOWRFC" -p "tcp://127.0.0.1:$SLOWRFC" info
    check winsock_port_nobody_serves_exits_4 \
        iap_fails 4 "cannot connect to 127.0.0.1:$NONE" -p "tcp://127.0.0.1:$NONE" info
    kill "$(cat "$E2E_TMP/ser2net.pid")" 2>/dev/null
fi
board_stop $B
e2e_summary
