#!/bin/sh
# `lrfa fit`: the acceptance figures on the bundled rank-8 matrix, JSON,
# trace, saved factors, options and errors.
. "$(dirname "$0")/lib.sh"
cd "$TESTS" || exit 1
Y=../inputs/demo_rank8.mtx   # 60 x 50, rank 8, s = 1, 7/8, ..., 1/8

one_line_error() { # $1: what, $2: expected exit status (default 1)
    want=${2:-1}
    if [ "$RC" -eq "$want" ] && [ -n "$ERR" ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ]; then ok
    else not_ok "$1: expected exit $want and one line on stderr, got exit $RC, stderr: $ERR"; fi
}

# field NAME: a top-level number from the JSON in $OUT (or "null")
field() {
    echo "$OUT" | $PY -c "import sys, json; v = json.load(sys.stdin)['$1']; print('null' if v is None else repr(v))"
}
check() { # check "python expression over j" "what"
    echo "$OUT" | $PY -c "import sys, json; j = json.load(sys.stdin); sys.exit(0 if ($1) else 1)" && ok || not_ok "$2: $1"
}

run "$LRFA" fit --help
[ "$RC" -eq 0 ] && ok || not_ok "fit --help"
for o in --rank --algo --iters --lr --tol --init-scale --feedback-scale --seed --transpose --trace \
         --log-every --save --json --quiet --exact-every; do
    echo "$OUT" | grep -q -- "$o" && ok || not_ok "fit --help lacks $o"
done

# acceptance: GD gap below 1e-6 ||Y||_F at r = 4 and 8; FA on its prediction at 4, at zero at 8
for r in 4 8; do
    run "$LRFA" fit "$Y" -r $r --algo gd --json
    [ "$RC" -eq 0 ] && ok || not_ok "gd r=$r exit $RC: $ERR"
    check "abs(j['gap']) < 1e-6 * j['fro_norm'] and j['converged']" "GD r = $r reaches the optimum"
    check "j['align_zb'] is None and j['fa_pred'] is None and j['grad_align'] is None" "GD has null FA figures"
    echo "  gd r=$r: gap/||Y|| = $(echo "$OUT" | $PY -c 'import sys,json; j=json.load(sys.stdin); print("%.2e" % (j["gap"]/j["fro_norm"]))')"
done
run "$LRFA" fit "$Y" -r 4 --algo fa --json
check "abs(j['error'] - j['fa_pred']) < 1e-6 * j['fro_norm']" "FA r = 4 lands on fa_pred"
check "j['fa_pred'] - j['opt'] > 0.01 * j['fro_norm']" "FA r = 4: fa_pred above opt"
echo "  fa r=4: (error - fa_pred)/||Y|| = $(echo "$OUT" | $PY -c 'import sys,json; j=json.load(sys.stdin); print("%.2e, fa_pred - opt = %.4f ||Y||" % ((j["error"]-j["fa_pred"])/j["fro_norm"], (j["fa_pred"]-j["opt"])/j["fro_norm"]))')"
run "$LRFA" fit "$Y" -r 8 --algo fa --json
check "j['error'] < 1e-6 * j['fro_norm']" "FA r = 8 reaches zero error"
echo "  fa r=8: error/||Y|| = $(echo "$OUT" | $PY -c 'import sys,json; j=json.load(sys.stdin); print("%.2e" % (j["error"]/j["fro_norm"]))')"
check "all(k in j for k in ['algo','r','iterations','converged','error','opt','gap','rel_gap','fro_norm','align_zb','align_min_eig','grad_align','fa_pred','conservation_drift','overlap_w_top','overlap_z_top','lr','seconds','iter_seconds'])" "fit --json keys"
check "j['align_zb'] > 0" "FA align_zb positive"

# the table
run "$LRFA" fit "$Y" -r 3 --algo fa
[ "$RC" -eq 0 ] && echo "$OUT" | grep -q "^fa_pred" && echo "$OUT" | grep -q "^align_zb" && ok || not_ok "fit table"
[ -z "$ERR" ] && ok || not_ok "no progress output when stderr is not a terminal: $ERR"

# trace
run "$LRFA" fit "$Y" -r 4 --algo fa --trace "$TMP/t.csv" --log-every 10 --tol 0 --iters 500 --quiet
[ "$RC" -eq 0 ] && [ -f "$TMP/t.csv" ] && ok || not_ok "trace written"
$PY - "$TMP/t.csv" <<'PYEOF' && ok || not_ok "trace CSV content"
import csv, sys, math
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 51, len(rows)
its = [int(r["iteration"]) for r in rows]
assert its == list(range(0, 501, 10)), its[:5]
for k in ["error", "gap", "rel_gap", "align_zb", "align_min_eig", "grad_align", "conservation_drift", "overlap_w_top"]:
    assert k in rows[0], k
errs = [float(r["error"]) for r in rows]
assert errs[-1] < errs[0]
assert rows[-1]["exact"] == "1"
PYEOF

# save
run "$LRFA" fit "$Y" -r 4 --algo fa --save "$TMP/f" --quiet
for p in Z W B; do [ -f "$TMP/f_$p.mtx" ] && ok || not_ok "save: f_$p.mtx missing"; done
"$LRFA" info "$TMP/f_Z.mtx" --json | $PY -c 'import sys, json; j = json.load(sys.stdin); assert (j["rows"], j["cols"]) == (60, 4)' \
    && ok || not_ok "saved Z is 60 x 4"
"$LRFA" info "$TMP/f_B.mtx" --json | $PY -c 'import sys, json; j = json.load(sys.stdin); assert (j["rows"], j["cols"]) == (4, 60)' \
    && ok || not_ok "saved B is 4 x 60"
# the saved factors reproduce the reported error
$PY - "$TMP" "$Y" "$(echo "$OUT")" <<'PYEOF' && ok || not_ok "saved Z W gives the reported error"
import sys, scipy.io, numpy as np
d, y = sys.argv[1], sys.argv[2]
Z = scipy.io.mmread(d + "/f_Z.mtx"); W = scipy.io.mmread(d + "/f_W.mtx"); Y = scipy.io.mmread(y)
err = np.linalg.norm(Z @ W - Y)
line = [l for l in sys.argv[3].splitlines() if l.startswith("error")][0]
rep = float(line.split()[1])
assert abs(err - rep) <= 1e-9 * np.linalg.norm(Y), (err, rep)
PYEOF
run "$LRFA" fit "$Y" -r 4 --save "$TMP/g" --quiet
[ -f "$TMP/g_Z.mtx" ] && [ ! -e "$TMP/g_B.mtx" ] && ok || not_ok "GD saves Z and W, no B"

# transpose, stdin, reproducibility
run "$LRFA" fit "$Y" -r 4 --transpose --json
check "j['rows'] == 50 and j['cols'] == 60 and j['transpose']" "--transpose factors Y^T"
"$LRFA" fit - -r 4 --algo fa --json --seed 5 <"$Y" >"$TMP/a.json"
"$LRFA" fit "$Y" -r 4 --algo fa --json --seed 5 >"$TMP/b.json"
$PY -c '
import sys, json
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for k in ["seconds", "iter_seconds", "ms_per_iter", "file"]: a.pop(k); b.pop(k)
assert a == b
' "$TMP/a.json" "$TMP/b.json" && ok || not_ok "same seed from stdin and from the file: identical figures"

# bad options: exit 1, one line
run "$LRFA" fit "$Y" -r 0;            one_line_error "-r 0"
run "$LRFA" fit "$Y" -r 51;           one_line_error "-r 51 > min(n, m)"
run "$LRFA" fit "$Y";                 one_line_error "missing -r"
run "$LRFA" fit "$Y" -r 2 --lr -1;    one_line_error "--lr -1"
run "$LRFA" fit "$Y" -r 2 --lr 0;     one_line_error "--lr 0"
run "$LRFA" fit "$Y" -r 2 --algo sgd; one_line_error "--algo sgd"
run "$LRFA" fit "$Y" -r 2 --iters x;  one_line_error "--iters x"
run "$LRFA" fit "$Y" -r 2 --seed -3;  one_line_error "--seed -3"
run "$LRFA" fit bad/index_zero.mtx -r 2; one_line_error "malformed input"
echo "$ERR" | grep -q "index_zero.mtx:" && ok || not_ok "fit names the bad file and line: $ERR"

# divergence: exit 2, one line naming the iteration and --lr
run "$LRFA" fit "$Y" -r 4 --lr 100 --init-scale 1
one_line_error "divergence" 2
echo "$ERR" | grep -q "iteration" && echo "$ERR" | grep -q -- "--lr" && ok || not_ok "divergence message: $ERR"

# divergence keeps the last finite state: its figures in the JSON, its factors saved whole
run "$LRFA" fit "$Y" -r 4 --lr 1e200 --json --save "$TMP/div"
[ "$RC" -eq 2 ] && ok || not_ok "divergence with --json: exit $RC"
echo "$OUT" | $PY -c '
import sys, json, math
j = json.load(sys.stdin)
assert j["stop"] == "diverged" and j["error"] is not None and j["error"] > 0 and math.isfinite(j["error"]), j["error"]
' && ok || not_ok "a diverged run reports the last finite error"
grep -qiE "nan|inf" "$TMP/div_Z.mtx" "$TMP/div_W.mtx" && not_ok "saved factors after divergence are not finite" || ok
grep -q "DIVERGED" "$TMP/div_Z.mtx" && ok || not_ok "saved factors after divergence are labelled"

# JSON stays JSON: the largest seed, a file name that is not UTF-8
run "$LRFA" fit "$Y" -r 2 --seed 18446744073709551615 --json
echo "$OUT" | $PY -c 'import sys, json; assert json.load(sys.stdin)["seed"] == 18446744073709551615' \
    && ok || not_ok "the seed 2^64 - 1 in JSON"
odd=$(printf "$TMP/odd\\377name.mtx")
cp "$Y" "$odd"
"$LRFA" info "$odd" --json | $PY -c 'import sys, json; json.loads(sys.stdin.buffer.read().decode("utf-8"))' \
    && ok || not_ok "info --json with a non-UTF-8 file name is not valid JSON"
run "$LRFA" fit "$Y" -r 2 --json --trace -;  one_line_error "--json with --trace -"
run "$LRFA" fit "$Y" -r 2 --seed " -1";      one_line_error "--seed ' -1'"
long=$TMP/$(printf 'a%.0s' $(seq 1 240)).mtx
run "$LRFA" convert "$Y" "$long"
[ "$RC" -eq 0 ] && [ -s "$long" ] && ok || not_ok "writing a 244-character file name: $ERR"
chmod 600 "$long"
"$LRFA" convert "$Y" "$long" && [ "$(stat -c %a "$long")" = 600 ] && ok || not_ok "replacing a file keeps its mode"

# the README's library example runs and agrees with the command
if [ -n "$EXAMPLE" ] && [ -x "$EXAMPLE" ]; then
    run "$EXAMPLE" "$Y" 4
    [ "$RC" -eq 0 ] && echo "$OUT" | grep -q "^gd: error 0.684653" && echo "$OUT" | grep -q "^fa: .*fa_pred 0.976003" \
        && ok || not_ok "example_fit: exit $RC, output: $OUT $ERR"
fi

finish
