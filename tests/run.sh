#!/usr/bin/env bash
# Runs each test command given as an argument. Every command prints "N passed, N failed" as its
# last such line; a command that crashes or prints none counts as one failure.
# Ends with the totals: "N passed, N failed".
set -u
total_pass=0
total_fail=0
failed_cmds=()
for t in "$@"; do
    echo "=== $t"
    out=$(mktemp)
    start=$(date +%s)
    bash -c "$t" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    rm -f "$out"
    if [ -z "$line" ]; then
        echo "--- $t: exit $rc and no summary line: counted as 1 failure"
        total_fail=$((total_fail + 1)); failed_cmds+=("$t"); continue
    fi
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    [ "$f" -eq 0 ] || failed_cmds+=("$t")
    echo "--- $t: $p passed, $f failed ($(( $(date +%s) - start )) s)"
done
if [ ${#failed_cmds[@]} -gt 0 ]; then
    echo "failing: ${failed_cmds[*]}"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
