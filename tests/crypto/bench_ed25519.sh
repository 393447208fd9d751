#!/usr/bin/env bash
# Cost of the SECURE bootloader's signature check: runs tests/crypto/bench_ed25519_fw.c on the
# virtual board and prints cycles and the time at 64 and 72 MHz for SHA-512 and for verifying
# RFC 8032 TEST 1 and a 48 KB message, the stack the verification used, and the Thumb-2 code
# size (-Os) of ed25519.o + sha512.o.
# The board counts one cycle per instruction (tests/emu/fw/core_cycles.c checks that); a
# Cortex-M3 needs more for multiplies, loads and taken branches, so an estimate for the real part
# follows (see below).
# The build directory is the first argument, else $BUILD, else build. Ends with
# "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${1:-${BUILD:-build}}
EMU=$B/stm32emu
FW=$B/crypto-fw/bench_ed25519.elf
OBJS=("$B/arm/crypto/boot/crypto/ed25519.o" "$B/arm/crypto/boot/crypto/sha512.o")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

for f in "$EMU" "$FW" "${OBJS[@]}"; do
    if [ ! -e "$f" ]; then
        echo "FAIL $f missing (make BUILD=$B crypto $EMU)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

timeout 300 "$EMU" --flash "$T/flash.bin" --load "$FW" --uart stdio --stop-on-bkpt \
    --stop-after 600000 </dev/null >"$T/out" 2>"$T/err"
rc=$?
tr -d '\r' <"$T/out" >"$T/res"
val() { sed -n "s/^$1 \([0-9]*\)$/\1/p" "$T/res"; }
if [ "$rc" -ne 0 ] || ! grep -q "^bench ok" "$T/res"; then
    bad bench_firmware_runs "exit $rc (16 + line: a FW_CHECK failed);" \
        "$(tail -n 3 "$T/res" "$T/err" | tr '\n' ' ')"
    echo "$pass passed, $fail failed"
    exit 1
fi
ok bench_firmware_verifies_rfc_test_1_and_the_48k_message
cal=$(val calibration_20000_instructions_cycles)
if [ -n "$cal" ] && [ "$cal" -ge 19992 ] && [ "$cal" -le 20008 ]; then
    ok board_counts_one_cycle_per_instruction
else
    bad board_counts_one_cycle_per_instruction "a 20000-instruction loop measured ${cal:-?} cycles"
fi

# time at a clock: cycles -> ms with two decimals
ms() { awk -v c="$1" -v mhz="$2" 'BEGIN { printf "%.2f", c / (mhz * 1000) }'; }
row() { # label cycles
    printf "%-34s %10d cycles  %8s ms at 64 MHz  %8s ms at 72 MHz\n" "$1" "$2" "$(ms "$2" 64)" \
        "$(ms "$2" 72)"
}
echo "--- board figures (1 instruction = 1 cycle)"
row "SHA-512(\"abc\")" "$(val sha512_abc_cycles)"
row "SHA-512 of 48 KB" "$(val sha512_48k_cycles)"
row "verify RFC 8032 TEST 1 (one call)" "$(val verify_rfc1_cycles)"
row "verify 48 KB streamed: init" "$(val verify_48k_init_cycles)"
row "                       updates" "$(val verify_48k_update_cycles)"
row "                       final" "$(val verify_48k_final_cycles)"
row "                       total" "$(val verify_48k_cycles)"
echo "stack: $(val verify_rfc1_stack_bytes) bytes for ed25519_verify (context included)," \
     "$(val verify_final_stack_bytes) for ed25519_verify_final," \
     "$(val verify_update_stack_bytes) for ed25519_verify_update"
if [ "$(val verify_rfc1_stack_bytes)" -le 3072 ]; then
    ok verification_stack_within_3_kb
else
    bad verification_stack_within_3_kb "$(val verify_rfc1_stack_bytes) bytes"
fi

# Cortex-M3 estimate: the board counts instructions; the M3 takes longer for some (TRM table
# 18-1): UMULL 3-5 and UMLAL 4-7 cycles (full 32-bit operands: taken as 4 and 6), LDR/STR 2,
# LDRD/STRD 3, LDM/STM/PUSH/POP 1 + N, branches 2 (1 not taken, 3 taken). The cycles per
# instruction of fe_mul (straight-line, most of the curve arithmetic) are applied to the curve
# part, those of sha512_block to the hashing. Flash wait states (2 at 72 MHz, mostly hidden by
# the prefetch buffer) are not modelled.
cpi() { # object function
    arm-none-eabi-objdump -d "$1" | awk -v fn="<$2>:" '
        index($0, fn) { on = 1; next }
        on && /^$/ { on = 0 }
        on && /^ +[0-9a-f]+:\t/ {
            split($0, f, "\t"); op = f[3]; sub(/[. ].*/, "", op); n++
            if (op ~ /^(umlal|smlal)/) c += 6
            else if (op ~ /^(umull|smull)/) c += 4
            else if (op ~ /^(ldrd|strd)/) c += 3
            else if (op ~ /^(ldr|str)/) c += 2
            else if (op ~ /^(ldm|stm|push|pop)/) c += 2 + gsub(/,/, ",", f[4])
            else if (op ~ /^(b|bl|bx|blx|cbz|cbnz)$/) c += 2
            else if (op ~ /^b(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)$/) c += 2
            else c += 1
        }
        END { if (n) printf "%.2f", c / n; else print "1.00" }'
}
obj=$B/arm/crypto/boot/crypto/ed25519.o
cpi_mul=$(cpi "$obj" fe_mul)
cpi_sha=$(cpi "$B/arm/crypto/boot/crypto/sha512.o" sha512_block)
est() { awk -v c="$1" -v k="$2" 'BEGIN { printf "%d", c * k }'; }
echo "--- Cortex-M3 estimate: $cpi_mul cycles per instruction in fe_mul, $cpi_sha in sha512_block"
row "verify RFC 8032 TEST 1, estimated" "$(est "$(val verify_rfc1_cycles)" "$cpi_mul")"
row "SHA-512 of 48 KB, estimated" "$(est "$(val sha512_48k_cycles)" "$cpi_sha")"
hashing=$(( $(val verify_48k_init_cycles) + $(val verify_48k_update_cycles) ))
est48=$(( $(est "$(val verify_48k_final_cycles)" "$cpi_mul") + $(est "$hashing" "$cpi_sha") ))
row "verify 48 KB, estimated" "$est48"
if [ "$est48" -le 72000000 ]; then
    ok verification_of_48k_within_1_s_at_72_mhz_even_estimated
else
    bad verification_of_48k_within_1_s_at_72_mhz_even_estimated "$est48 cycles"
fi

echo "--- Thumb-2 code size (-Os), text includes read-only data"
arm-none-eabi-size "${OBJS[@]}"
total=$(arm-none-eabi-size "${OBJS[@]}" | awk 'NR > 1 { t += $1 + $2 } END { print t }')
echo "verifier + SHA-512: $total bytes"
if [ "$total" -le 6144 ]; then
    ok code_size_within_6_kb
else
    bad code_size_within_6_kb "$total bytes"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
