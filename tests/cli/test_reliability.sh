#!/bin/sh
# test_reliability.sh: interruptions, outputs that cannot be written or would
# overwrite the input, and degenerate inputs.
#
# - SIGINT / SIGTERM during fit, compare and sweep: exit 130 / 143, one line
#   saying what was kept, every file asked for whole (CSV rows complete,
#   factors readable), no temporary file left behind.
# - Writing to /dev/full, into a folder that does not exist, or over a folder:
#   exit 1, one line with the path and the reason, no file left.
# - An output that is the input (also through a symbolic link): refused.
# - Degenerate inputs (tests/degenerate/): an all-zero matrix, 1 x 1, r equal
#   to min(n, m), an all-zero row and column, entries near 1e301 and 1e-301
#   (fitted scaled internally: every relative figure equals the unscaled one).
. "$(dirname "$0")/lib.sh"

DEG=$TESTS/degenerate

# one stderr line, exit status $1
one_line_status() {
    if [ "$RC" -eq "$1" ]; then ok; else not_ok "$2: exit $RC, expected $1 ($ERR)"; fi
    if [ "$(wc -l <"$TMP/err")" -eq 1 ]; then ok; else not_ok "$2: stderr is not one line: $ERR"; fi
}

no_tmp_left() {
    if ls -a "$1" | grep -q '^\.lrfa-'; then not_ok "$2: a temporary file was left in $1"; else ok; fi
}

# csv_whole FILE MIN_ROWS: a header and at least MIN_ROWS rows, every line
# complete (as many fields as the header, ending in a newline)
csv_whole() {
    $PY - "$1" "$2" <<'EOF'
import sys
path, least = sys.argv[1], int(sys.argv[2])
data = open(path).read()
assert data.endswith("\n"), "no final newline"
lines = data.splitlines()
width = len(lines[0].split(","))
assert all(len(l.split(",")) == width for l in lines), "a line with a different field count"
assert len(lines) - 1 >= least, "%d rows, expected at least %d" % (len(lines) - 1, least)
EOF
}

# ---- interruptions ----
"$LRFA" gen --rows 300 --cols 200 --rank 40 --spectrum linear --seed 3 -o "$TMP/y.mtx" >/dev/null ||
    not_ok "gen for the interruption tests"

# signal_after SECONDS SIGNAL CMD...: runs CMD in the background, sends
# SIGNAL after SECONDS (times TEST_SLOWDOWN, for runs under valgrind), waits;
# $RC, $OUT and $ERR as from run
signal_after() {
    delay=$(($1 * ${TEST_SLOWDOWN:-1}))
    sig=$2
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    sleep "$delay"
    kill "-$sig" "$pid"
    wait "$pid"
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
}

for sig in INT TERM; do
    want=130
    [ "$sig" = TERM ] && want=143
    mkdir -p "$TMP/fit$sig"
    signal_after 2 "$sig" "$LRFA" fit "$TMP/y.mtx" -r 6 --algo fa --iters 1000000000 --tol 0 --lr 0.01 \
        --trace "$TMP/fit$sig/trace.csv" --log-every 50 --save "$TMP/fit$sig/run" --quiet
    one_line_status "$want" "fit, SIG$sig"
    case $ERR in
    *"interrupted by SIG$sig at iteration"*"kept the trace"*"factors"*) ok ;;
    *) not_ok "fit, SIG$sig: message: $ERR" ;;
    esac
    echo "$OUT" | grep -q "(interrupted)" && ok || not_ok "fit, SIG$sig: the table does not say interrupted"
    csv_whole "$TMP/fit$sig/trace.csv" 2 && ok || not_ok "fit, SIG$sig: trace not whole"
    for f in Z W B; do
        run "$LRFA" info "$TMP/fit$sig/run_$f.mtx" --json
        [ "$RC" -eq 0 ] && ok || not_ok "fit, SIG$sig: run_$f.mtx does not read back: $ERR"
    done
    grep -q "INTERRUPTED" "$TMP/fit$sig/run_Z.mtx" && ok || not_ok "fit, SIG$sig: saved factors not labelled"
    no_tmp_left "$TMP/fit$sig" "fit, SIG$sig"
done

mkdir -p "$TMP/cmp"
signal_after 2 INT "$LRFA" compare "$TMP/y.mtx" -r 6 --iters 1000000000 --tol 0 --lr 0.01 \
    --trace "$TMP/cmp/t" --log-every 50 --quiet
one_line_status 130 "compare, SIGINT"
case $ERR in *"interrupted by SIGINT at iterations"*) ok ;; *) not_ok "compare, SIGINT: message: $ERR" ;; esac
csv_whole "$TMP/cmp/t_gd.csv" 2 && ok || not_ok "compare, SIGINT: GD trace not whole"
csv_whole "$TMP/cmp/t_fa.csv" 2 && ok || not_ok "compare, SIGINT: FA trace not whole"
no_tmp_left "$TMP/cmp" "compare, SIGINT"

# one run at a time, 800 (rank, seed) pairs: some finish before the signal,
# the rest do not
mkdir -p "$TMP/sw"
signal_after 3 TERM "$LRFA" sweep "$TMP/y.mtx" --ranks 1:4 --seeds 200 --jobs 1 --iters 500 --tol 0 \
    --csv "$TMP/sw/sweep.csv" --quiet
one_line_status 143 "sweep, SIGTERM"
case $ERR in *"interrupted by SIGTERM; kept the "*" of 800 "*) ok ;; *) not_ok "sweep, SIGTERM: message: $ERR" ;; esac
kept=$(echo "$ERR" | sed -n 's/.*kept the \([0-9]*\) of 800.*/\1/p')
# under valgrind (TEST_SLOWDOWN > 1) the first run may not finish before the
# signal: there, none kept is a correct outcome too
least=1
[ "${TEST_SLOWDOWN:-1}" -gt 1 ] && least=0
if [ -n "$kept" ] && [ "$kept" -ge "$least" ] && [ "$kept" -lt 800 ]; then ok; else not_ok "sweep, SIGTERM: kept '$kept' runs"; fi
csv_whole "$TMP/sw/sweep.csv" "${kept:-1}" && ok || not_ok "sweep, SIGTERM: CSV not whole"
rows=$(($(wc -l <"$TMP/sw/sweep.csv") - 1))
[ "$rows" = "$kept" ] && ok || not_ok "sweep, SIGTERM: $rows CSV rows for $kept finished runs"
no_tmp_left "$TMP/sw" "sweep, SIGTERM"

# ---- outputs that cannot be written ----
Y=$DEG/base_12x9.mtx
for target in /dev/full "$TMP/no/such/folder/out.csv" "$TMP"; do
    run "$LRFA" fit "$Y" -r 2 --trace "$target" --quiet
    one_line_status 1 "trace to $target"
    case $ERR in "lrfa: $target"*": "?*) ok ;; *) not_ok "trace to $target: message: $ERR" ;; esac
done
run "$LRFA" gen --rows 5 --cols 4 --rank 2 --spectrum flat -o /dev/full
one_line_status 1 "gen to /dev/full"
case $ERR in *"/dev/full: write error: No space left on device"*) ok ;; *) not_ok "gen to /dev/full: $ERR" ;; esac
run "$LRFA" fit "$Y" -r 2 --save "$TMP/missing/run" --quiet
one_line_status 1 "save into a missing folder"
[ ! -e "$TMP/missing" ] && ok || not_ok "save into a missing folder created something"
run "$LRFA" sweep "$Y" --ranks 1:2 --csv /dev/full --quiet
one_line_status 1 "sweep CSV to /dev/full"
for cmd in "info $Y" "info $Y --json" "fit $Y -r 2 --quiet" "compare $Y -r 2 --quiet"; do
    # shellcheck disable=SC2086
    "$LRFA" $cmd >/dev/full 2>"$TMP/err"
    RC=$?
    ERR=$(cat "$TMP/err")
    one_line_status 1 "lrfa $cmd >/dev/full"
    case $ERR in *"cannot write to standard output"*) ok ;; *) not_ok "lrfa $cmd >/dev/full: $ERR" ;; esac
done
no_tmp_left "$TMP" "failed writes"

# ---- an output that is the input ----
cp "$Y" "$TMP/in.mtx"
sum_before=$(cksum <"$TMP/in.mtx")
ln -s "$TMP/in.mtx" "$TMP/link_Z.mtx"
ln "$TMP/in.mtx" "$TMP/hard.csv"
for args in "fit $TMP/in.mtx -r 2 --trace $TMP/in.mtx" "fit $TMP/in.mtx -r 2 --save $TMP/link" \
    "fit $TMP/in.mtx -r 2 --trace $TMP/hard.csv" "sweep $TMP/in.mtx --ranks 1:2 --csv $TMP/in.mtx" \
    "compare $TMP/in.mtx -r 2 --plot $TMP/in.mtx" "convert $TMP/in.mtx $TMP/link_Z.mtx"; do
    # shellcheck disable=SC2086
    run "$LRFA" $args
    one_line_status 1 "lrfa $args"
    case $ERR in *"is the input file"*) ok ;; *) not_ok "lrfa $args: $ERR" ;; esac
done
[ "$(cksum <"$TMP/in.mtx")" = "$sum_before" ] && ok || not_ok "the input changed"

# ---- degenerate inputs ----
# fig FILE ARGS: the JSON of `lrfa fit FILE ARGS --json`, exit 0 required
fig() {
    f=$1
    shift
    run "$LRFA" fit "$f" "$@" --json --quiet
    [ "$RC" -eq 0 ] && ok || not_ok "fit $f $*: exit $RC ($ERR)"
    echo "$OUT" >"$TMP/fig.json"
}
# check EXPR WHAT: EXPR holds for j, the last fig's JSON
check() {
    $PY -c "import json, math; j = json.load(open('$TMP/fig.json')); assert $1, j" 2>/dev/null && ok ||
        not_ok "$2: $(cat "$TMP/fig.json" | tr -d '\n' | cut -c1-300)"
}

for a in gd fa; do
    fig "$DEG/zero_6x5.mtx" -r 2 --algo $a
    check "j['opt'] == 0 and j['stop'] == 'converged' and j['error'] < 1e-6 and j['iterations'] <= 1000" \
        "all-zero matrix, $a: converged near zero"
    fig "$DEG/one_by_one.mtx" -r 1 --algo $a
    check "j['error'] < 1e-10 and j['opt'] == 0" "1 x 1, $a: exact"
    fig "$DEG/base_12x9.mtx" -r 9 --algo $a
    check "j['error'] < 1e-6 * j['fro_norm']" "r = min(n, m), $a: zero error"
    fig "$DEG/zero_row_col.mtx" -r 3 --algo $a
    check "j['error'] < 1e-6 * j['fro_norm']" "zero row and column at r = rank, $a: zero error"
done
run "$LRFA" info "$DEG/zero_6x5.mtx" --json
[ "$RC" -eq 0 ] && echo "$OUT" | $PY -c "import json, sys; j = json.load(sys.stdin); assert j['rank'] == 0 and j['fro_norm'] == 0" &&
    ok || not_ok "info on the all-zero matrix: $OUT $ERR"

# entries near the overflow and underflow limits: the same relative figures
for a in gd fa; do
    fig "$DEG/base_12x9.mtx" -r 1 --algo $a
    cp "$TMP/fig.json" "$TMP/base.json"
    for s in huge tiny; do
        fig "$DEG/${s}_12x9.mtx" -r 1 --algo $a
        $PY - "$TMP/base.json" "$TMP/fig.json" "$s" <<'EOF' && ok || not_ok "$s entries, $a: figures differ from the unscaled ones"
import json, math, sys
b, j = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
c = 2.0 ** (1000 if sys.argv[3] == "huge" else -1000)
assert j["stop"] == b["stop"] and j["iterations"] == b["iterations"], (j, b)
for k in ("rel_gap", "align_zb", "overlap_w_top", "overlap_z_top"):
    if b[k] is not None:
        assert abs(j[k] - b[k]) <= 1e-12, (k, j[k], b[k])
for k in ("error", "opt", "fro_norm"):
    assert abs(j[k] / c - b[k]) <= 1e-12 * b["fro_norm"], (k, j[k], b[k])
assert abs(j["lr"] * c - b["lr"]) <= 1e-12 * b["lr"], (j["lr"], b["lr"])
EOF
    done
done
run "$LRFA" fit "$DEG/huge_12x9.mtx" -r 2 --algo fa --save "$TMP/huge"
[ "$RC" -eq 0 ] && ok || not_ok "huge entries with --save: exit $RC"
grep -qiE "nan|inf" "$TMP/huge_Z.mtx" "$TMP/huge_W.mtx" "$TMP/huge_B.mtx" && not_ok "huge entries: saved factors not finite" || ok

finish
