#!/usr/bin/env bash
# Staged updates with the signed build (STAGED=1 SECURE=1, $BUILD/staged-secure, the test key) on
# the virtual board (f103cb): the bootloader verifies a staged image's signature before it
# installs it. A signed v2 is installed, confirms, and the version floor rises with it; an
# unsigned image, one signed with another key, one with a flipped bit and a downgrade are each
# refused at install, before any page moves: v2 keeps running and the application is told (the
# trailer's result, which iap reports).
#   tests/e2e/test_staged_secure.sh [BUILD_DIR]
set -u
BUILD=${1:-${BUILD:-build}}
export BUILD
cd "$(dirname "$0")/../.." || exit 1
SS=$BUILD/staged-secure
BOOT_ELF=$SS/boot.elf
. tests/e2e/lib.sh
BOARD_EMU_ARGS=(--part f103cb --usart 1)
KEY=$BUILD/keys/test-key.pem
OTHER=$BUILD/keys/other-key.pem
S=$E2E_TMP

sign() { "$IAP" -q sign --key "$3" --version "$2" "$1" -o "$4"; } # IN VERSION KEY OUT
sign "$SS/app-v1.elf" 1 "$KEY" "$S/v1.bin" &&
    sign "$SS/app-v2.elf" 2 "$KEY" "$S/v2.bin" &&
    sign "$SS/app-v3.elf" 3 "$OTHER" "$S/other.bin" &&
    sign "$SS/app-v1.elf" 1 "$KEY" "$S/v1-again.bin" || { echo "FAIL signing"; exit 1; }
cp "$SS/app-v3.bin" "$S/unsigned.bin"
sign "$SS/app-v3.elf" 3 "$KEY" "$S/v3.bin" &&
    python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[300] ^= 4; open(sys.argv[2], "wb").write(b)' \
        "$S/v3.bin" "$S/flipped.bin" || { echo "FAIL flipping"; exit 1; }

stage() { "$BUILD/staged/iap-staged" -p "$(board_port s)" "$@"; }
json_num() { sed -n "s/.*\"$1\":\\([0-9-]*\\).*/\\1/p" | head -n 1; }
json_str() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }

signed_v1_runs() {
    board_start s || return 1
    "$IAP" -q -p "$(board_port s)" flash "$S/v1.bin" || { say "iap flash v1"; return 1; }
    uart_expect s "app v1 tick" 10 || { say "no v1 tick"; return 1; }
}

signed_v2_is_installed_confirms_and_raises_the_floor() {
    local out st
    out=$(stage --app-version 2 --wait-confirm flash "$S/v2.bin" 2>&1) || { say "$out"; return 1; }
    echo "$out" | grep -q "installed, confirmed" || { say "$out"; return 1; }
    st=$(stage --json status) || return 1
    [ "$(echo "$st" | json_num running_version)" = 2 ] || { say "$st"; return 1; }
    # the floor rises at the reset after the confirm: iap info reboots the application for it
    out=$("$IAP" -p "$(board_port s)" --json info 2>&1) || { say "$out"; return 1; }
    [ "$(echo "$out" | json_num version_floor)" = 2 ] || { say "floor: $out"; return 1; }
    "$IAP" -q -p "$(board_port s)" reset || return 1
    uart_expect s "app v2 tick" 10 || { say "no v2 tick"; return 1; }
}

# FILE STATUS NAME: staged, requested, refused at install with STATUS; v2 keeps running.
refused_at_install() {
    local file=$1 want=$2 name=$3 out rc st
    out=$(stage --app-version 3 flash "$file" 2>&1)
    rc=$?
    [ $rc -eq 7 ] || { say "exit $rc: $out"; return 1; }
    echo "$out" | grep -q "the bootloader refused the staged image: $name" || { say "$out"; return 1; }
    st=$(stage --json status) || return 1
    [ "$(echo "$st" | json_num result)" = "$want" ] || { say "$st"; return 1; }
    [ "$(echo "$st" | json_num running_version)" = 2 ] || { say "$st"; return 1; }
    [ "$(echo "$st" | json_str state)" = CONFIRMED ] || { say "$st"; return 1; }
}

check signed_v1_runs signed_v1_runs
check signed_v2_is_installed_confirms_and_raises_the_floor \
    signed_v2_is_installed_confirms_and_raises_the_floor
check an_unsigned_image_is_refused_at_install_and_the_application_told \
    refused_at_install "$S/unsigned.bin" -15 E_UNSIGNED
check an_image_signed_with_another_key_is_refused_at_install \
    refused_at_install "$S/other.bin" -16 E_SIG_KEY
check an_image_with_a_flipped_bit_is_refused_at_install \
    refused_at_install "$S/flipped.bin" -17 E_SIG
check a_downgrade_below_the_floor_is_refused_at_install \
    refused_at_install "$S/v1-again.bin" -18 E_ROLLBACK
board_stop s
e2e_summary
