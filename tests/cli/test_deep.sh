#!/bin/sh
# `lrfa fit` with deep networks (--widths, --depth) and the five rules: the
# figures per layer, the predicted limit, saved layers, and bad options.
. "$(dirname "$0")/lib.sh"
cd "$TESTS" || exit 1
Y=../inputs/demo_rank8.mtx   # 60 x 50, rank 8



one_line_error() { # $1: what
    if [ "$RC" -eq 1 ] && [ -n "$ERR" ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ]; then ok
    else not_ok "$1: expected exit 1 and one line on stderr, got exit $RC, stderr: $ERR"; fi
}
check() { # check "python expression over j" "what"
    echo "$OUT" | $PY -c "import sys, json; j = json.load(sys.stdin); sys.exit(0 if ($1) else 1)" && ok || not_ok "$2: $1"
}

run "$LRFA" fit --help
for o in --rule --widths --depth --init --decay --init-from; do
    echo "$OUT" | grep -q -- "$o" && ok || not_ok "fit --help lacks $o"
done

# gd through a bottleneck of 4 reaches opt(4) (no spurious minima): 1e-6 ||Y||_F
run "$LRFA" fit "$Y" --widths 16,4,16 --rule gd --json
[ "$RC" -eq 0 ] && ok || not_ok "gd deep exit $RC: $ERR"
check "abs(j['gap']) < 1e-6 * j['fro_norm'] and j['depth'] == 4 and j['widths'] == [16, 4, 16]" "deep gd reaches opt(4)"
check "len(j['layers']) == 4 and j['layers'][3]['rows'] == 60 and j['layers'][0]['cols'] == 50" "layer shapes"
# fa lands on its predicted limit (1e-6 ||Y||_F), above opt
run "$LRFA" fit "$Y" --widths 16,4,16 --rule fa --json
check "abs(j['error'] - j['fa_pred']) < 1e-6 * j['fro_norm'] and j['fa_pred'] > j['opt'] + 0.01 * j['fro_norm']" "deep fa on fa_pred"
check "j['pred_rank'] == 4" "fa: B_eff Y has the bottleneck's rank"
# dfa with d_1 = 16 above the bottleneck 4 and rank 8: no fixed point, divergence, exit 2
run "$LRFA" fit "$Y" --widths 16,4,16 --rule dfa --json
[ "$RC" -eq 2 ] && ok || not_ok "dfa without a fixed point: exit $RC"
check "j['no_fixed_point'] and j['fa_pred'] is None and j['stop'] == 'diverged'" "dfa says there is no fixed point"
echo "$ERR" | grep -q "no fixed point" && ok || not_ok "dfa message: $ERR"
# dfa whose first layer is the narrowest: a fixed point, reached
run "$LRFA" fit "$Y" --widths 4,16 --rule dfa --json
check "not j['no_fixed_point'] and abs(j['error'] - j['fa_pred']) < 1e-6 * j['fro_norm']" "dfa widths 4,16 on fa_pred"
# --depth L -r R is --widths R,R,...
run "$LRFA" fit "$Y" --depth 3 -r 5 --rule sign --json
check "j['widths'] == [5, 5] and j['rule'] == 'sign'" "--depth 3 -r 5"
# -r R alone is the two-layer model, and --algo still works
run "$LRFA" fit "$Y" -r 4 --algo fa --json
check "j['depth'] == 2 and j['algo'] == 'fa'" "the two-layer model"
# fa and dfa are the same rule at L = 2
A=$("$LRFA" fit "$Y" -r 4 --rule fa --json | $PY -c "import sys,json; j=json.load(sys.stdin); print(repr(j['error']), repr(j['fa_pred']))")
B=$("$LRFA" fit "$Y" -r 4 --rule dfa --json | $PY -c "import sys,json; j=json.load(sys.stdin); print(repr(j['error']), repr(j['fa_pred']))")
[ "$A" = "$B" ] && ok || not_ok "fa and dfa differ at L = 2: $A / $B"
# zero start: fa, dfa and kp learn; gd is refused
run "$LRFA" fit "$Y" --widths 8,8 --rule fa --init-scale 0 --json
check "j['error'] < 1e-6 * j['fro_norm']" "fa from zero, widths 8,8 >= rank 8"
run "$LRFA" fit "$Y" --widths 8,8 --rule gd --init-scale 0
one_line_error "gd from zero"
echo "$ERR" | grep -q "zero start" && ok || not_ok "gd zero start message: $ERR"
# orthogonal start
run "$LRFA" fit "$Y" --widths 8,8 --rule gd --init orthogonal --json
check "abs(j['gap']) < 1e-6 * j['fro_norm']" "gd from an orthogonal start"
# saved layers: PREFIX_W1 .. PREFIX_W3, PREFIX_B1, PREFIX_B2
run "$LRFA" fit "$Y" --widths 6,5 --rule kp --iters 200 --save "$TMP/kp" --json
for f in W1 W2 W3 B1 B2; do [ -s "$TMP/kp_$f.mtx" ] && ok || not_ok "--save wrote no $f"; done
head -2 "$TMP/kp_W2.mtx" | grep -q "widths 6,5" && ok || not_ok "saved comment"
# --init-from continues a saved run: 100 + 100 iterations give the 200-iteration run's error, bit for bit
err_of() { $PY -c "import sys, json; print(repr(json.load(sys.stdin)['error']))"; }
for shape in "--widths 6,5" "-r 3"; do
    # shellcheck disable=SC2086
    "$LRFA" fit "$Y" $shape --rule kp --iters 100 --tol 0 --save "$TMP/c" --json >/dev/null
    # shellcheck disable=SC2086
    A=$("$LRFA" fit "$Y" $shape --rule kp --iters 100 --tol 0 --init-from "$TMP/c" --json | err_of)
    # shellcheck disable=SC2086
    B=$("$LRFA" fit "$Y" $shape --rule kp --iters 200 --tol 0 --json | err_of)
    [ "$A" = "$B" ] && ok || not_ok "--init-from $shape: continued $A, straight $B"
    rm -f "$TMP"/c_*.mtx
done
"$LRFA" fit "$Y" --widths 6,5 --rule fa --iters 10 --save "$TMP/d" >/dev/null 2>&1
run "$LRFA" fit "$Y" --widths 6,4 --rule fa --init-from "$TMP/d"
one_line_error "--init-from of the wrong shape"
echo "$ERR" | grep -q "d_W2.mtx: W_2 is 5 x 6, expected 4 x 6" && ok || not_ok "wrong-shape message: $ERR"
run "$LRFA" fit "$Y" --widths 6,5 --rule fa --init-from "$TMP/nothing"
one_line_error "--init-from a missing prefix"
# --save never writes over its input, whatever layer's name it has
cp "$Y" "$TMP/in_W2.mtx"
run "$LRFA" fit "$TMP/in_W2.mtx" --widths 6,5 --iters 5 --save "$TMP/in"
one_line_error "--save over the input"
cmp -s "$Y" "$TMP/in_W2.mtx" && ok || not_ok "--save changed its input"
run "$LRFA" sweep "$Y" --widths R,R --ranks 2:3
one_line_error "sweep --widths R,R"
# a deep trace has a column per layer
run "$LRFA" fit "$Y" --widths 6,5 --rule fa --iters 100 --trace "$TMP/t.csv"
head -1 "$TMP/t.csv" | grep -q "align_2,align_3" && ok || not_ok "deep trace columns: $(head -1 "$TMP/t.csv")"
# L = 2 gives today's numbers: the two-layer fits of the solver before the layered one, to 1e-12
# (made with 2 OpenBLAS threads; under valgrind's 1 thread the bits differ by rounding); with lrfa's
# kernels on, to rounding (see below)
if [ "${TEST_SLOWDOWN:-1}" -gt 1 ] || [ -n "${OPENBLAS_NUM_THREADS:-}" ]; then
    echo "  (two-layer figures against the solver before: skipped, they hold for the reference's 2 BLAS threads)"
else
"$PY" - "$LRFA" <<'PYEOF' && ok || not_ok "two-layer numbers changed"
import json, os, subprocess, sys
# kernels off (LRFA_KERNELS=off: every product through OpenBLAS, as then): the same arithmetic, so 1e-12 on
# every figure. Kernels on (lrfa's own Y W^T, another order of the sums): the same. The exception is the final
# grad_align, which at FA's limit is the cosine of two vanishing vectors (B E -> 0 by cancellation) and moves
# with rounding, kernels on or off (another processor's OpenBLAS sums in another order): by up to about
# signal_cancellation * eps, which the run reports. Measured on an AMD EPYC against the Intel machine the
# figures were made on: 1.4e-17 to 6e-17 times signal_cancellation (6.0e-4 at 1.0e13); the tolerance is
# max(1e-12, 1e-15 * signal_cancellation).
for mode in ("off", "on"):
    env = dict(os.environ, LRFA_KERNELS="off") if mode == "off" else dict(os.environ)
    worst, worst_ga, n = 0.0, 0.0, 0
    for line in open("data/two_layer_before.txt"):
        if line.startswith("#"):
            continue
        args, vals = line.split(" | ")
        want = dict(kv.split("=") for kv in vals.split())
        got = json.loads(subprocess.run([sys.argv[1]] + args.split() + ["--json"], capture_output=True, text=True,
                                        env=env).stdout)
        fro = float(want["fro_norm"])
        words = args.split()
        beyond_rank = "demo_rank8" in args and int(words[words.index("-r") + 1]) > 8
        for k, v in want.items():
            if beyond_rank and k.startswith("overlap"):
                continue  # the leading r > rank(Y) = 8 singular vectors include arbitrary ones: no stable figure
            if k == "iterations":
                assert got[k] == int(v), (mode, args, k, got[k], v)
                continue
            scale = fro if k in ("error", "opt", "gap", "fa_pred") else 1.0
            d = abs(got[k] - float(v)) / scale
            if k == "grad_align":
                cancel = got["signal_cancellation"]
                tol = max(1e-12, 1e-15 * cancel) if cancel is not None else 1e-12
                worst_ga = max(worst_ga, d / tol)
                assert d <= tol, (mode, args, k, got[k], v, d, cancel)
                continue
            worst = max(worst, d)
            assert d <= 1e-12, (mode, args, k, got[k], v, d)
        n += 1
    print("  two-layer fits against the solver before the layered one, kernels %s: %d runs, largest difference %.1e "
          "(tol 1e-12), final grad_align %.2f of its tolerance max(1e-12, 1e-15 signal_cancellation)"
          % (mode, n, worst, worst_ga))
PYEOF
fi
# bad options: one line, exit 1
for bad in "--widths 16,0,16" "--widths 16,,16" "--widths 16,x" "--widths R,4" "--depth 1 -r 3" "--depth 3" \
           "--widths 4 --depth 3 -r 3" "--decay -1 --widths 4,4" "--init spiral --widths 4,4" "--rule bp --widths 4,4" \
           "--widths 4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4" "--widths 6,5 -r 3" "--widths 6,5 --rule fa --decay 0.01" \
           "--widths 6,5 --rule fa --init-from $TMP/d --init-scale 0" "--widths 6,5 --init orthogonal --init-from $TMP/d"; do
    # shellcheck disable=SC2086
    run "$LRFA" fit "$Y" $bad
    one_line_error "fit $bad"
done
# compare --rules: every rule from one start; dfa without a fixed point diverges (exit 2) but the table stands
run "$LRFA" compare "$Y" --widths 16,4,16 --rules gd,fa,dfa,kp,sign --json
[ "$RC" -eq 2 ] && ok || not_ok "compare with a diverging dfa: exit $RC"
check "j['rules'] == ['gd', 'fa', 'dfa', 'kp', 'sign'] and len(j['runs']) == 5 and j['depth'] == 4" "compare --rules runs"
check "abs(j['runs'][0]['gap']) < 1e-6 * j['fro_norm'] and abs(j['runs'][1]['error'] - j['runs'][1]['fa_pred']) < 1e-6 * j['fro_norm']" "compare: gd at opt, fa at pred"
check "j['runs'][2]['no_fixed_point'] and j['runs'][2]['stop'] == 'diverged'" "compare: dfa has no fixed point"
check "len(j['overlap_vs_first']) == 4 and all(0 <= v <= 1 for o in j['overlap_vs_first'] for v in o['h'] if v is not None)" "compare: overlaps in [0, 1]"
check "j['runs'][3]['layers'][1]['align'] > 0.99" "compare: kp aligns"
run "$LRFA" compare "$Y" -r 4 --rules fa,dfa --json
[ "$RC" -eq 0 ] && ok || not_ok "compare -r 4 --rules fa,dfa: exit $RC ($ERR)"
check "j['runs'][0]['error'] == j['runs'][1]['error'] and j['overlap_vs_first'][0]['h'][0] > 1 - 1e-9" "compare fa = dfa at L = 2"
run "$LRFA" compare "$Y" -r 3 --init-from "$TMP/nothing"
one_line_error "compare --init-from a missing prefix"
run "$LRFA" compare "$Y" --widths 8,8 --rules gd,gd
one_line_error "compare --rules gd,gd"
run "$LRFA" compare "$Y" --widths 8,8 --rules gd,fa --plot "$TMP/p.png"
one_line_error "compare --plot with a deep network"
# sweep one layer's width under gd, fa, dfa
run "$LRFA" sweep "$Y" --widths 8,R,8 --ranks 2:4 --rules gd,fa,dfa --csv "$TMP/s.csv" --plot "$TMP/s.png"
[ "$RC" -eq 2 ] && ok || not_ok "sweep with diverging dfa: exit $RC ($ERR)"
echo "$OUT" | grep -q "no fp" && ok || not_ok "sweep table marks dfa's missing fixed point"
[ -s "$TMP/s.png" ] && ok || not_ok "sweep plot"
$PY - "$TMP/s.csv" <<'PYEOF' && ok || not_ok "sweep CSV: fa on pred, gd at opt"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 9, len(rows)
for w in rows:
    if w['rule'] == 'gd': assert abs(float(w['rel_gap'])) < 1e-6, w
    if w['rule'] == 'fa': assert abs(float(w['error']) - float(w['fa_pred'])) < 1e-5, w
    if w['rule'] == 'dfa': assert w['no_fixed_point'] == '1' and w['stop'] == 'diverged', w
PYEOF
run "$LRFA" sweep "$Y" --depth 3 --ranks 2:3 --rules gd,kp
[ "$RC" -eq 0 ] && ok || not_ok "sweep --depth: exit $RC $ERR"
run "$LRFA" sweep "$Y" --widths 8,8 --ranks 2:3 --rules gd,fa
one_line_error "sweep --widths without R"
finish
