#!/usr/bin/env bash
# The SECURE=1 bootloader (build/secure/boot.elf, test key) on the virtual board: signed v1 then
# signed v2 run; unsigned, another key, one flipped bit, truncated and downgraded images are each
# refused by iap before flash is touched (v2 keeps running), and by the bootloader itself when
# iap is told to send them anyway (--force: the board then waits in IAP mode, and a good image
# still goes in). Usage: tests/e2e/test_iap_secure.sh [BUILD_DIR]. "N passed, N failed" last.
set -u
BUILD=${1:-${BUILD:-build}}
cd "$(dirname "$0")/../.." || exit 1
BOOT_ELF=$BUILD/secure/boot.elf
. tests/e2e/lib.sh

B=s
PORT=$(board_port $B)
KEY=$BUILD/keys/test-key.pem
OTHER=$BUILD/keys/other-key.pem
S=$E2E_TMP

sign() { # IN VERSION KEY OUT
    "$IAP" -q sign --key "$3" --version "$2" "$1" -o "$4"
}
sign "$BUILD/secure/app-v1.elf" 1 "$KEY" "$S/v1.bin" &&
    sign "$BUILD/secure/app-v2.elf" 2 "$KEY" "$S/v2.bin" &&
    sign "$BUILD/secure/app-v2.elf" 3 "$OTHER" "$S/other.bin" &&
    sign "$BUILD/secure/app-v1.elf" 3 "$KEY" "$S/v1-as-3.bin" || { echo "FAIL signing"; exit 1; }
python3 - "$S" <<'PY'
import sys
d = sys.argv[1]
v2 = bytearray(open(d + "/v2.bin", "rb").read())
for name, at in (("flip-code.bin", 300), ("flip-trailer.bin", len(v2) - 70), ("flip-sig.bin", len(v2) - 5)):
    b = bytearray(v2)
    b[at] ^= 0x04
    open(d + "/" + name, "wb").write(b)
open(d + "/cut.bin", "wb").write(v2[:-8])
PY

iap_says() { # EXIT TEXT ARGS...
    local want=$1 text=$2 rc
    shift 2
    "$IAP" "$@" >"$S/iap.out" 2>"$S/iap.err"
    rc=$?
    [ "$rc" -eq "$want" ] || { say "exit $rc, want $want: $(cat "$S/iap.err")"; return 1; }
    grep -q -F -- "$text" "$S/iap.err" || { say "no '$text' in: $(cat "$S/iap.err")"; return 1; }
}
runs() { uart_expect $B "app v$1 tick" 4 || { say "app v$1 does not run"; return 1; }; }

flash_v1() {
    board_start $B || return 1
    "$IAP" -p "$PORT" -q flash "$S/v1.bin" >"$S/iap.err" 2>&1 || { say "$(cat "$S/iap.err")"; return 1; }
    runs 1
}
flash_v2_raises_the_floor() {
    "$IAP" -p "$PORT" -q flash "$S/v2.bin" >"$S/iap.err" 2>&1 || { say "$(cat "$S/iap.err")"; return 1; }
    runs 2 || return 1
    "$IAP" -p "$PORT" info >"$S/info.out" 2>&1 || { say "$(cat "$S/info.out")"; return 1; }
    grep -q "secure:        signed images only, key [0-9a-f]\{16\}, version floor 2" "$S/info.out" ||
        { say "info: $(cat "$S/info.out")"; return 1; }
    grep -q "application:   valid, .* version 2" "$S/info.out" || { say "info: $(cat "$S/info.out")"; return 1; }
}
refused_keeping_v2() { iap_says "$@" && runs 2; }

check signed_v1_runs_from_0x08004000 flash_v1
check signed_v2_replaces_it_and_raises_the_floor flash_v2_raises_the_floor
check unsigned_image_refused_before_any_erase \
    refused_keeping_v2 3 "is not signed" -p "$PORT" flash "$BUILD/secure/app-v2.bin"
check image_signed_with_another_key_refused \
    refused_keeping_v2 3 "is signed with key" -p "$PORT" flash "$S/other.bin"
check flipped_bit_in_the_code_refused \
    refused_keeping_v2 3 "the signature does not verify" -p "$PORT" flash "$S/flip-code.bin"
check flipped_bit_in_the_trailer_refused \
    refused_keeping_v2 3 "flip-trailer.bin" -p "$PORT" flash "$S/flip-trailer.bin"
check flipped_bit_in_the_signature_refused \
    refused_keeping_v2 3 "the signature does not verify" -p "$PORT" flash "$S/flip-sig.bin"
check truncated_image_refused \
    refused_keeping_v2 3 "cut.bin" -p "$PORT" flash "$S/cut.bin"
check downgrade_to_v1_refused \
    refused_keeping_v2 3 "below the device's version floor 2" -p "$PORT" flash "$S/v1.bin"

# The bootloader's own refusals: the first write gave the old image up; IAP mode until a good one.
device_refuses() { # TEXT FILE
    iap_says 7 "$1" -p "$PORT" --force flash "$2" || return 1
    "$IAP" -p "$PORT" info >"$S/info.out" 2>&1 && grep -q "application:   none" "$S/info.out" ||
        { say "after the refusal: $(cat "$S/info.out")"; return 1; }
}
check device_refuses_unsigned_at_commit device_refuses "E_UNSIGNED" "$BUILD/secure/app-v2.bin"
check device_refuses_another_key_at_commit device_refuses "E_SIG_KEY" "$S/other.bin"
check device_refuses_a_flipped_bit_at_commit device_refuses "E_SIG " "$S/flip-code.bin"
check device_refuses_a_downgrade_at_commit device_refuses "E_ROLLBACK" "$S/v1.bin"
back_to_v1_at_version_3() {
    "$IAP" -p "$PORT" -q flash "$S/v1-as-3.bin" >"$S/iap.err" 2>&1 || { say "$(cat "$S/iap.err")"; return 1; }
    runs 1 && boots_into "$S/$B.img" "stm32-iap demo app v1"
}
check v1_re_signed_as_version_3_goes_in_after_the_refusals back_to_v1_at_version_3
board_stop $B
e2e_summary
