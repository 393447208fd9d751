#!/usr/bin/env bash
# Every Wycheproof Ed25519 case through the bootloader's verifier as the Cortex-M3 runs it: the
# Thumb-2 objects of boot/crypto on the virtual board (tests/crypto/vectors_fw.c), the cases
# loaded into its flash as a blob (tests/crypto/wp_blob.c, from ../shared/vectors or $IAP_VECTORS).
# Then the same with one valid and one invalid case's expectation flipped: the firmware must name
# exactly that case, so its comparison can fail.
#   tests/crypto/test_ed25519_fw.sh [BUILD_DIR]      Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${1:-${BUILD:-build}}
EMU=$B/stm32emu
FW=$B/crypto-fw/vectors_fw.elf
BLOB=$B/tests/wp_blob
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# run BLOBFILE: the board's UART in $T/out, its exit status returned
run() {
    rm -f "$T/flash.bin"
    timeout 300 "$EMU" --flash "$T/flash.bin" --load "$FW" --load "$1@0x08008000" --uart stdio \
        --stop-on-bkpt --stop-after 600000 </dev/null >"$T/out" 2>"$T/err"
}

if ! read -r n valid invalid < <("$BLOB" "$T/all.bin"); then
    echo "FAIL the Wycheproof file could not be read (IAP_VECTORS=${IAP_VECTORS:-unset})"
    echo "0 passed, 1 failed"
    exit 1
fi
end=$(arm-none-eabi-nm "$FW" | awk '$3 == "_sidata" { print $1 }')
if [ -n "$end" ] && [ $((16#$end)) -lt $((0x08008000)) ]; then
    ok firmware_ends_below_the_blob
else
    bad firmware_ends_below_the_blob "_sidata at 0x${end:-?}"
fi

run "$T/all.bin"
rc=$?
line=$(tr -d '\r' <"$T/out" | grep '^cases ')
if [ "$rc" -eq 0 ] && [ "$line" = "cases $n agree $n disagree 0 max_cycles ${line##* }" ]; then
    ok "every_one_of_the_${n}_cases_gives_its_expected_result_on_the_cortex_m3"
    echo "  $line (the longest verification: $(awk "BEGIN { printf \"%.1f\", ${line##* } / 72000 }") ms at 72 MHz, one cycle an instruction)"
else
    bad every_case_gives_its_expected_result "exit $rc: $(tr -d '\r' <"$T/out" | tail -n 5) $(tail -n 3 "$T/err")"
fi

for tc in "$valid" "$invalid"; do
    "$BLOB" "$T/flip.bin" --flip "$tc" >/dev/null || { bad "flipped_case_$tc" "wp_blob failed"; continue; }
    run "$T/flip.bin"
    rc=$?
    out=$(tr -d '\r' <"$T/out")
    if [ "$rc" -eq 1 ] && echo "$out" | grep -q "^tc $tc: got" &&
        [ "$(echo "$out" | grep -c '^tc ')" -eq 1 ] && echo "$out" | grep -q " disagree 1 "; then
        ok "a_flipped_expectation_of_case_${tc}_is_reported_alone"
    else
        bad "a_flipped_expectation_of_case_${tc}_is_reported_alone" "exit $rc: $out"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
