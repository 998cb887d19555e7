# lib.sh: helpers for the command-line tests. Each test script sources this,
# calls ok/not_ok (or the check_* helpers) and ends with `finish`.
# $LRFA is the binary under test; $TMP a scratch folder removed at the end.
: "${LRFA:?set LRFA to the lrfa binary}"
HERE=$(cd "$(dirname "$0")" && pwd)
TESTS=$(cd "$HERE/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lrfa-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PASS=0
FAIL=0
PY=/usr/bin/python3

ok() { PASS=$((PASS + 1)); }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }

# run CMD...: runs it capturing $OUT, $ERR and $RC
run() {
    "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
}

finish() {
    echo "$(basename "$0" .sh): $PASS passed, $FAIL failed" >"$TMP/summary"
    cat "$TMP/summary"
    [ "$FAIL" -eq 0 ]
}
