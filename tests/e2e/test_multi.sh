#!/usr/bin/env bash
# iap with several -p: four virtual boards flashed by one iap at once, one of them killed in the
# middle of its transfer; the other three flashed, verified and running; a progress line per board,
# the summary table, one JSON object per board; the exit status the failing board's. Bad input: the
# same port twice (also under another name), a port that does not exist among real ones, several
# ports for a command that takes one.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

BIG=$E2E_TMP/big.bin # app v1 and random bytes: 32 KB, about 3 s at 115200 baud
# --full: every page is written, whatever the board holds; --baud-max 0: at the boot rate, so
# the transfer lasts long enough to cut one board in the middle of it.
OPTS=(--full --baud-max 0)

setup() {
    head -c 32768 /dev/urandom >"$BIG.rnd"
    cat "$APP_DIR/app-v1.bin" "$BIG.rnd" | head -c 32768 >"$BIG"
    for b in a b c d; do board_start $b || return 1; done
}

p() { board_port "$1"; }

# erases BOARD: how many page erases the board's log shows so far.
erases() { grep -c "page erase" "$E2E_TMP/$1.log"; }

# untouched BOARD COUNT: no page of the board was erased since erases said COUNT (nothing was
# flashed). Counted around each command, not since the board started: a test elsewhere on this
# machine that opens a stale pty link whose /dev/pts number came back as one of these boards'
# would be taken for iap.
untouched() {
    [ "$(erases "$1")" = "$2" ] || { say "board $1 was erased ($2 -> $(erases "$1") page erases)"; return 1; }
}

same_port_twice_is_a_usage_error_and_nothing_is_flashed() {
    local rc=0 ea eb
    ea=$(erases a) eb=$(erases b)
    "$IAP" flash "$BIG" -p "$(p a)" -p "$(p b)" -p "$(p a)" >"$E2E_TMP/dup.out" 2>"$E2E_TMP/dup.err" || rc=$?
    [ $rc -eq 1 ] || { say "exit $rc"; return 1; }
    [ "$(wc -l <"$E2E_TMP/dup.err")" -eq 1 ] && grep -q "^iap: port .* is named twice" "$E2E_TMP/dup.err" ||
        { say "stderr: $(cat "$E2E_TMP/dup.err")"; return 1; }
    [ ! -s "$E2E_TMP/dup.out" ] || { say "stdout: $(cat "$E2E_TMP/dup.out")"; return 1; }
    untouched a "$ea" && untouched b "$eb"
}

same_port_under_another_name_is_named_twice() {
    local rc=0
    # the pty link and the /dev/pts/N it points to
    "$IAP" info -p "$(p a)" -p "$(readlink -f "$(p a)")" >/dev/null 2>"$E2E_TMP/dup.err" || rc=$?
    [ $rc -eq 1 ] && grep -q "named twice" "$E2E_TMP/dup.err" ||
        { say "exit $rc: $(cat "$E2E_TMP/dup.err")"; return 1; }
}

several_ports_for_a_one_port_command_is_a_usage_error() {
    local rc=0 ea eb
    ea=$(erases a) eb=$(erases b)
    "$IAP" erase -p "$(p a)" -p "$(p b)" >/dev/null 2>"$E2E_TMP/erase.err" || rc=$?
    [ $rc -eq 1 ] && grep -q "several -p go with flash, verify and info only" "$E2E_TMP/erase.err" ||
        { say "exit $rc: $(cat "$E2E_TMP/erase.err")"; return 1; }
    untouched a "$ea" && untouched b "$eb"
}

bad_file_is_refused_before_any_port() {
    local rc=0 ea eb
    ea=$(erases a) eb=$(erases b)
    "$IAP" flash "$E2E_TMP/nope.hex" -p "$(p a)" -p "$(p b)" >/dev/null 2>"$E2E_TMP/nf.err" || rc=$?
    [ $rc -eq 2 ] || { say "exit $rc: $(cat "$E2E_TMP/nf.err")"; return 1; }
    untouched a "$ea" && untouched b "$eb"
}

T1=
one_board_alone_for_reference() {
    local t0 t1
    t0=$(date +%s%N)
    "$IAP" -q flash "$BIG" "${OPTS[@]}" -p "$(p d)" >"$E2E_TMP/one.out" 2>&1 ||
        { say "exit $?: $(cat "$E2E_TMP/one.out")"; return 1; }
    t1=$(date +%s%N)
    T1=$(((t1 - t0) / 1000000))
    echo "one board: $T1 ms" >>"$E2E_TMP/figures"
}

T4=
MULTI_RC=
four_boards_at_once_one_killed_mid_transfer() {
    local t0 t1 pid
    t0=$(date +%s%N)
    "$IAP" flash "$BIG" "${OPTS[@]}" --json -p "$(p a)" -p "$(p b)" -p "$(p c)" -p "$(p d)" \
        >"$E2E_TMP/multi.json" 2>"$E2E_TMP/multi.err" &
    pid=$!
    # board c: cut once its transfer is under way (a few pages erased; up to 20 s on a loaded
    # machine)
    for _ in $(seq 400); do
        [ "$(grep -c "page erase" "$E2E_TMP/c.log" 2>/dev/null)" -ge 4 ] && break
        sleep 0.05
    done
    board_stop c
    MULTI_RC=0
    wait $pid || MULTI_RC=$?
    t1=$(date +%s%N)
    T4=$(((t1 - t0) / 1000000))
    echo "four boards (one cut): $T4 ms" >>"$E2E_TMP/figures"
    [ "$MULTI_RC" -ne 0 ] || { say "exit 0 with a board cut"; return 1; }
}

# field JSON-LINE NAME: a member's value.
field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print(json.dumps(v) if isinstance(v,bool) else v)' "$1" "$2"; }

json_has_one_object_per_board() {
    local b line
    [ "$(grep -c '"event":"board"' "$E2E_TMP/multi.json")" -eq 4 ] ||
        { say "$(cat "$E2E_TMP/multi.json")"; return 1; }
    for b in a b d; do
        line=$(grep "\"port\":\"$(p $b)\"" "$E2E_TMP/multi.json")
        [ "$(field "$line" result)" = ok ] && [ "$(field "$line" exit)" = 0 ] &&
            [ "$(field "$line" bytes)" = 32768 ] && [ "$(field "$line" size)" = 32768 ] ||
            { say "board $b: $line"; return 1; }
    done
    line=$(grep "\"port\":\"$(p c)\"" "$E2E_TMP/multi.json")
    [ "$(field "$line" result)" = error ] || { say "board c: $line"; return 1; }
    # cut mid-way: it had started writing, and did not finish
    [ "$(field "$line" bytes)" -gt 0 ] && [ "$(field "$line" bytes)" -lt 32768 ] ||
        { say "board c was not cut mid-way: $line"; return 1; }
    line=$(grep '"event":"summary"' "$E2E_TMP/multi.json")
    [ "$(field "$line" ok)" = 3 ] && [ "$(field "$line" failed)" = 1 ] || { say "summary: $line"; return 1; }
}

exit_status_is_the_failing_boards() {
    local line
    line=$(grep "\"port\":\"$(p c)\"" "$E2E_TMP/multi.json")
    [ "$MULTI_RC" = "$(field "$line" exit)" ] || { say "exit $MULTI_RC, board c's $(field "$line" exit)"; return 1; }
    case $MULTI_RC in 4 | 6) ;; *) say "exit $MULTI_RC for a board that vanished"; return 1 ;; esac
    # its one line, and the run's
    grep -q "^iap: $(p c): " "$E2E_TMP/multi.err" && grep -q "^iap: 1 of 4 boards failed" "$E2E_TMP/multi.err" ||
        { say "stderr: $(cat "$E2E_TMP/multi.err")"; return 1; }
}

other_three_boards_run_the_new_image() {
    local b
    for b in a b d; do
        uart_expect $b "app v1 tick" 3 || { say "board $b does not run app v1"; return 1; }
    done
}

boards_were_flashed_at_the_same_time() {
    # Sequential transfers would end the last board no earlier than the sum of their transfer
    # times; at the same time, it ends after about one (a measure that holds on a loaded machine).
    python3 - "$E2E_TMP/multi.json" >&3 <<'PY' || return 1
import json, sys
boards = [json.loads(l) for l in open(sys.argv[1]) if '"event":"board"' in l]
ok = [b for b in boards if b["result"] == "ok"]
last_end = max(b["seconds"] for b in ok)
transfers = sum(b["transfer_seconds"] for b in ok)
print("the last of %d boards done %.1f s after the start; their transfers %.1f s in all"
      % (len(ok), last_end, transfers))
sys.exit(0 if last_end < 0.75 * transfers else 1)
PY
}

verify_of_three_boards_prints_the_table() {
    "$IAP" verify "$BIG" -p "$(p a)" -p "$(p b)" -p "$(p d)" >"$E2E_TMP/verify.out" 2>"$E2E_TMP/verify.err" ||
        { say "exit $?: $(cat "$E2E_TMP/verify.err")"; return 1; }
    head -n 1 "$E2E_TMP/verify.out" | grep -q "^board .*result .*seconds .*bytes" &&
        [ "$(grep -c " ok .* 32768  CRC 0x[0-9a-f]* matches" "$E2E_TMP/verify.out")" -eq 3 ] &&
        grep -q "^3 of 3 boards verified" "$E2E_TMP/verify.out" ||
        { say "table: $(cat "$E2E_TMP/verify.out")"; return 1; }
    # not a terminal: each board's progress as plain lines, ending with its result
    local b
    for b in a b d; do
        grep -q "^$(p $b) *done in" "$E2E_TMP/verify.err" ||
            { say "no progress line for $b: $(cat "$E2E_TMP/verify.err")"; return 1; }
    done
}

missing_port_among_real_ones_fails_alone() {
    local rc=0
    "$IAP" info -p "$(p a)" -p /dev/ttyNOPE7 -p "$(p b)" >"$E2E_TMP/info.out" 2>"$E2E_TMP/info.err" || rc=$?
    [ $rc -eq 4 ] || { say "exit $rc: $(cat "$E2E_TMP/info.err")"; return 1; }
    grep -q "^iap: /dev/ttyNOPE7: port /dev/ttyNOPE7 does not exist" "$E2E_TMP/info.err" ||
        { say "stderr: $(cat "$E2E_TMP/info.err")"; return 1; }
    [ "$(grep -c " ok .*app 32768 bytes" "$E2E_TMP/info.out")" -eq 2 ] &&
        grep -q "^/dev/ttyNOPE7 *exit 4" "$E2E_TMP/info.out" ||
        { say "table: $(cat "$E2E_TMP/info.out")"; return 1; }
}

if ! setup; then
    echo "FAIL setup"
    echo "0 passed, 1 failed"
    exit 1
fi
check same_port_twice_is_a_usage_error_and_nothing_is_flashed same_port_twice_is_a_usage_error_and_nothing_is_flashed
check same_port_under_another_name_is_named_twice same_port_under_another_name_is_named_twice
check several_ports_for_a_one_port_command_is_a_usage_error several_ports_for_a_one_port_command_is_a_usage_error
check bad_file_is_refused_before_any_port bad_file_is_refused_before_any_port
one_board_alone_for_reference 3>&2
four_boards_at_once_one_killed_mid_transfer 3>&2
check json_has_one_object_per_board json_has_one_object_per_board
check exit_status_is_the_failing_boards exit_status_is_the_failing_boards
check other_three_boards_run_the_new_image other_three_boards_run_the_new_image
check boards_were_flashed_at_the_same_time boards_were_flashed_at_the_same_time
check verify_of_three_boards_prints_the_table verify_of_three_boards_prints_the_table
check missing_port_among_real_ones_fails_alone missing_port_among_real_ones_fails_alone
cat "$E2E_TMP/figures"
for b in a b d; do board_stop $b; done
e2e_summary
