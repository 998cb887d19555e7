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
    for mode in "" --transpose; do
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
[ $fail -eq 0 ]
