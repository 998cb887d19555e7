#!/bin/sh
# tests/mpi/run.sh: the distributed Matrix Market reader under mpirun with
# P = 1, 2, 3 and 4 processes (oversubscribed on a small machine): every
# process's block of rows equals the serial reader's rows, plain and
# transposed, and every file the serial reader refuses is refused with the
# same message and line. Each run has a time limit, so a hang fails.
set -u
cd "$(dirname "$0")/../.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# the check holds the whole matrix on every process as its reference, so
# the seed with 922 million columns (7 GB of column pointers each) is left
# to the serial tests
GOOD=$(ls ../shared/matrices/*.mtx tests/data/matrices/*.mtx inputs/*.mtx tests/edge/*.mtx tests/degenerate/*.mtx 2>/dev/null)
BAD=$(ls tests/bad/* tests/fuzz/seeds_mmio/* | grep -v wide_empty_1x922375337)
pass=0
fail=0
for P in 1 2 3 4; do
    # transposed, an array file's values go to their rows 7 a round (many rounds)
    for mode in "" "--transpose --round 7"; do
        out=$(timeout 300 mpirun -np $P "$READ_CHECK" $mode $GOOD $BAD 2>&1)
        rc=$?
        ok=$(printf '%s\n' "$out" | grep -c '^ok ')
        bad=$(printf '%s\n' "$out" | grep -c '^FAIL')
        pass=$((pass + ok))
        fail=$((fail + bad))
        if [ $rc -ne 0 ] || [ "$bad" -ne 0 ]; then
            printf '%s\n' "$out" | grep -v '^ok ' | head -20
            [ $rc -eq 124 ] && echo "FAIL: P = $P $mode: no answer within 300 s"
            [ "$bad" -eq 0 ] && fail=$((fail + 1))
        fi
    done
done
echo "mpi read: $pass passed, $fail failed (files x P = 1..4 x plain/transposed)"
read_fail=$fail

# ---- lrfa-mpi against lrfa: the same figures, the same saved factors ----
# (tests/mpi/same.py: 1e-12 relative or of each figure's scale; see there
# for the two kinds of figure that carry fewer digits by their mathematics)
[ -n "${LRFA_MPI:-}" ] || { [ $read_fail -eq 0 ]; exit; }
PY=/usr/bin/python3
OUT=tests/out/mpi
rm -rf "$OUT"
mkdir -p "$OUT"
"$LRFA" gen --rows 300 --cols 200 --rank 12 --spectrum linear --noise 1e-3 --seed 5 -o "$OUT/dense300x200.mtx" >/dev/null || exit 1
DENSE="$OUT/dense300x200.mtx"
TALL=inputs/demo_rank8.mtx
SPARSE=tests/data/matrices/west0479.mtx
WIDE=tests/data/matrices/lp_share1b.mtx
SPTALL=tests/data/matrices/well1033.mtx
pass=0
fail=0
n=0
# check NAME P ARGS...: lrfa ARGS --json against mpirun -np P lrfa-mpi ARGS --json
check() {
    name=$1 P=$2
    shift 2
    n=$((n + 1))
    s="$OUT/s$n.json" d="$OUT/d$n.json"
    "$LRFA" "$@" --json >"$s" 2>"$s.err"
    rs=$?
    timeout 300 mpirun -np "$P" "$LRFA_MPI" "$@" --json >"$d" 2>"$d.err"
    rd=$?
    if [ $rs -ne $rd ]; then
        echo "FAIL: $name P = $P: exit $rd, lrfa exits $rs: $*"
        head -3 "$d.err"
        fail=$((fail + 1))
        return
    fi
    if [ $rs -gt 2 ] || ! diff=$($PY tests/mpi/same.py "$s" "$d"); then
        echo "FAIL: $name P = $P: $*"
        printf '%s\n' "$diff" | head -6
        fail=$((fail + 1))
        return
    fi
    pass=$((pass + 1))
}
# each case at one P, the cases cycling through P = 1 .. 4 (Open MPI on two
# cores spins past two processes, so every run at P = 3 or 4 costs seconds)
P=0
next_p() { P=$((P % 4 + 1)); }
for f in "$DENSE" "$SPARSE"; do
    for rule in gd fa kp sign; do
        next_p; check "fit $rule" $P fit "$f" -r 4 --rule $rule
        next_p; check "deep $rule" $P fit "$f" --widths 6,5 --rule $rule
    done
    next_p; check "deep dfa" $P fit "$f" --widths 6,6 --rule dfa
    next_p; check "compare" $P compare "$f" -r 3
    next_p; check "info" $P info "$f"
done
next_p; check "wide fit" $P fit "$WIDE" -r 5 --rule fa
next_p; check "tall sparse fit" $P fit "$SPTALL" -r 6 --rule gd
next_p; check "transposed" $P fit "$SPARSE" -r 3 --rule fa --transpose
next_p; check "orthogonal start" $P fit "$TALL" -r 4 --init orthogonal
next_p; check "info wide" $P info "$WIDE"
next_p; check "compare rules" $P compare "$DENSE" --widths 6,6 --rules gd,fa,dfa,kp,sign
# sweep: its CSV; --save: the factors, gathered a column at a time
n=$((n + 1))
"$LRFA" sweep "$SPARSE" --ranks 2:4 --seeds 2 --iters 2000 --csv "$OUT/s$n.csv" --quiet >/dev/null 2>&1
timeout 300 mpirun -np 3 "$LRFA_MPI" sweep "$SPARSE" --ranks 2:4 --seeds 2 --iters 2000 --csv "$OUT/d$n.csv" --quiet >/dev/null 2>&1
if $PY tests/mpi/same.py "$OUT/s$n.csv" "$OUT/d$n.csv" >"$OUT/sweep$n.txt"; then pass=$((pass + 1)); else
    echo "FAIL: sweep P = 3"; head -5 "$OUT/sweep$n.txt"; fail=$((fail + 1)); fi
P=1
for spec in "-r 4 --rule fa:Z W B" "--widths 6,6 --rule dfa:W1 W2 W3 B1 B2"; do
    n=$((n + 1))
    P=$((P * 2))
    args=${spec%%:*} mats=${spec#*:}
    "$LRFA" fit "$DENSE" $args --save "$OUT/s$n" --quiet >/dev/null 2>&1
    timeout 300 mpirun -np $P "$LRFA_MPI" fit "$DENSE" $args --save "$OUT/d$n" --quiet >/dev/null 2>&1
    for x in $mats; do
        if $PY tests/mpi/same.py "$OUT/s${n}_$x.mtx" "$OUT/d${n}_$x.mtx" >/dev/null 2>&1; then pass=$((pass + 1)); else
            echo "FAIL: --save $args, P = $P: ${x}.mtx differs"; fail=$((fail + 1)); fi
    done
done
# --init-from the factors just saved, read as the target is (the top layer by
# rows, an n-wide feedback by columns): the continued runs equal lrfa's, and a
# start of the wrong shape is refused with lrfa's message
FA_SAVED="$OUT/s$((n - 1))" DFA_SAVED="$OUT/s$n"
next_p; check "--init-from fa" $P fit "$DENSE" -r 4 --rule fa --iters 50 --tol 0 --init-from "$FA_SAVED"
next_p; check "--init-from dfa" $P fit "$DENSE" --widths 6,6 --rule dfa --iters 50 --tol 0 --init-from "$DFA_SAVED"
n=$((n + 1))
timeout 60 mpirun -q -np 3 "$LRFA_MPI" fit "$DENSE" -r 5 --rule fa --init-from "$FA_SAVED" >/dev/null 2>"$OUT/init$n.err"
rc=$?
want=$("$LRFA" fit "$DENSE" -r 5 --rule fa --init-from "$FA_SAVED" 2>&1 >/dev/null | head -1)
if [ $rc -eq 1 ] && [ "$(grep -c . "$OUT/init$n.err")" -eq 1 ] && grep -qxF -- "$want" "$OUT/init$n.err"; then
    pass=$((pass + 1)); else echo "FAIL: --init-from of the wrong shape at P = 3: exit $rc"; head -3 "$OUT/init$n.err"
    fail=$((fail + 1)); fi
# SIGTERM to one process (as a batch scheduler sends it): every process stops
# alike, the saved factors are whole, exit 143 and lrfa's one line; a process
# killed outright brings the run down (non-zero, within the time limit), no hang
SIGY="$OUT/sig.mtx"
"$LRFA" gen --rows 300 --cols 200 --rank 40 --spectrum linear --seed 3 -o "$SIGY" >/dev/null
for sig in TERM KILL; do
    rm -f "$OUT"/sig_*.mtx
    timeout 120 mpirun -q -np 2 "$LRFA_MPI" fit "$SIGY" -r 6 --rule fa --iters 1000000000 --tol 0 --lr 0.01 \
        --save "$OUT/sig" --quiet >/dev/null 2>"$OUT/sig.err" &
    job=$!
    sleep 4
    # this run's own last process: timeout's mpirun's newest child
    victim=$(pgrep -n -P "$(pgrep -P $job -x mpirun | head -1)" -x lrfa-mpi)
    [ -n "$victim" ] && kill -$sig "$victim"
    wait $job
    rc=$?
    if [ $sig = TERM ]; then
        if [ $rc -eq 143 ] && [ "$(grep -c . "$OUT/sig.err")" -eq 1 ] &&
            grep -q "^lrfa: fit: interrupted by SIGTERM at iteration [0-9]*; kept the factors" "$OUT/sig.err" &&
            $PY -c "import scipy.io, sys; [scipy.io.mmread(sys.argv[1] + '_' + x + '.mtx') for x in 'ZWB']" "$OUT/sig"
        then pass=$((pass + 1)); else
            echo "FAIL: SIGTERM to one of 2 processes: exit $rc (want 143)"; head -3 "$OUT/sig.err"; fail=$((fail + 1)); fi
    elif [ $rc -ne 0 ] && [ $rc -ne 124 ]; then pass=$((pass + 1)); else
        echo "FAIL: a process killed (SIGKILL) of 2: exit $rc (124: a hang)"; fail=$((fail + 1)); fi
done
# bad input under P = 3: exit 1, the serial message on one line (mpirun -q:
# without it mpirun adds its own note that a process exited non-zero), no hang
for f in tests/bad/banner_missing.mtx tests/bad/index_row_out_of_range.mtx tests/bad/too_few_entries.mtx \
         tests/bad/too_many_entries.mtx tests/bad/value_nan.mtx tests/bad/symmetric_pair_far_apart.mtx \
         tests/bad/nul_byte.mtx tests/bad/size_too_big_sparse_dims.mtx tests/bad/array_too_few.mtx; do
    [ -f "$f" ] || { echo "FAIL: $f is missing"; fail=$((fail + 1)); continue; }
    n=$((n + 1))
    timeout 60 mpirun -q -np 3 "$LRFA_MPI" fit "$f" -r 2 >/dev/null 2>"$OUT/bad$n.err"
    rc=$?
    lines=$(grep -c . "$OUT/bad$n.err")
    want=$("$LRFA" fit "$f" -r 2 2>&1 >/dev/null | head -1)
    if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -qxF -- "$want" "$OUT/bad$n.err"; then pass=$((pass + 1)); else
        echo "FAIL: bad input $f under P = 3: exit $rc, $lines lines on stderr (want 1: $want)"; head -3 "$OUT/bad$n.err"
        fail=$((fail + 1)); fi
done
echo "lrfa-mpi: $pass passed, $fail failed (lrfa-mpi against lrfa, each case at one of P = 1..4; bad input at P = 3)"
[ $fail -eq 0 ] && [ $read_fail -eq 0 ]
