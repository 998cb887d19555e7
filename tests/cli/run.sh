#!/bin/sh
# Runs every tests/cli/test_*.sh (or the test files named as arguments)
# against $LRFA and prints the totals.
: "${LRFA:?set LRFA to the lrfa binary}"
export LRFA
dir=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
[ $# -gt 0 ] || set -- "$dir"/test_*.sh
for t in "$@"; do
    line=$(sh "$t" | tail -n 1)
    echo "$line"
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
    if [ -z "$p" ]; then
        echo "FAIL: $t did not finish" >&2
        fail=$((fail + 1))
        continue
    fi
    pass=$((pass + p))
    fail=$((fail + f))
done
echo "cli${CLI_LABEL:+ ($CLI_LABEL)}: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
