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

# repeated values in a truncated spectrum: the 11-cube's adjacency has 11
# twice and 9 twenty-two times, so every --top K from 3 on splits the 9s;
# each K must give the leading values exactly (1e-10 of s_1), say Lanczos
# checked them, and bound its error below 1e-10
run "$LRFA" gen --graph hypercube:11 -o "$TMP/q11.mtx"
[ "$RC" -eq 0 ] && ok || not_ok "gen --graph hypercube:11: exit $RC: $ERR"
for K in 1 2 3 4 5 10 20; do
    run "$LRFA" info "$TMP/q11.mtx" --top $K --json
    echo "$OUT" | $PY -c '
import sys, json
j, K = json.load(sys.stdin), int(sys.argv[1])
want = ([11.0] * 2 + [9.0] * 22)[:K]
s = j["singular_values"]
err = max(abs(a - b) for a, b in zip(s, want)) / 11 if len(s) == K else 1
assert err <= 1e-10, "K = %d: values %s, error %.1e" % (K, s, err)
assert j["spectrum_method"] == "lanczos" and j["spectrum_check"] in ("converged", "bound", "exact"), j["spectrum_check"]
assert j["spectrum_error_bound"] < 1e-10
' $K && ok || not_ok "info --top $K on the 11-cube: $(echo "$OUT" | head -c 300)"
done
# the table says how the values were checked
run "$LRFA" info "$TMP/q11.mtx" --top 5
echo "$OUT" | grep -q "^accuracy        each value within .* of s_1" && echo "$OUT" | grep -q "none missed" && ok ||
    not_ok "info --top 5 on the 11-cube: no accuracy lines: $OUT"
# a sparse matrix with 5 four times from s_2 to s_5: opt(3) must be exact,
# and a GD fit at r = 3 must not come out below it
run "$LRFA" gen --rows 4000 --cols 3000 --rank 8 --spectrum list:10,5,5,5,5,3,2,1 --density 0.0005 -o "$TMP/m5.mtx"
[ "$RC" -eq 0 ] && ok || not_ok "gen with a multiple value: exit $RC: $ERR"
run "$LRFA" fit "$TMP/m5.mtx" -r 3 --algo gd --json
echo "$OUT" | $PY -c '
import sys, json, math
j = json.load(sys.stdin)
opt = math.sqrt(2 * 25 + 9 + 4 + 1)
assert abs(j["opt"] - opt) <= 1e-12 * j["fro_norm"], "opt(3) %r, exact %r" % (j["opt"], opt)
assert j["gap"] >= -1e-12 * j["fro_norm"] and not j["opt_suspect"], "gap %r, suspect %r" % (j["gap"], j["opt_suspect"])
assert j["rel_gap"] < 1e-8, "GD did not reach the optimum: %r" % j["rel_gap"]
' && ok || not_ok "fit -r 3 at a multiple value: $(echo "$OUT" | grep -E '"(opt|gap|opt_suspect)"' | tr -d '\n')"
# gen --graph: a bad graph or extra options are one-line errors
run "$LRFA" gen --graph torus:5 -o "$TMP/g.mtx"
one_line_error "gen --graph torus:5"
run "$LRFA" gen --graph cycle:2 -o "$TMP/g.mtx"
one_line_error "gen --graph cycle:2"
run "$LRFA" gen --graph cycle:10 --rows 5 -o "$TMP/g.mtx"
one_line_error "gen --graph with --rows"
[ ! -e "$TMP/g.mtx" ] && ok || not_ok "a refused gen --graph left a file"

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
