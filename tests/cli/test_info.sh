#!/bin/sh
# `lrfa info` and `lrfa convert`: help texts, options, JSON, standard input,
# every shared matrix, and clear one-line errors for bad options.
. "$(dirname "$0")/lib.sh"
cd "$TESTS" || exit 1

one_line_error() { # $1: what
    if [ "$RC" -eq 1 ] && [ -z "$OUT" ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && [ -n "$ERR" ]; then ok
    else not_ok "$1: expected exit 1 and one line on stderr, got exit $RC, stderr: $ERR"; fi
}

# help: exit 0, on stdout, every option listed
for cmd in info convert; do
    run "$LRFA" $cmd --help
    [ "$RC" -eq 0 ] && echo "$OUT" | grep -q "usage: lrfa $cmd" && ok || not_ok "$cmd --help"
done
run "$LRFA" info --help
for o in --top --rank-tol --json --help; do echo "$OUT" | grep -q -- "$o" && ok || not_ok "info --help lacks $o"; done
echo "$OUT" | grep -q "default" && ok || not_ok "info --help gives no defaults"
run "$LRFA" --help
[ "$RC" -eq 0 ] && echo "$OUT" | grep -q "info FILE" && ok || not_ok "lrfa --help"
run "$LRFA"
[ "$RC" -eq 1 ] && ok || not_ok "lrfa with no command should exit 1"
run "$LRFA" frobnicate
one_line_error "unknown command"

# every shared matrix: exit 0, a table with the shape
for f in data/matrices/*.mtx; do
    run "$LRFA" info "$f"
    [ "$RC" -eq 0 ] && echo "$OUT" | grep -q "^shape" && ok || not_ok "info $f: exit $RC: $ERR"
done

# JSON: valid, the required keys, opt_error[0] = fro_norm, lists of the right length
run "$LRFA" info ../inputs/demo_rank8.mtx --json
echo "$OUT" | $PY -c '
import sys, json
j = json.load(sys.stdin)
need = ["rows", "cols", "entries", "fro_norm", "rank", "singular_values", "opt_error"]
assert all(k in j for k in need), "missing keys"
assert j["rows"] == 60 and j["cols"] == 50 and j["rank"] == 8, "shape or rank"
assert len(j["singular_values"]) == 50 and len(j["opt_error"]) == 51, "list lengths"
assert j["opt_error"][0] == j["fro_norm"], "opt_error[0] must be fro_norm"
assert all(a >= b for a, b in zip(j["singular_values"], j["singular_values"][1:])), "not descending"
assert j["storage"] == "dense"
' && ok || not_ok "info --json on the demo input"
run "$LRFA" info ../inputs/demo_rank8.mtx --json --top 3
echo "$OUT" | $PY -c '
import sys, json
j = json.load(sys.stdin)
assert len(j["singular_values"]) == 3 and len(j["opt_error"]) == 4
' && ok || not_ok "--top 3 should give 3 values and 4 opt entries"
run "$LRFA" info data/matrices/b1_ss.mtx --json
echo "$OUT" | $PY -c '
import sys, json
j = json.load(sys.stdin)
assert j["storage"] == "sparse" and j["stored"] == 15 and j["entries"] == 15
' && ok || not_ok "b1_ss: sparse storage and 15 entries"

# standard input gives the same figures as the file
run "$LRFA" info data/matrices/west0479.mtx --json
a=$(echo "$OUT" | grep -v '"file"')
"$LRFA" info - --json <data/matrices/west0479.mtx >"$TMP/stdin.json" 2>&1
b=$(grep -v '"file"' "$TMP/stdin.json")
[ "$a" = "$b" ] && ok || not_ok "info - (stdin) differs from info FILE"

# --rank-tol changes the rank as documented: with T = 0.5 only s_i > s_1/2 count
run "$LRFA" info ../inputs/demo_rank8.mtx --json --rank-tol 0.5
echo "$OUT" | $PY -c 'import sys, json; assert json.load(sys.stdin)["rank"] == 4' && ok \
    || not_ok "--rank-tol 0.5 on s = 1, 7/8, ..., 1/8 should give rank 4"

# bad options: exit 1, one line
run "$LRFA" info
one_line_error "info without FILE"
run "$LRFA" info a.mtx b.mtx
one_line_error "info with two files"
run "$LRFA" info ../inputs/demo_rank8.mtx --top -1
one_line_error "--top -1"
run "$LRFA" info ../inputs/demo_rank8.mtx --rank-tol abc
one_line_error "--rank-tol abc"
run "$LRFA" info ../inputs/demo_rank8.mtx --bogus
one_line_error "unknown option"
run "$LRFA" info ../inputs/demo_rank8.mtx --top
one_line_error "--top without a value"

# convert: output readable, whole; errors leave nothing behind
run "$LRFA" convert data/matrices/can___24.mtx "$TMP/c.mtx" --dense
[ "$RC" -eq 0 ] && head -1 "$TMP/c.mtx" | grep -q "array real general" && ok || not_ok "convert --dense"
run "$LRFA" convert data/matrices/can___24.mtx "$TMP/missing-folder/c.mtx"
one_line_error "convert into a missing folder"
run "$LRFA" convert bad/does-not-exist.mtx "$TMP/x.mtx"
one_line_error "convert from a missing file"
[ ! -e "$TMP/x.mtx" ] && ok || not_ok "a failed convert left an output file"
[ -z "$(ls -A "$TMP" | grep tmp)" ] && ok || not_ok "temporary files left behind: $(ls "$TMP")"
run "$LRFA" convert ../inputs/demo_rank8.mtx "$TMP/t.mtx" --transpose
"$LRFA" info "$TMP/t.mtx" --json | $PY -c 'import sys, json; j = json.load(sys.stdin); assert j["rows"] == 50 and j["cols"] == 60' \
    && ok || not_ok "convert --transpose shape"

finish
