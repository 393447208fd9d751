#!/usr/bin/env bash
# Runs the libFuzzer harnesses build/fuzz/fuzz_NAME (default: every one built), each for
# FUZZ_SLICE seconds (default 12), FUZZ_JOBS at a time (default: the number of CPUs).
# First each harness replays its crash regressions (tests/fuzz/regress/NAME/*: inputs that
# crashed once, must not any more). A harness passes when libFuzzer ran to its time limit with no
# crash, leak, timeout or failed oracle; new crash inputs land in build/fuzz/artifacts/NAME/.
# Corpus: tests/fuzz/corpus/NAME (kept seeds, read only) + build/fuzz/corpus/NAME (what runs
# found, kept between runs, not committed). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
SLICE=${FUZZ_SLICE:-12}
JOBS=${FUZZ_JOBS:-$(nproc)}
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for b in build/fuzz/fuzz_*; do [ -x "$b" ] && names+=("${b#build/fuzz/fuzz_}"); done
fi
log=build/fuzz/logs
mkdir -p "$log"
pass=0
fail=0

replay() { # name: every regression input once; prints one result line
    local n=$1 dir=tests/fuzz/regress/$1
    local files=("$dir"/*)
    [ -e "${files[0]}" ] || return 0
    if build/fuzz/fuzz_"$n" "${files[@]}" >"$log/$n.regress" 2>&1; then
        echo "ok fuzz_${n}_regressions: ${#files[@]} crash inputs replayed clean"
    else
        echo "FAIL fuzz_${n}_regressions: see $log/$n.regress"
        grep -E "ERROR|oracle failed|runtime error" "$log/$n.regress" | head -3
    fi
}

run() { # name
    local n=$1
    mkdir -p build/fuzz/corpus/"$n" build/fuzz/artifacts/"$n"
    local seeds=tests/fuzz/corpus/$n
    [ -d "$seeds" ] || seeds=
    build/fuzz/fuzz_"$n" -max_total_time="$SLICE" -max_len=8192 -timeout=25 -print_final_stats=1 \
        -artifact_prefix=build/fuzz/artifacts/"$n"/ build/fuzz/corpus/"$n" $seeds \
        >"$log/$n.log" 2>&1
    echo $? >"$log/$n.rc"
}

result() { # name: one line from the log
    local n=$1 rc execs secs cov corpus
    rc=$(cat "$log/$n.rc")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log/$n.log")
    [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log/$n.log" | tail -n 1 | tr -d '#')
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log/$n.log")
    cov=$(grep -oE 'cov: [0-9]+' "$log/$n.log" | tail -n 1)
    corpus=$(find build/fuzz/corpus/"$n" -type f | wc -l)
    if [ "$rc" != 0 ] && grep -q "libFuzzer: timeout" "$log/$n.log"; then
        # A unit that hit -timeout on a loaded machine: a real hang hangs again when replayed
        # alone; one that replays in well under a second was starved of CPU, not stuck.
        local t start ms
        t=$(ls -t build/fuzz/artifacts/"$n"/timeout-* 2>/dev/null | head -n 1)
        start=$(date +%s%N)
        if [ -n "$t" ] && timeout 30 build/fuzz/fuzz_"$n" "$t" >/dev/null 2>&1; then
            ms=$((($(date +%s%N) - start) / 1000000))
            if [ "$ms" -lt 2000 ]; then
                echo "ok fuzz_$n: a unit timed out under CPU load and replays in $ms ms" \
                     "(not a hang; $(basename "$t") removed), ${execs:-?} executions before"
                rm -f "$t"
                return
            fi
        fi
    fi
    if [ "$rc" = 0 ] && grep -q "^stat::number_of_executed_units" "$log/$n.log"; then
        echo "ok fuzz_$n: $execs executions in ${secs:-?} s, ${cov:-cov: ?} edges," \
             "corpus $corpus, 0 findings"
    else
        echo "FAIL fuzz_$n: exit $rc, finding in build/fuzz/artifacts/$n/ (log $log/$n.log)"
        grep -E "ERROR: |oracle failed|runtime error|SUMMARY" "$log/$n.log" | head -5
        ls build/fuzz/artifacts/"$n"/ | tail -n 3
    fi
}

count() { # reads result lines, updates the totals
    while IFS= read -r line; do
        echo "$line"
        case "$line" in ok\ *) pass=$((pass + 1)) ;; FAIL\ *) fail=$((fail + 1)) ;; esac
    done
}

for n in "${names[@]}"; do
    if [ ! -x build/fuzz/fuzz_"$n" ]; then
        echo "FAIL fuzz_$n: build/fuzz/fuzz_$n not built"
        fail=$((fail + 1))
        continue
    fi
    count < <(replay "$n")
done

echo "fuzzing ${#names[@]} harnesses for $SLICE s each, $JOBS at a time"
running=0
for n in "${names[@]}"; do
    [ -x build/fuzz/fuzz_"$n" ] || continue
    run "$n" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
for n in "${names[@]}"; do
    [ -x build/fuzz/fuzz_"$n" ] || continue
    count < <(result "$n")
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
