#!/bin/sh
# test_valid_edge.sh: unusual but valid Matrix Market files in tests/edge/ are
# accepted, and read as the matrix they spell out.
#
# For each file `lrfa info edge/FILE --json` must exit 0 with nothing on stderr,
# and its JSON must show the expected shape, entries in the file, stored
# entries (after summing repeats and mirroring), ||Y||_F and, where the values
# or their placement need it, singular values: a diagonal matrix shows each
# value, a skew-symmetric one the pairs that a wrong mirror sign would break.
# Reading the same file from standard input must give the same JSON.
. "$(dirname "$0")/lib.sh"

case $LRFA in
/*) ;;
*/*) LRFA=$(pwd)/$LRFA ;;
esac
cd "$TESTS" || exit 1

# check.py JSON KEY=VALUE...: prints `ok KEY` or `not_ok MESSAGE` per KEY.
#   rows cols entries stored          integers, exact
#   format field symmetry storage banner   strings, exact
#   fro                               ||Y||_F, a Python expression (sqrt allowed)
#   sv                                all singular values, comma-separated expressions
#   svprod                            product of the singular values (|det|)
cat >"$TMP/check.py" <<'EOF'
import json, math, sys
path, checks = sys.argv[1], sys.argv[2:]
try:
    j = json.load(open(path))
except Exception as e:
    print("not_ok output is not JSON: %s" % e)
    sys.exit(0)
num = lambda s: float(eval(s, {"__builtins__": {}}, {"sqrt": math.sqrt}))
close = lambda got, want, scale: abs(got - want) <= 1e-12 * max(abs(want), scale, 1e-300)
for c in checks:
    key, want = c.split("=", 1)
    got = j.get({"fro": "fro_norm", "sv": "singular_values", "svprod": "singular_values"}.get(key, key))
    if key in ("rows", "cols", "entries", "stored"):
        good = got == int(want)
    elif key in ("format", "field", "symmetry", "storage", "banner"):
        good = got == want
    elif key == "fro":
        good = isinstance(got, (int, float)) and close(got, num(want), 0)
    elif key == "sv":
        w = [num(x) for x in want.split(",")] if want else []
        s1 = max([abs(x) for x in w] + [1e-300])
        good = isinstance(got, list) and len(got) == len(w) and all(close(g, x, s1) for g, x in zip(got, w))
    elif key == "svprod":
        good = isinstance(got, list) and abs(math.prod(got) - num(want)) <= 1e-10 * abs(num(want))
    else:
        print("not_ok unknown check %s" % key)
        continue
    print("ok %s" % key if good else "not_ok %s: got %r, expected %s" % (key, got, want))
EOF

# same.py A B: the two JSON outputs agree on everything but "file"
cat >"$TMP/same.py" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a.pop("file", None), b.pop("file", None)
sys.exit(0 if a == b else 1)
EOF

# expect FILE KEY=VALUE...
expect() {
    f=edge/$1
    shift
    run "$LRFA" info "$f" --json </dev/null
    if [ "$RC" -eq 0 ]; then ok; else not_ok "$f: exit status $RC, expected 0 (stderr: $ERR)"; fi
    if [ -n "${NOTICE:-}" ]; then
        # one line on stderr, the notice, naming the file and its line
        if [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "^lrfa: $f:$NOTICE: notice: " "$TMP/err"; then ok
        else not_ok "$f: expected one notice naming line $NOTICE on stderr, got: $ERR"; fi
    elif [ ! -s "$TMP/err" ]; then ok; else not_ok "$f: stderr is not empty: $ERR"; fi
    NOTICE="" # a prefix assignment may outlive the call in some shells
    cp "$TMP/out" "$TMP/json"
    "$PY" "$TMP/check.py" "$TMP/json" "$@" >"$TMP/checks" 2>&1
    if [ -s "$TMP/checks" ]; then ok; else not_ok "$f: the JSON checker printed nothing"; fi
    while read -r verdict msg; do
        if [ "$verdict" = ok ]; then ok; else not_ok "$f: $msg"; fi
    done <"$TMP/checks"
    run "$LRFA" info - --json <"$f"
    if [ "$RC" -eq 0 ] && "$PY" "$TMP/same.py" "$TMP/json" "$TMP/out" 2>/dev/null; then ok
    else not_ok "$f: read from standard input it gives exit $RC or different JSON (stderr: $ERR)"; fi
}

# ---- layout of the text ----
expect banner_mixed_case_spaces.mtx rows=2 cols=2 entries=1 stored=1 fro=3 \
    format=coordinate field=real symmetry=general \
    "banner=%%matrixMARKET Matrix Coordinate REAL General"
expect crlf_throughout.mtx rows=2 cols=3 entries=2 stored=2 fro=5 sv=4,3
expect no_final_newline_crlf.mtx rows=2 cols=1 stored=2 fro=5 format=array
expect tabs_and_spaces.mtx rows=2 cols=2 entries=2 stored=2 fro=5 sv=4,3
expect blank_lines.mtx rows=2 cols=2 entries=2 stored=2 fro=5 sv=4,3
expect comments_between_entries.mtx rows=2 cols=2 entries=2 stored=2 fro=5 sv=4,3
expect no_final_newline.mtx rows=2 cols=2 entries=2 stored=2 fro=5 sv=4,3
expect long_comment_line.mtx rows=2 cols=2 entries=2 stored=2 fro=5 sv=4,3

# ---- numbers and indices ----
# diagonal .5 -1.e-3 1E+05 +2 3. -.25e1 007: the singular values are their sizes
expect number_forms.mtx rows=7 cols=7 entries=7 stored=7 \
    sv=1e5,7,3,2.5,2,0.5,1e-3 "fro=sqrt(1e10+49+9+6.25+4+0.25+1e-6)"
expect index_leading_zeros.mtx rows=3 cols=3 entries=1 stored=1 fro=2.5 sv=2.5,0,0
expect index_plus_sign.mtx rows=3 cols=3 entries=1 stored=1 fro=2.5 sv=2.5,0,0

# ---- entries ----
# (1,1) appears twice with 1.5: summed to 3, so ||Y||_F = 5 (kept apart it would be sqrt(20.5))
expect duplicates_summed.mtx rows=2 cols=2 entries=3 stored=2 fro=5 sv=4,3 storage=sparse
expect explicit_zeros_kept.mtx rows=3 cols=3 entries=3 stored=3 fro=2 sv=2,0,0

# ---- fields ----
expect field_double.mtx field=real rows=2 cols=2 stored=2 fro=5 sv=5,0
expect field_integer.mtx field=integer rows=2 cols=2 stored=2 fro=5 sv=4,3
expect pattern_general.mtx field=pattern rows=3 cols=4 entries=4 stored=4 fro=2 "sv=sqrt(2),1,1"
# a value column on 3 of 4 lines (as some SuiteSparse files have): read as the
# pattern [1 0 1; 0 0 1; 0 1 0] (|det| 1), with one notice naming line 4
NOTICE=4 expect pattern_with_value_column.mtx field=pattern rows=3 cols=3 entries=4 stored=4 fro=2 svprod=1

# ---- symmetry ----
# [1 2 0; 2 0 4; 0 4 3]: 4 entries in the file, 6 stored; |det| = 28
expect symmetric_with_diagonal.mtx symmetry=symmetric rows=3 cols=3 entries=4 stored=6 \
    "fro=sqrt(50)" svprod=28
# [0 -3 4; 3 0 0; -4 0 0] with an explicit zero (2,2): 3 in the file, 5 stored
expect skew_zero_diagonal.mtx symmetry=skew-symmetric rows=3 cols=3 entries=3 stored=5 \
    "fro=sqrt(50)" sv=5,5,0
# the same matrices given by their upper triangles, as graph collections
# write them: mirrored alike
expect symmetric_upper_triangle.mtx symmetry=symmetric rows=3 cols=3 entries=4 stored=6 \
    "fro=sqrt(50)" svprod=28
expect skew_upper_triangle.mtx symmetry=skew-symmetric rows=3 cols=3 entries=3 stored=5 \
    "fro=sqrt(50)" sv=5,5,0
# (2,1) = 1 below and (1,3) = 1 above: [0 -1 1; 1 0 0; -1 0 0], values sqrt(2) twice
expect skew_mixed_triangles.mtx symmetry=skew-symmetric rows=3 cols=3 entries=2 stored=4 \
    fro=2 "sv=sqrt(2),sqrt(2),0"
# [1 3 5; 2 4 6]: s^2 = (91 +- sqrt(8185)) / 2 (row-major reading would give other values)
expect array_general_column_major.mtx format=array rows=2 cols=3 entries=6 stored=6 \
    "fro=sqrt(91)" "sv=sqrt((91+sqrt(8185))/2),sqrt((91-sqrt(8185))/2)" storage=dense
# [1 2 3; 2 4 5; 3 5 6]: |det| = 1
expect array_symmetric.mtx format=array symmetry=symmetric rows=3 cols=3 entries=6 stored=9 \
    "fro=sqrt(129)" svprod=1
# [0 -1 -2; 1 0 -3; 2 3 0]: singular values sqrt(14) twice and 0
expect array_skew.mtx format=array symmetry=skew-symmetric rows=3 cols=3 entries=3 stored=9 \
    "fro=sqrt(28)" "sv=sqrt(14),sqrt(14),0"

# ---- empty shapes ----
expect size_0x0_coordinate.mtx rows=0 cols=0 entries=0 stored=0 fro=0 sv=
expect size_0x0_array.mtx rows=0 cols=0 entries=0 stored=0 fro=0 sv=
expect size_3x0_array.mtx rows=3 cols=0 entries=0 stored=0 fro=0 sv=
expect size_3x0_coordinate.mtx rows=3 cols=0 entries=0 stored=0 fro=0 sv=

# every file in edge/ is checked above
for f in edge/*; do
    if grep -Eq "^(NOTICE=[0-9]+ )?expect ${f#edge/} " "$HERE/$(basename "$0")"; then ok; else not_ok "$f is not checked by $(basename "$0")"; fi
done

finish
