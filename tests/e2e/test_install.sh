#!/usr/bin/env bash
# make install and make uninstall (host/install.mk): into DESTDIR/PREFIX, every file where it
# belongs; the example built against the installed libiap with pkg-config, shared and static, and
# run against the real bootloader on the virtual board; the man page renders without warnings; the
# bash completion completes; uninstall removes every file it installed.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

B=inst
PORT=$(board_port $B)
APP="$APP_DIR/app-v"
PFX=$E2E_TMP/prefix
DEST=$E2E_TMP/dest
EXAMPLE=examples/libiap/flash_demo.c

installs() { # installs LOG make-variables...
    local log=$1
    shift
    make --no-print-directory BUILD="$BUILD" "$@" install >"$E2E_TMP/$log" 2>&1 ||
        { say "make install: $(tail -n 3 "$E2E_TMP/$log")"; return 1; }
}

# files DIR: every file and link under DIR, relative, sorted.
files() { (cd "$1" && find . ! -type d | sed 's|^\./||' | sort); }

install_puts_every_file_under_destdir_and_prefix() {
    installs destdir.log DESTDIR="$DEST" PREFIX=/usr || return 1
    local want got
    want=$(printf '%s\n' usr/bin/iap usr/include/iap.h usr/lib/libiap.a usr/lib/libiap.so \
        usr/lib/libiap.so.1 usr/lib/libiap.so.1.0.0 usr/lib/pkgconfig/iap.pc \
        usr/share/bash-completion/completions/iap usr/share/man/man1/iap.1 | sort)
    got=$(files "$DEST")
    [ "$got" = "$want" ] || { say "installed: $(echo "$got" | tr '\n' ' ')"; return 1; }
    [ "$(readlink "$DEST/usr/lib/libiap.so.1")" = libiap.so.1.0.0 ] &&
        [ "$(readlink "$DEST/usr/lib/libiap.so")" = libiap.so.1.0.0 ] ||
        { say "soname links: $(ls -l "$DEST/usr/lib" | tr '\n' ' ')"; return 1; }
    grep -qx 'prefix=/usr' "$DEST/usr/lib/pkgconfig/iap.pc" ||
        { say "iap.pc: $(head -n 3 "$DEST/usr/lib/pkgconfig/iap.pc")"; return 1; }
    [ -x "$DEST/usr/bin/iap" ] && "$DEST/usr/bin/iap" --version | grep -q '^iap ' ||
        { say "the installed iap does not run"; return 1; }
}

uninstall_from_destdir_leaves_no_file() {
    make --no-print-directory BUILD="$BUILD" DESTDIR="$DEST" PREFIX=/usr uninstall \
        >"$E2E_TMP/un1.log" 2>&1 || { say "make uninstall: $(tail -n 3 "$E2E_TMP/un1.log")"; return 1; }
    [ -z "$(files "$DEST")" ] || { say "left: $(files "$DEST" | tr '\n' ' ')"; return 1; }
}

shared_library_has_its_soname_and_exports_only_the_header() {
    installs prefix.log PREFIX="$PFX" || return 1
    local so=$PFX/lib/libiap.so.1.0.0 exported declared
    readelf -d "$so" | grep -q 'SONAME.*\[libiap\.so\.1\]' ||
        { say "soname: $(readelf -d "$so" | grep SONAME)"; return 1; }
    exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sort)
    declared=$(grep -o '^IAP_API [^(]*(' "$PFX/include/iap.h" | sed 's/($//; s/.*[ *]//' | sort)
    [ -n "$declared" ] && [ "$exported" = "$declared" ] ||
        { say "exported but not declared: $(comm -23 <(echo "$exported") <(echo "$declared") | tr '\n' ' ')" \
              "declared but not exported: $(comm -13 <(echo "$exported") <(echo "$declared") | tr '\n' ' ')"
          return 1; }
}

pc() { PKG_CONFIG_PATH=$PFX/lib/pkgconfig pkg-config "$@"; }

example_builds_against_the_shared_library_with_pkg_config() {
    pc --exists iap || { say "pkg-config does not find iap"; return 1; }
    [ "$(pc --modversion iap)" = 1.0.0 ] || { say "version $(pc --modversion iap)"; return 1; }
    # shellcheck disable=SC2046
    cc -Wall -Wextra -Werror -std=c11 -o "$E2E_TMP/demo-shared" "$EXAMPLE" \
        $(pc --cflags --libs iap) 2>"$E2E_TMP/cc1.log" || { say "cc: $(head -n 3 "$E2E_TMP/cc1.log")"; return 1; }
    LD_LIBRARY_PATH=$PFX/lib ldd "$E2E_TMP/demo-shared" | grep -q "libiap.so.1 => $PFX/lib/" ||
        { say "ldd: $(LD_LIBRARY_PATH=$PFX/lib ldd "$E2E_TMP/demo-shared" | grep iap)"; return 1; }
}

example_builds_against_the_static_library_with_pkg_config() {
    # shellcheck disable=SC2046
    cc -Wall -Wextra -Werror -std=c11 -o "$E2E_TMP/demo-static" "$EXAMPLE" $(pc --cflags iap) \
        $(pc --static --libs iap | sed 's/-liap\b/-l:libiap.a/') 2>"$E2E_TMP/cc2.log" ||
        { say "cc: $(head -n 3 "$E2E_TMP/cc2.log")"; return 1; }
    ! ldd "$E2E_TMP/demo-static" | grep -q libiap || { say "linked the shared libiap"; return 1; }
}

# demo_flashes BINARY FILE VERSION: the example flashes FILE, verifies it, the board runs it.
demo_flashes() {
    LD_LIBRARY_PATH=$PFX/lib "$1" "$PORT" "$2" >"$E2E_TMP/demo.out" 2>&1 ||
        { say "exit $?: $(tail -n 3 "$E2E_TMP/demo.out")"; return 1; }
    grep -q '^bootloader 1\.' "$E2E_TMP/demo.out" && grep -q '^verified: device CRC' "$E2E_TMP/demo.out" &&
        grep -q '^flash  100%' "$E2E_TMP/demo.out" ||
        { say "output: $(tr '\n' '|' <"$E2E_TMP/demo.out")"; return 1; }
    uart_expect $B "app v$3 tick" 3 || { say "app v$3 does not run"; return 1; }
}

shared_example_flashes_the_board() {
    board_start $B || return 1
    demo_flashes "$E2E_TMP/demo-shared" "${APP}1.hex" 1
}

static_example_updates_the_running_app() {
    demo_flashes "$E2E_TMP/demo-static" "${APP}2.elf" 2 || return 1
    grep -q 'asking the application to reboot' "$E2E_TMP/demo.out" ||
        { say "no note through the log callback: $(tr '\n' '|' <"$E2E_TMP/demo.out")"; return 1; }
}

example_names_a_missing_port_in_one_line() {
    LD_LIBRARY_PATH=$PFX/lib "$E2E_TMP/demo-shared" /dev/ttyNOPE9 "${APP}1.hex" \
        >"$E2E_TMP/demo.out" 2>&1 && { say "exit 0"; return 1; }
    grep -q 'flash_demo: port /dev/ttyNOPE9 does not exist.*(port error)$' "$E2E_TMP/demo.out" ||
        { say "$(cat "$E2E_TMP/demo.out")"; return 1; }
}

man_page_renders_without_warnings() {
    local page=$PFX/share/man/man1/iap.1
    MANWIDTH=80 man --warnings -l "$page" >"$E2E_TMP/man.out" 2>"$E2E_TMP/man.err" ||
        { say "man exit $?"; return 1; }
    [ ! -s "$E2E_TMP/man.err" ] || { say "warnings: $(head -n 3 "$E2E_TMP/man.err")"; return 1; }
    grep -q 'iap - put firmware' "$E2E_TMP/man.out" || { say "no NAME section"; return 1; }
}

man_page_names_every_command_and_option_of_help() {
    local w missing=
    for w in $("$PFX/bin/iap" --help | sed -n 's/^  \([a-z]\+\) .*/\1/p') \
        $("$PFX/bin/iap" --help | grep -o -- '--[a-z-]\+' | sort -u); do
        grep -q -- "^ *$w\b\| $w\b" "$E2E_TMP/man.out" || missing="$missing $w"
    done
    [ -z "$missing" ] || { say "not in iap(1):$missing"; return 1; }
    grep -q IAP_PORT "$E2E_TMP/man.out" && grep -q 'EXIT STATUS' "$E2E_TMP/man.out" ||
        { say "no ENVIRONMENT or EXIT STATUS"; return 1; }
}

# completes WORDS... -- EXPECTED: the installed completion, for the last word, offers EXPECTED.
completes() {
    local want=${*: -1}
    local got
    got=$(bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _iap; echo "${COMPREPLY[*]}"' \
        _ "$PFX/share/bash-completion/completions/iap" "${@:1:$#-1}" 2>&1)
    [ "$got" = "$want" ] || { say "iap ${*:1:$#-1}<TAB>: '$got', not '$want'"; return 1; }
}

completion_completes_commands_options_and_formats() {
    completes iap fl flash || return 1
    completes iap -p /dev/null --no-r "--no-reset" || return 1
    completes iap --format s srec || return 1
    bash -c ". '$PFX/share/bash-completion/completions/iap'; complete -p iap" | grep -q '_iap iap$' ||
        { say "complete -p iap: not registered"; return 1; }
}

completion_offers_serial_ports_after_p() {
    local got
    got=$(bash -c '. "$1"; COMP_WORDS=(iap -p r); COMP_CWORD=2; _iap; echo "${COMPREPLY[*]}"' _ \
        "$PFX/share/bash-completion/completions/iap")
    [ "$got" = rfc2217:// ] || { say "iap -p r<TAB>: '$got'"; return 1; }
}

uninstall_from_prefix_leaves_no_file() {
    make --no-print-directory BUILD="$BUILD" PREFIX="$PFX" uninstall >"$E2E_TMP/un2.log" 2>&1 ||
        { say "make uninstall: $(tail -n 3 "$E2E_TMP/un2.log")"; return 1; }
    [ -z "$(files "$PFX")" ] || { say "left: $(files "$PFX" | tr '\n' ' ')"; return 1; }
}

check install_puts_every_file_under_destdir_and_prefix install_puts_every_file_under_destdir_and_prefix
check uninstall_from_destdir_leaves_no_file uninstall_from_destdir_leaves_no_file
check shared_library_has_its_soname_and_exports_only_the_header shared_library_has_its_soname_and_exports_only_the_header
check example_builds_against_the_shared_library_with_pkg_config example_builds_against_the_shared_library_with_pkg_config
check example_builds_against_the_static_library_with_pkg_config example_builds_against_the_static_library_with_pkg_config
check shared_example_flashes_the_board shared_example_flashes_the_board
check static_example_updates_the_running_app static_example_updates_the_running_app
check example_names_a_missing_port_in_one_line example_names_a_missing_port_in_one_line
check man_page_renders_without_warnings man_page_renders_without_warnings
check man_page_names_every_command_and_option_of_help man_page_names_every_command_and_option_of_help
check completion_completes_commands_options_and_formats completion_completes_commands_options_and_formats
check completion_offers_serial_ports_after_p completion_offers_serial_ports_after_p
check uninstall_from_prefix_leaves_no_file uninstall_from_prefix_leaves_no_file
board_stop $B
e2e_summary
