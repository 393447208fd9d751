#!/usr/bin/env bash
# Static analysis of all host-side and portable C code (the project rule: cppcheck clean).
cd "$(dirname "$0")/.." || exit 1
if make --no-print-directory cppcheck; then
    echo "ok cppcheck_finds_nothing"
    echo "1 passed, 0 failed"
else
    echo "FAIL cppcheck_finds_nothing"
    echo "0 passed, 1 failed"
    exit 1
fi
