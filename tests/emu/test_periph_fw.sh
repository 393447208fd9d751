#!/usr/bin/env bash
# Peripheral models on the whole board: the test firmware images tests/emu/fw/periph_*.c run on
# BUILD/stm32emu; each check is one behaviour. Ends with "N passed, N failed".
# Usage: tests/emu/test_periph_fw.sh [BUILD_DIR] (default $BUILD, else build).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
EMU=$BUILD/stm32emu
FW=$BUILD/emu-fw
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { echo "ok $1"; pass=$((pass + 1)); }
last() { tail -n 3 "$1" | tr '\n' ' '; }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# run NAME IMAGE INPUT ARGS...: stdout in $T/NAME.out, stderr in $T/NAME.err, status in $rc
run() {
    local name=$1 img=$2 input=$3
    shift 3
    printf '%s' "$input" >"$T/$name.in"
    timeout 20 "$EMU" --flash "$T/$name.flash" --load "$FW/$img.elf" --uart stdio \
        --stop-after 3000 -v "$@" <"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
}

expect() { # NAME WANT_RC [STDOUT_SUBSTRING] [STDERR_SUBSTRING]
    local name=$1 want=$2 out=${3:-} err=${4:-}
    if [ "$rc" -ne "$want" ]; then
        bad "$name" "exit $rc, expected $want; $(tail -n 3 "$T/$name.err" | tr '\n' ' ')"
    elif [ -n "$out" ] && ! grep -qF -- "$out" "$T/$name.out"; then
        bad "$name" "stdout lacks '$out': $(head -c 200 "$T/$name.out")"
    elif [ -n "$err" ] && ! grep -qF -- "$err" "$T/$name.err"; then
        bad "$name" "log lacks '$err'"
    else
        ok "$name"
    fi
}

if [ ! -x "$EMU" ]; then
    echo "FAIL $EMU missing"
    echo "0 passed, 1 failed"
    exit 1
fi

msg='The quick brown fox jumps over the lazy dog!'
run usart_echo_returns_every_byte periph_echo "$msg" --stop-on-bkpt
got=$(cat "$T/usart_echo_returns_every_byte.out")
if [ "$rc" -eq 0 ] && [ "$got" = "$msg" ]; then
    ok usart_echo_returns_every_byte
else
    bad usart_echo_returns_every_byte "exit $rc, got '$got'"
fi

run usart_slow_reader_gets_ore periph_ore 'ABCDEFGH' --stop-on-bkpt
expect usart_slow_reader_gets_ore 0 'ORE ok' 'USART1 overrun: byte 0x43 lost (RDR holds 0x42)'

ring=$(python3 -c "print(''.join(chr(65 + i % 26) for i in range(200)), end='')")
run dma_circular_receive_during_page_erase periph_dma_erase "$ring" --stop-on-bkpt
expect dma_circular_receive_during_page_erase 0 'DMA ok' 'flash: page erase'

run bkp_flag_survives_sysresetreq periph_bkp '' --stop-on-bkpt
expect bkp_flag_survives_sysresetreq 0 'BKP ok' 'system reset'

run rcc_pll_72mhz_and_usart_from_pclk2 periph_pll '' --stop-on-bkpt
expect rcc_pll_72mhz_and_usart_from_pclk2 0 'PLL ok'

run crc_unit_matches_software_crc periph_crc '' --stop-on-bkpt
expect crc_unit_matches_software_crc 0

run iwdg_timeout_resets_with_iwdgrstf periph_iwdg '' --stop-on-bkpt
expect iwdg_timeout_resets_with_iwdgrstf 0 'IWDG ok' 'IWDG timeout: system reset'

run gpio_led_logged_and_pa0_pull_down periph_gpio '' --stop-on-bkpt
expect gpio_led_logged_and_pa0_pull_down 32 '' '] PA4 = 1'

run gpio_pa0_held_at_power_on periph_gpio '' --stop-on-bkpt --pin PA0=1
expect gpio_pa0_held_at_power_on 35

run gpio_pa0_driven_at_5ms periph_gpio '' --stop-on-bkpt --pin PA0=1@5
expect gpio_pa0_driven_at_5ms 34

run usart_stop_on_uart_string periph_echo 'no bang here' --stop-on-uart 'bang'
expect usart_stop_on_uart_string 0 'no bang'

run usart_stop_on_uart_timeout periph_echo 'abc' --stop-on-uart 'xyz' --stop-after 50
expect usart_stop_on_uart_timeout 4

# args NAME WORD...: FW_ARGS for an image (tests/emu/fw/fw.h) in $T/NAME.args, as a --load.
args() {
    local name=$1
    shift
    python3 -c 'import struct, sys
w = [int(x, 0) for x in sys.argv[2:]]
open(sys.argv[1], "wb").write(struct.pack("<8I", 0x41524753, *(w + [0] * (7 - len(w)))))' \
        "$T/$name.args" "$@"
    echo "$T/$name.args@0x0800FC00"
}

# USART2/3 and remapped pins: the bridge wired to that USART at those pins (--usart).
echo_on() { # NAME USART REMAP --usart-ARG
    local name=$1 n=$2 remap=$3 wiring=$4
    run "$name" periph_uartn "hello $name!" --stop-on-bkpt --usart "$wiring" \
        --load "$(args "$name" "$n" "$remap")"
    if ! grep -qF "FE=00000000 PE=00000000 NE=00000000" "$T/$name.out"; then
        bad "$name" "no clean error report: $(head -c 200 "$T/$name.out")"
    else
        expect "$name" 0 "hello $name!"
    fi
}
echo_on usart2_echo_through_the_bridge 2 0 2
echo_on usart3_echo_through_the_bridge 3 0 3
echo_on usart1_remapped_to_pb6_pb7_echoes 1 1 1:remap
echo_on usart2_remapped_to_pd5_pd6_echoes 2 1 2:remap
echo_on usart3_partial_remap_pc10_pc11_echoes 3 1 3:partial
echo_on usart3_full_remap_pd8_pd9_echoes 3 3 3:full
# --uart N is the same as --usart N
run uart_option_takes_a_usart_number periph_uartn 'x!' --stop-on-bkpt --uart 3 \
    --load "$(args uart_n 3 0)"
expect uart_option_takes_a_usart_number 0 'x!'

name=usart1_remapped_away_from_the_hosts_pins_is_not_heard
run $name periph_uartn 'abc!' --stop-on-bkpt --stop-after 200 --usart 1 --load "$(args $name 1 1)"
if [ "$rc" -eq 0 ] && [ ! -s "$T/$name.out" ] &&
    grep -qF 'USART1 RX is on PB7 (AFIO_MAPR), the host is wired to PA10' "$T/$name.err"; then
    ok $name
else
    bad $name "exit $rc, stdout '$(head -c 100 "$T/$name.out")', $(last "$T/$name.err")"
fi

name=bad_usart_wiring_is_a_setup_error
"$EMU" --flash "$T/x.flash" --usart 4 2>"$T/$name.err"
rc=$?
"$EMU" --flash "$T/x.flash" --usart 1:full 2>>"$T/$name.err"
rc2=$?
if [ "$rc" -eq 1 ] && [ "$rc2" -eq 1 ]; then ok $name; else bad $name "$(cat "$T/$name.err")"; fi

# TCP: one client at a time, a new one accepted after the first disconnects.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
timeout 20 "$EMU" --flash "$T/tcp.flash" --load "$FW/periph_echo.elf" --uart "tcp:$port" \
    --realtime --stop-on-bkpt --stop-after 10000 -v 2>"$T/tcp.err" &
emu_pid=$!
cat >"$T/tcp_client.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def talk(data, want):
    for _ in range(100):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            break
        except OSError:
            time.sleep(0.05)
    s.sendall(data)
    got = b""
    while len(got) < len(want):
        chunk = s.recv(100)
        if not chunk:
            break
        got += chunk
    s.close()
    assert got == want, (got, want)
talk(b"first", b"first")
time.sleep(0.1)
talk(b"second!", b"second!")
PY
name=usart_tcp_bridge_serves_successive_clients
if python3 "$T/tcp_client.py" "$port"; then ok $name; else bad $name "$(last "$T/tcp.err")"; fi
wait "$emu_pid"
echo "  (tcp board exit $?)"

# PTY: the stable link, closing and reopening the port does not kill the board.
timeout 20 "$EMU" --flash "$T/pty.flash" --load "$FW/periph_echo.elf" --uart "pty:$T/ttyEMU" \
    --realtime --stop-on-bkpt --stop-after 10000 -v 2>"$T/pty.err" &
emu_pid=$!
cat >"$T/pty_client.py" <<'PY'
import os, sys, time, tty, select
link = sys.argv[1]
for _ in range(100):
    if os.path.exists(link):
        break
    time.sleep(0.05)
def talk(data):
    fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    time.sleep(0.1)  # the board notices a reader within 20 ms
    os.write(fd, data)
    got = b""
    end = time.time() + 5
    while len(got) < len(data) and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            got += os.read(fd, 100)
    os.close(fd)
    assert got == data, (got, data)
talk(b"one")
time.sleep(0.2)
talk(b"two!")
PY
name=usart_pty_survives_host_reopen
if python3 "$T/pty_client.py" "$T/ttyEMU"; then ok $name; else bad $name "$(last "$T/pty.err")"; fi
wait "$emu_pid"
if grep -q "USART1 on /dev/pts/" "$T/pty.err"; then
    ok usart_pty_path_printed
else
    bad usart_pty_path_printed "no 'USART1 on /dev/pts/N' line"
fi

# A line the two sides disagree on: the board's periph_uartn echo (115200 8N1 unless its args say
# otherwise) on a pty; the host sets its rate (or not) as a terminal program would. Each step:
# RATE (0 = leave it) DATA EXPECT, EXPECT = clean (the echo is DATA), garbled (it is not), or
# report (DATA comes back followed by the flags report).
cat >"$T/line_client.py" <<'PY'
import os, select, sys, termios, time, tty
link, steps = sys.argv[1], sys.argv[2:]
for _ in range(100):
    if os.path.exists(link):
        break
    time.sleep(0.05)
fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
time.sleep(0.1)  # the board notices a reader within 20 ms
for i in range(0, len(steps), 3):
    rate, data, want = int(steps[i]), steps[i + 1].encode(), steps[i + 2]
    if rate:
        a = termios.tcgetattr(fd)
        a[4] = a[5] = getattr(termios, "B%d" % rate)
        termios.tcsetattr(fd, termios.TCSANOW, a)
    os.write(fd, data)
    got, end = b"", time.time() + 1.0
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            got += os.read(fd, 1000)
    if want == "clean" and got != data or want == "garbled" and got == data or \
       want == "report" and not (got.startswith(data) and b"FE=" in got):
        sys.exit("step %d at %d: sent %r, got %r, wanted %s" % (i // 3, rate, data, got, want))
    print(got.decode("latin-1"))
os.close(fd)
PY

# line NAME 'EMU OPTIONS' STEPS...: a board with periph_uartn on a pty, the client's steps.
line() {
    local name=$1 opts=$2
    shift 2
    # shellcheck disable=SC2086
    timeout 30 "$EMU" --flash "$T/$name.flash" --load "$FW/periph_uartn.elf" --uart "pty:$T/$name.pty" \
        --realtime --stop-on-bkpt --stop-after 20000 -v $opts 2>"$T/$name.err" &
    local emu=$!
    if python3 "$T/line_client.py" "$T/$name.pty" "$@" >"$T/$name.out" 2>"$T/$name.py"; then
        ok "$name"
    else
        bad "$name" "$(cat "$T/$name.py") $(last "$T/$name.err")"
    fi
    kill "$emu" 2>/dev/null
    wait "$emu" 2>/dev/null
}

line line_host_at_115200_is_clean '' 115200 'hello, board' clean 0 '!' report
line line_host_at_57600_garbles_then_115200_is_clean_again '' \
    115200 'first' clean 57600 'hello, board' garbled 115200 'again!' report
if grep -q '] PA4 = 1' "$T/line_host_at_57600_garbles_then_115200_is_clean_again.err" &&
    ! grep -q 'FE=00000000' "$T/line_host_at_57600_garbles_then_115200_is_clean_again.out"; then
    ok line_firmware_sees_fe_at_57600
else
    bad line_firmware_sees_fe_at_57600 "no FE: $(cat "$T/line_host_at_57600_garbles_then_115200_is_clean_again.out")"
fi
line line_host_baud_any_carries_bytes_at_any_rate '--host-baud any' 57600 'hello, board' clean
line line_auto_does_not_check_a_host_that_never_set_a_rate '' 0 'hello, board' clean
STM32EMU_LINE=strict line line_strict_env_checks_a_host_that_never_set_a_rate '' \
    0 'hello, board' garbled
# 'A' has two ones: its even parity bit (0) lands on the 8N1 USART's stop bit: FE, the data bits
# intact; the echo comes back whole (the host's tty passes its parity error: INPCK is off).
line line_host_parity_even_against_8n1_firmware '--host-parity even' \
    115200 'CCCC' clean 115200 'AAAA' clean
if grep -q '] PA4 = 1' "$T/line_host_parity_even_against_8n1_firmware.err"; then
    ok line_host_parity_even_against_8n1_gives_fe
else
    bad line_host_parity_even_against_8n1_gives_fe "no FE seen (PA4)"
fi
# periph_uartn at 8E1 (CR1 M | PCE), the host at 8E1 too: clean
line line_host_parity_even_against_8e1_firmware_is_clean \
    "--host-parity even --load $(args e81 1 0 0x1400)" 115200 'AAAACCCC' clean

run line_host_baud_fixed_on_stdio periph_uartn 'hello!' --stop-on-bkpt --stop-after 100 \
    --host-baud 57600
if grep -q '] PA4 = 1' "$T/line_host_baud_fixed_on_stdio.err" &&
    grep -q 'line mismatch: host 57600 baud' "$T/line_host_baud_fixed_on_stdio.err"; then
    ok line_host_baud_fixed_on_stdio
else
    bad line_host_baud_fixed_on_stdio "$(last "$T/line_host_baud_fixed_on_stdio.err")"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
