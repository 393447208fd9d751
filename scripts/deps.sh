#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the demo need, when missing.
set -eu
pkgs="make gcc gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi libunicorn-dev
      stm32flash lrzsz socat clang libclang-rt-14-dev cppcheck python3 libssl-dev liblz4-dev
      pkg-config ser2net gcc-mingw-w64-x86-64 wine64 wine man-db groff-base"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
