#!/bin/sh
# Runs every tests/cli/test_*.sh against $LRFA and prints the totals.
: "${LRFA:?set LRFA to the lrfa binary}"
export LRFA
dir=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
for t in "$dir"/test_*.sh; do
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
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
