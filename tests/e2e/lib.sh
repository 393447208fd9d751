# Shared helpers for the end-to-end tests: the real bootloader on the virtual board, driven by
# build/iap through the board's pseudo-terminal. Source it from bash:
#
#   . tests/e2e/lib.sh          # creates $E2E_TMP (removed at exit, with every board started)
#   board_start main            # fresh erased flash, $BOOT_ELF, pty, realtime
#   "$IAP" -p "$(board_port main)" flash build/app-v1.bin
#   uart_expect main "app v1 tick" 3
#   board_stop main
#   check name_of_behaviour test_command args...   # counts "ok"/"FAIL"
#   e2e_summary                                    # prints "N passed, N failed", returns 1 on failure
#
# E2E_KEEP=1 keeps $E2E_TMP (logs, flash images, iap output) for a look after a failure.
# Board NAME keeps its files in $E2E_TMP/NAME.{img,pty,log,pid}: flash image, pty link, the
# board's log (stderr, -v: resets, erases, LED changes), process id.
#
# The board profile under test: E2E_BOARD=NAME takes $BUILD/boards/NAME (its boot.elf, app-v*.*,
# board.env); without it, the default build's ($BUILD/boot.elf, $BUILD/app-v*.*, $BUILD/board.env:
# make BOARD=NAME). board.env gives the part (stm32emu --part), the USART the host is wired to
# (--usart), the LED and the entry input with their active levels ($BOARD_LED, $BOARD_LED_ON,
# $BOARD_ENTRY, $BOARD_ENTRY_ON), and the geometry ($BOARD_FLASH_KB, $BOARD_PAGE_SIZE,
# $BOARD_SRAM_KB, $BOARD_APP_END).
set -u

BUILD=${BUILD:-build}
EMU=${EMU:-$BUILD/stm32emu}
IAP=${IAP:-$BUILD/iap}
if [ -n "${E2E_BOARD:-}" ]; then
    BOARD_DIR=$BUILD/boards/$E2E_BOARD
else
    BOARD_DIR=$BUILD
fi
BOOT_ELF=${BOOT_ELF:-$BOARD_DIR/boot.elf}
APP_DIR=$BOARD_DIR # app-v1.bin, app-v2.elf, ...
# The seed board's facts, for a build from before board profiles.
BOARD=seed BOARD_CHIP=STM32F103C8 BOARD_EMU_PART_GLOB=f103c8 BOARD_FLASH_KB=64
BOARD_PAGE_SIZE=1024 BOARD_SRAM_KB=20 BOARD_APP_END=0x0800fc00 BOARD_USART=1
BOARD_USART_PINS=PA9/PA10 BOARD_EMU_USART=1 BOARD_ENTRY=PA0 BOARD_ENTRY_ON=1 BOARD_LED=PA4
BOARD_LED_ON=1 BOARD_BANKS=1 BOARD_DEV_ID=0x410
if [ -r "$BOARD_DIR/board.env" ]; then
    . "$BOARD_DIR/board.env"
elif [ -n "${E2E_BOARD:-}" ]; then
    echo "no $BOARD_DIR/board.env: build the board first (make BUILD=$BUILD all)" >&2
    exit 1
fi
# The emulator's part for the profile's chip: the one of the same die (stm32emu --help lists them).
BOARD_EMU_PART=
for p in $("$EMU" --help 2>&1 | sed -n 's/^parts: //p'); do
    # shellcheck disable=SC2254
    case $p in $BOARD_EMU_PART_GLOB) BOARD_EMU_PART=$p && break ;; esac
done
BOARD_EMU_ARGS=(--part "${BOARD_EMU_PART:-f103c8}" --usart "$BOARD_EMU_USART")
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/e2e.XXXXXX")
e2e_pass=0
e2e_fail=0

e2e_cleanup() {
    local f
    for f in "$E2E_TMP"/*.pid; do
        [ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    if [ -n "${E2E_KEEP:-}" ]; then echo "kept $E2E_TMP" >&2; else rm -rf "$E2E_TMP"; fi
}
trap e2e_cleanup EXIT

# board_start NAME [stm32emu options...]: boots the bootloader on a fresh flash image with the
# board's USART on a pty (or on BOARD_UART, e.g. tcp:4001); returns once the port is there. Extra
# options go after the defaults (--load more images, --pin PA0=1, --erase-ms ...).
board_start() {
    local name=$1
    shift
    rm -f "$E2E_TMP/$name.img"
    board_power_on "$name" --load "$BOOT_ELF" "$@"
}

# board_power_on NAME [stm32emu options...]: board NAME powers up again on the flash image its
# last run left (board_stop first), otherwise as board_start.
board_power_on() {
    local name=$1
    shift
    rm -f "$E2E_TMP/$name.pty"
    "$EMU" --flash "$E2E_TMP/$name.img" "${BOARD_EMU_ARGS[@]}" \
        --uart "${BOARD_UART:-pty:$E2E_TMP/$name.pty}" --realtime -v "$@" \
        2>"$E2E_TMP/$name.log" </dev/null >/dev/null 3>&- &
    echo $! >"$E2E_TMP/$name.pid"
    for _ in $(seq 100); do
        [ -e "$E2E_TMP/$name.pty" ] && return 0
        grep -q "USART[1-3] on tcp" "$E2E_TMP/$name.log" && return 0
        sleep 0.05
    done
    echo "board $name did not come up: $(tail -n 5 "$E2E_TMP/$name.log")" >&2
    return 1
}

board_stop() {
    local pid
    pid=$(cat "$E2E_TMP/$1.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "$E2E_TMP/$1.pid"
    return 0
}

board_port() { echo "$E2E_TMP/$1.pty"; }
board_log() { cat "$E2E_TMP/$1.log"; }

# board_led NAME: whether the board's LED is lit by the last level its log shows for the LED pin:
# 1 lit, 0 dark, z not driven, or "none".
board_led() {
    local v
    v=$(grep -o "] $BOARD_LED = [01z]" "$E2E_TMP/$1.log" | tail -n 1)
    v=${v##*= }
    case $v in
    0 | 1) [ "$v" = "$BOARD_LED_ON" ] && echo 1 || echo 0 ;;
    *) echo "${v:-none}" ;;
    esac
}

# led_changes NAME: how many times the board's log shows the LED pin changing.
led_changes() { grep -c "] $BOARD_LED = " "$E2E_TMP/$1.log"; }

# uart_read NAME SECONDS: what the board sends on its pty during SECONDS (nobody else may have the
# port open meanwhile; what the board sends while nobody listens is lost, as on a real wire).
# A program killed on the port (the killed-iap test) leaves it with VMIN = 0, on which cat would
# see an end of file: set VMIN = 1 first. It may also leave its stepped-up rate (iap --baud-max):
# read at the application's rate, as a terminal would (E2E_APP_BAUD, 115200).
uart_read() {
    stty -F "$E2E_TMP/$1.pty" "${E2E_APP_BAUD:-115200}" min 1 time 0 2>/dev/null
    timeout "$2" cat "$E2E_TMP/$1.pty" 2>/dev/null | tr -d '\000'
    return 0
}

# uart_expect NAME TEXT SECONDS: 0 once the board sends TEXT within SECONDS.
uart_expect() {
    stty -F "$E2E_TMP/$1.pty" "${E2E_APP_BAUD:-115200}" min 1 time 0 2>/dev/null
    timeout "$3" grep -a -q -m 1 -F -- "$2" "$E2E_TMP/$1.pty" 2>/dev/null
}

# boots_into IMG TEXT: 0 when a copy of flash image IMG, powered up alone (as fast as possible,
# UART on stdout), prints TEXT within 3 s of emulated time: what a power cycle would show.
boots_into() {
    local copy="$E2E_TMP/boot-copy.img"
    cp "$1" "$copy"
    "$EMU" --flash "$copy" "${BOARD_EMU_ARGS[@]}" --uart stdio --stop-on-uart "$2" --stop-after 3000 \
        </dev/null >"$E2E_TMP/boot-copy.out" 2>/dev/null
}

# iap_refuses EXIT TEXT ARGS...: iap ARGS exits with EXIT and says TEXT on stderr, in one error
# line, the last (a note may come before it).
iap_refuses() {
    local want=$1 text=$2 rc
    shift 2
    "$IAP" "$@" >"$E2E_TMP/iap.out" 2>"$E2E_TMP/iap.err"
    rc=$?
    [ "$rc" -eq "$want" ] || { say "exit $rc, want $want: $(cat "$E2E_TMP/iap.err")"; return 1; }
    grep -q -F -- "$text" "$E2E_TMP/iap.err" || { say "no '$text' in: $(cat "$E2E_TMP/iap.err")"; return 1; }
    if [ "$(grep -c '^iap: ' "$E2E_TMP/iap.err")" -ne 1 ] || ! tail -n 1 "$E2E_TMP/iap.err" | grep -q '^iap: '; then
        say "not one error line, last: $(cat "$E2E_TMP/iap.err")"
        return 1
    fi
}

# app_survives NAME VERSION: board NAME still runs the demo app VERSION (its ticks), and a power
# cycle of its flash image starts it.
app_survives() {
    uart_expect "$1" "app v$2 tick" 4 || { say "app v$2 no longer runs"; return 1; }
    boots_into "$E2E_TMP/$1.img" "stm32-iap demo app v$2" || { say "a power cycle does not start v$2"; return 1; }
}

# check NAME COMMAND...: runs COMMAND; "ok NAME" when it succeeds, else "FAIL NAME" and the
# details it printed on fd 3 (test functions write their diagnostics with `say`).
check() {
    local name=$1 out
    shift
    if out=$("$@" 3>&1 >/dev/null 2>&1); then
        echo "ok $name"
        e2e_pass=$((e2e_pass + 1))
    else
        echo "FAIL $name${out:+: $out}"
        e2e_fail=$((e2e_fail + 1))
    fi
}

# say TEXT: a diagnostic for check's FAIL line.
say() { echo "$*" >&3; }

e2e_summary() {
    echo "$e2e_pass passed, $e2e_fail failed"
    [ "$e2e_fail" -eq 0 ]
}
