#!/bin/sh
# Interoperability with SciPy (Debian's /usr/bin/python3):
#  - what SciPy writes, lrfa reads: `lrfa convert` of SciPy's files gives
#    exactly SciPy's values, and `lrfa info --json` gives NumPy's norm
#    (1e-12 relative) and singular values (1e-10 relative to s_1);
#  - what lrfa writes, SciPy reads with identical values.
. "$(dirname "$0")/lib.sh"

if ! $PY -c 'import numpy, scipy' 2>/dev/null; then
    not_ok "python3-numpy and python3-scipy are needed (make deps installs them)"
    finish
    exit $?
fi

# 1. SciPy writes a set of matrices
$PY - "$TMP" <<'PYEOF' || not_ok "SciPy could not write the test matrices"
import sys, numpy as np, scipy.io, scipy.sparse
d = sys.argv[1]
rng = np.random.default_rng(7)
A = rng.standard_normal((23, 17)) * 10.0 ** rng.integers(-200, 200, (23, 17))
scipy.io.mmwrite(d + "/sp_dense.mtx", A, precision=17)
S = scipy.sparse.random(40, 30, density=0.1, random_state=3, format="coo")
scipy.io.mmwrite(d + "/sp_sparse.mtx", S, precision=17)
Sym = scipy.sparse.random(25, 25, density=0.2, random_state=4)
Sym = (Sym + Sym.T).tocoo()
scipy.io.mmwrite(d + "/sp_sym.mtx", Sym, symmetry="symmetric", precision=17)
I = rng.integers(-1000, 1000, (6, 9))
scipy.io.mmwrite(d + "/sp_int.mtx", I)
PYEOF

for name in sp_dense sp_sparse sp_sym sp_int; do
    run "$LRFA" convert "$TMP/$name.mtx" "$TMP/$name.lrfa.mtx"
    [ "$RC" -eq 0 ] && ok || not_ok "convert $name: exit $RC: $ERR"
    run "$LRFA" info "$TMP/$name.mtx" --json
    [ "$RC" -eq 0 ] && ok || not_ok "info $name: exit $RC: $ERR"
    echo "$OUT" >"$TMP/$name.json"
done

# 2. lrfa writes the shared matrices
for f in "$TESTS"/data/matrices/*.mtx; do
    b=$(basename "$f" .mtx)
    run "$LRFA" convert "$f" "$TMP/shared_$b.mtx"
    [ "$RC" -eq 0 ] && ok || not_ok "convert $b: exit $RC: $ERR"
done

# 3. SciPy compares
$PY - "$TMP" "$TESTS/data/matrices" >"$TMP/py.out" 2>&1 <<'PYEOF'
import sys, os, json, numpy as np, scipy.io, scipy.sparse
d, shared = sys.argv[1], sys.argv[2]
bad = 0
def dense(x):
    if scipy.sparse.issparse(x):
        x = scipy.sparse.csc_matrix(x, dtype=np.float64); x.sum_duplicates(); return x
    return np.asarray(x, dtype=np.float64)
def same(a, b):
    if scipy.sparse.issparse(a):
        if not scipy.sparse.issparse(b) or a.shape != b.shape or a.nnz != b.nnz: return False
        a.sort_indices(); b.sort_indices()
        return (np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
                and a.data.tobytes() == b.data.tobytes())
    return a.shape == b.shape and a.tobytes() == b.tobytes()
for name in ["sp_dense", "sp_sparse", "sp_sym", "sp_int"]:
    a = dense(scipy.io.mmread(f"{d}/{name}.mtx"))
    b = dense(scipy.io.mmread(f"{d}/{name}.lrfa.mtx"))
    if not same(a, b):
        print(f"FAIL: {name}: lrfa's rewrite differs from SciPy's values"); bad += 1
    info = json.load(open(f"{d}/{name}.json"))
    D = a.toarray() if scipy.sparse.issparse(a) else a
    scale = abs(D).max()
    fro = scale * np.linalg.norm(D / scale)   # entries span 1e-200..1e200: scale first
    s = np.linalg.svd(D, compute_uv=False)
    e_fro = abs(info["fro_norm"] - fro) / fro
    e_s = max(abs(np.array(info["singular_values"]) - s)) / s[0]
    if info["rows"] != D.shape[0] or info["cols"] != D.shape[1] or not (e_fro <= 1e-12 and e_s <= 1e-10):
        print(f"FAIL: {name}: info disagrees (norm {e_fro:.2e}, values {e_s:.2e})"); bad += 1
    print(f"{name}: norm err {e_fro:.2e} (tol 1e-12), singular values err {e_s:.2e} (tol 1e-10)")
for f in sorted(os.listdir(shared)):
    if not f.endswith(".mtx"): continue
    a = dense(scipy.io.mmread(f"{shared}/{f}"))
    b = dense(scipy.io.mmread(f"{d}/shared_{f}"))
    if scipy.sparse.issparse(a) and scipy.sparse.issparse(b):
        ok = a.shape == b.shape and abs(a - b).max() == 0 and a.nnz == b.nnz
    else:
        ok = same(a, b)
    if not ok:
        print(f"FAIL: {f}: SciPy reads lrfa's copy with different values"); bad += 1
print(f"compared: {bad} failures")
sys.exit(1 if bad else 0)
PYEOF
if [ $? -eq 0 ]; then ok; else not_ok "SciPy comparison: $(grep FAIL "$TMP/py.out" | head -5)"; fi
sed 's/^/  /' "$TMP/py.out"

# 5. files the strict reading of the format refuses but SciPy reads: symmetric
# and skew files by their upper triangle (as graph collections write them) or
# a mix of both, and pattern files with a value column. lrfa must read the
# matrix SciPy reads, to the bit: compared through lrfa's rewrite.
$PY - "$TMP" <<'PYEOF' || not_ok "SciPy could not write the upper-triangle test files"
import sys, numpy as np, scipy.io, scipy.sparse
d = sys.argv[1]
rng = np.random.default_rng(11)
def rewrite(src, dst, flip, banner=None):
    # flip(k) says whether entry k moves to the other triangle (i, j swapped)
    lines = open(src).read().split("\n")
    out, k, size_seen = [], 0, False
    for ln in lines:
        if ln.startswith("%%") and banner: ln = banner
        elif ln and not ln.startswith("%"):
            if not size_seen: size_seen = True
            else:
                t = ln.split()
                if flip(k) and t[0] != t[1]: t[0], t[1] = t[1], t[0]
                ln = " ".join(t); k += 1
        out.append(ln)
    open(dst, "w").write("\n".join(out))
S = scipy.sparse.random(300, 300, density=0.02, random_state=5)
Sym = (S + S.T).tocoo()
scipy.io.mmwrite(d + "/lower_sym.mtx", Sym, symmetry="symmetric", precision=17)
rewrite(d + "/lower_sym.mtx", d + "/up_sym.mtx", lambda k: True)
rewrite(d + "/lower_sym.mtx", d + "/mixed_sym.mtx", lambda k: rng.random() < 0.5)
K = (S - S.T).tocoo()
scipy.io.mmwrite(d + "/lower_skew.mtx", K, symmetry="skew-symmetric", precision=17)
rewrite(d + "/lower_skew.mtx", d + "/up_skew.mtx", lambda k: True)
rewrite(d + "/lower_skew.mtx", d + "/mixed_skew.mtx", lambda k: rng.random() < 0.5)
G = scipy.sparse.random(120, 80, density=0.05, random_state=6).tocoo()
scipy.io.mmwrite(d + "/real_gen.mtx", G, precision=17)
rewrite(d + "/real_gen.mtx", d + "/pattern_values.mtx", lambda k: False,
        banner="%%MatrixMarket matrix coordinate pattern general")
PYEOF
for f in "$TESTS"/edge/symmetric_upper_triangle.mtx "$TESTS"/edge/skew_upper_triangle.mtx \
         "$TESTS"/edge/skew_mixed_triangles.mtx "$TESTS"/edge/pattern_with_value_column.mtx \
         "$TMP"/up_sym.mtx "$TMP"/mixed_sym.mtx "$TMP"/up_skew.mtx "$TMP"/mixed_skew.mtx "$TMP"/pattern_values.mtx; do
    b=$(basename "$f" .mtx)
    run "$LRFA" convert "$f" "$TMP/relaxed_$b.lrfa.mtx"
    [ "$RC" -eq 0 ] && ok || not_ok "convert $b: exit $RC: $ERR"
    cp "$f" "$TMP/relaxed_$b.mtx"
done
$PY - "$TMP" >"$TMP/py5.out" 2>&1 <<'PYEOF'
import sys, os, numpy as np, scipy.io, scipy.sparse
d, bad = sys.argv[1], 0
for f in sorted(os.listdir(d)):
    if not f.startswith("relaxed_") or f.endswith(".lrfa.mtx"): continue
    a = scipy.sparse.csc_matrix(scipy.io.mmread(f"{d}/{f}"), dtype=np.float64); a.sum_duplicates()
    b = scipy.sparse.csc_matrix(scipy.io.mmread(f"{d}/{f[:-4]}.lrfa.mtx"), dtype=np.float64); b.sum_duplicates()
    diff = abs(a - b).max() if a.shape == b.shape else float("inf")
    ok = a.shape == b.shape and diff == 0
    print(f"{f[8:]}: {a.shape[0]} x {a.shape[1]}, {a.nnz} stored, largest difference from SciPy's reading {diff:.1e} (must be 0)")
    bad += not ok
sys.exit(1 if bad else 0)
PYEOF
if [ $? -eq 0 ]; then ok; else not_ok "SciPy reads the relaxed files differently: $(grep -v '(must be 0)$' "$TMP/py5.out" | head -3)"; fi
sed 's/^/  /' "$TMP/py5.out"
# the pair given in both triangles, which SciPy sums silently, is refused
run "$LRFA" info "$TESTS/bad/symmetric_pair_in_both_triangles.mtx"
[ "$RC" -eq 1 ] && echo "$ERR" | grep -q ':4: entry (1, 2) mirrors entry (2, 1) on line 3' && ok ||
    not_ok "a pair in both triangles: exit $RC: $ERR"

# 4. the acceptance check: info --json on bcsstk03 matches SciPy
run "$LRFA" info "$TESTS/data/matrices/bcsstk03.mtx" --json
echo "$OUT" | $PY -c '
import sys, json, numpy as np, scipy.io
info = json.load(sys.stdin)
A = scipy.io.mmread(sys.argv[1]).toarray()
s = np.linalg.svd(A, compute_uv=False)
fro = np.linalg.norm(A)
opt = [np.sqrt(np.sum(s[r:] ** 2)) for r in range(len(s) + 1)]
e1 = abs(info["fro_norm"] - fro) / fro
e2 = max(abs(np.array(info["singular_values"]) - s)) / s[0]
e3 = max(abs(np.array(info["opt_error"]) - opt)) / fro
print("  bcsstk03: norm err %.2e (tol 1e-12), values err %.2e (tol 1e-10), opt err %.2e (tol 1e-10)" % (e1, e2, e3))
ok = info["rows"] == 112 and info["cols"] == 112 and len(info["singular_values"]) == 112 and e1 < 1e-12 and e2 < 1e-10 and e3 < 1e-10
sys.exit(0 if ok else 1)
' "$TESTS/data/matrices/bcsstk03.mtx" && ok || not_ok "bcsstk03 info --json disagrees with SciPy"

finish
