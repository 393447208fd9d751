#!/usr/bin/env bash
# Runs each test command given as an argument. Every command prints "N passed, N failed" as its
# last such line; a command that crashes or prints none counts as one failure.
# Ends with the totals: "N passed, N failed".
# TEST_JOBS=N (default 2, the CI machine's cores): N commands at a time, each one's output printed
# whole when it ends. The board tests run the emulator in real time, which mostly waits for the
# wall clock, so two of them share a core well; TEST_JOBS=1 runs them one by one, in order.
set -u
jobs=${TEST_JOBS:-2}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: TEST_JOBS must be a number >= 1" >&2; exit 2; }
total_pass=0
total_fail=0
failed_cmds=()
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
declare -A cmd_of=() start_of=()

# The totals of one finished command, from its output file and exit status.
account() { # IDX RC
    local i=$1 rc=$2 t=${cmd_of[$1]} out=$work/$1.out line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "--- $t: exit $rc and no summary line: counted as 1 failure"
        total_fail=$((total_fail + 1)); failed_cmds+=("$t"); return
    fi
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    [ "$f" -eq 0 ] || failed_cmds+=("$t")
    echo "--- $t: $p passed, $f failed ($(($(date +%s) - ${start_of[$i]})) s)"
}

if [ "$jobs" -eq 1 ]; then
    i=0
    for t in "$@"; do
        i=$((i + 1)); cmd_of[$i]=$t; start_of[$i]=$(date +%s)
        echo "=== $t"
        bash -c "$t" 2>&1 | tee "$work/$i.out"
        account "$i" "${PIPESTATUS[0]}"
    done
else
    # Each command in the background, its output to a file; its exit status to $i.rc once done.
    declare -A running=()
    finish_one() {
        local i
        while :; do
            for i in "${!running[@]}"; do
                if [ -e "$work/$i.rc" ]; then
                    wait "${running[$i]}" 2>/dev/null
                    unset "running[$i]"
                    echo "=== ${cmd_of[$i]}"
                    cat "$work/$i.out"
                    account "$i" "$(cat "$work/$i.rc")"
                    return
                fi
            done
            sleep 0.2
        done
    }
    i=0
    for t in "$@"; do
        while [ ${#running[@]} -ge "$jobs" ]; do finish_one; done
        i=$((i + 1)); cmd_of[$i]=$t; start_of[$i]=$(date +%s)
        (bash -c "$t" >"$work/$i.out" 2>&1 </dev/null; echo $? >"$work/$i.rc.tmp"
         mv "$work/$i.rc.tmp" "$work/$i.rc") &
        running[$i]=$!
    done
    while [ ${#running[@]} -gt 0 ]; do finish_one; done
fi
if [ ${#failed_cmds[@]} -gt 0 ]; then
    echo "failing: ${failed_cmds[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
