#!/bin/sh
# test_errors.sh: every malformed file in tests/bad/ is refused the same way.
#
# tests/bad/EXPECTED lists `FILENAME LINE`, one file per line. For each entry
# `lrfa info bad/FILENAME` must exit 1, print nothing on stdout and exactly one
# line on stderr, `lrfa: bad/FILENAME:LINE: what was expected`; read from
# standard input the same file must name `<stdin>:LINE:`. Then: a missing path,
# a directory and an unreadable file give exit 1 and one line, and the files
# whose size line promises more than memory are refused quickly (no allocation).
. "$(dirname "$0")/lib.sh"

# the paths in the messages are relative to tests/, as passed
case $LRFA in
/*) ;;
*/*) LRFA=$(pwd)/$LRFA ;;
esac
cd "$TESTS" || exit 1
MANIFEST=bad/EXPECTED

# one_line: true when $TMP/err holds exactly one newline-terminated line
one_line() {
    [ "$(wc -l <"$TMP/err")" -eq 1 ] && [ "$(awk 'END { print NR }' "$TMP/err")" -eq 1 ]
}

# check_refused WHAT PREFIX: the last `run` exited 1, printed nothing on
# stdout and one stderr line starting with PREFIX and saying something after it
check_refused() {
    if [ "$RC" -eq 1 ]; then ok; else not_ok "$1: exit status $RC, expected 1 (stderr: $ERR)"; fi
    if [ -z "$OUT" ] && [ ! -s "$TMP/out" ]; then ok; else not_ok "$1: stdout is not empty"; fi
    if one_line; then ok; else not_ok "$1: stderr is not exactly one line: $ERR"; fi
    case $ERR in
    "$2"?*) ok ;;
    *) not_ok "$1: stderr does not start with '$2': $ERR" ;;
    esac
}

# ---- the manifest itself ----
if [ -f "$MANIFEST" ]; then ok; else not_ok "$MANIFEST is missing"; fi
count=0
while read -r name line rest; do
    case $name in '' | '#'*) continue ;; esac
    count=$((count + 1))
    if [ -f "bad/$name" ] && [ -z "$rest" ] && [ "$line" -ge 1 ] 2>/dev/null; then ok
    else not_ok "$MANIFEST: bad entry '$name $line $rest'"; fi
done <"$MANIFEST"
if [ "$count" -ge 30 ]; then ok; else not_ok "$MANIFEST lists $count files, expected at least 30"; fi
# every file in bad/ is listed (a file nobody checks is a test nobody runs)
for f in bad/*; do
    name=${f#bad/}
    [ "$name" = EXPECTED ] && continue
    if awk -v n="$name" '$1 == n { found = 1 } END { exit !found }' "$MANIFEST"; then ok
    else not_ok "$f is not listed in $MANIFEST"; fi
done

# ---- each bad file, by path and from standard input ----
while read -r name line rest; do
    case $name in '' | '#'*) continue ;; esac
    run "$LRFA" info "bad/$name" </dev/null
    check_refused "bad/$name" "lrfa: bad/$name:$line: "
    run "$LRFA" info - <"bad/$name"
    check_refused "bad/$name on stdin" "lrfa: <stdin>:$line: "
done <"$MANIFEST"

# ---- files that cannot be read at all ----
run "$LRFA" info bad/no_such_file.mtx
check_refused "missing path" "lrfa: bad/no_such_file.mtx: "
run "$LRFA" info bad
check_refused "directory" "lrfa: bad: "
run "$LRFA" info - <bad
check_refused "directory on stdin" "lrfa: <stdin>:"
# the unreadable file: as root (who reads anything) the check runs as the
# user nobody, through setpriv, when that user can run the binary
AS_USER=
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null 2>&1 &&
        setpriv --reuid=65534 --regid=65534 --clear-groups "$LRFA" --help >/dev/null 2>&1; then
        AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
    else
        AS_USER=skip
        echo "test_errors: skipping the unreadable-file check (root, and user nobody cannot run $LRFA)" >&2
    fi
fi
if [ "$AS_USER" != skip ]; then
    mkdir -p "$TMP/pub" && chmod 755 "$TMP" "$TMP/pub"
    cp bad/banner_missing.mtx "$TMP/pub/unreadable.mtx"
    chmod 000 "$TMP/pub/unreadable.mtx"
    run $AS_USER "$LRFA" info "$TMP/pub/unreadable.mtx"
    check_refused "unreadable file" "lrfa: $TMP/pub/unreadable.mtx: "
    case $ERR in
    *"ermission denied"*) ok ;;
    *) not_ok "unreadable file: the reason is not 'Permission denied': $ERR" ;;
    esac
fi

# ---- a size line promising more than memory is refused before allocating ----
now_ns() {
    t=$(date +%s%N)
    case $t in
    *[!0-9]*) echo $(($(date +%s) * 1000000000)) ;;   # no %N: whole seconds
    *) echo "$t" ;;
    esac
}
limit=$((2000 * ${TEST_SLOWDOWN:-1})) # ms; TEST_SLOWDOWN for runs under valgrind
for f in bad/size_too_big_*.mtx; do
    t0=$(now_ns)
    run "$LRFA" info "$f"
    t1=$(now_ns)
    ms=$(((t1 - t0) / 1000000))
    if [ "$RC" -eq 1 ] && [ "$ms" -lt "$limit" ]; then ok
    else not_ok "$f: exit $RC after ${ms} ms, expected exit 1 in under $limit ms"; fi
done

finish
