#!/usr/bin/python3
"""Writes tests/data/reference.txt: independent reference figures for every
matrix in tests/data/matrices, computed with SciPy and NumPy.

Run with Debian's /usr/bin/python3 (python3-numpy, python3-scipy):
    /usr/bin/python3 tests/tools/make_reference.py
Columns: name rows cols file_entries stored fro s1 s2 s3 s4 s5
  file_entries  the entry count on the size line (for array files, the values listed)
  stored        entries after mirroring symmetric files and summing repeats
                (explicit zeros included); rows*cols for array files
  fro           ||Y||_F
  s1..s5        the five largest singular values (LAPACK via numpy.linalg.svd)
Also writes tests/data/rng_reference.txt from an independent Python
implementation of xoshiro256** seeded through splitmix64, as lrfa seeds it.
"""
import os
import sys

import numpy as np
import scipy.io
import scipy.sparse

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
M64 = (1 << 64) - 1


def declared_entries(path):
    with open(path) as f:
        banner = f.readline().lower().split()
        for line in f:
            s = line.strip()
            if s and not s.startswith("%"):
                t = [int(x) for x in s.split()]
                if banner[2] == "coordinate":
                    return t[2]
                n = t[0]
                return {"general": t[0] * t[1], "symmetric": n * (n + 1) // 2,
                        "skew-symmetric": n * (n - 1) // 2}[banner[4]]


def matrix_figures(path):
    A = scipy.io.mmread(path)
    if scipy.sparse.issparse(A):
        A = scipy.sparse.csc_matrix(A, dtype=np.float64)
        A.sum_duplicates()
        stored = A.nnz
        D = A.toarray()
        fro = np.linalg.norm(A.data)
    else:
        D = np.asarray(A, dtype=np.float64)
        stored = D.size
        fro = np.linalg.norm(D)
    s = np.linalg.svd(D, compute_uv=False)
    s = list(s[:5]) + [0.0] * (5 - min(5, len(s)))
    return D.shape, stored, fro, s


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


def xoshiro_stream(seed, stream, count):
    a, za = splitmix64(seed)
    b, zb = splitmix64(stream ^ 0x6A09E667F3BCC909)
    z = za ^ rotl(zb, 32)
    s = []
    for _ in range(4):
        z, v = splitmix64(z)
        s.append(v)
    out = []
    for _ in range(count):
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        out.append(result)
    return out


LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10


def log_portable(x):
    """log x from +, -, *, / only, step for step as lrfa computes it."""
    import math
    m, e = math.frexp(x)
    if m < 0.70710678118654752440:
        m *= 2.0
        e -= 1
    f = (m - 1.0) / (m + 1.0)
    s = f * f
    p = 1.0 / 25.0
    for k in range(11, 0, -1):
        p = 1.0 / float(2 * k + 1) + s * p
    return float(e) * LN2_HI + (float(e) * LN2_LO + (2.0 * f * s * p + 2.0 * f))


def gaussians(seed, stream, count):
    """Marsaglia polar method on xoshiro256** uniforms, as lrfa samples them."""
    import math
    raw = iter(xoshiro_stream(seed, stream, 4 * count + 1000))
    out = []
    while len(out) < count:
        u = 2.0 * ((next(raw) >> 11) * 2.0 ** -53) - 1.0
        v = 2.0 * ((next(raw) >> 11) * 2.0 ** -53) - 1.0
        s = u * u + v * v
        if s >= 1.0 or s == 0.0:
            continue
        mult = math.sqrt(-2.0 * log_portable(s) / s)
        out += [u * mult, v * mult]
    return out[:count]


def main():
    mdir = os.path.join(DATA, "matrices")
    rows = []
    for name in sorted(os.listdir(mdir)):
        if not name.endswith(".mtx"):
            continue
        path = os.path.join(mdir, name)
        (m, n), stored, fro, s = matrix_figures(path)
        rows.append("%s %d %d %d %d %.17g %s" % (
            name, m, n, declared_entries(path), stored, fro, " ".join("%.17g" % v for v in s)))
    with open(os.path.join(DATA, "reference.txt"), "w") as f:
        f.write("# name rows cols file_entries stored fro s1 s2 s3 s4 s5 "
                "(tests/tools/make_reference.py, SciPy %s, NumPy %s)\n"
                % (scipy.__version__, np.__version__))
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(DATA, "rng_reference.txt"), "w") as f:
        f.write("# seed stream then the first 8 outputs of xoshiro256** (tests/tools/make_reference.py)\n")
        for seed, stream in ((0, 0), (42, 0), (42, 1), (2**64 - 1, 7)):
            f.write("%d %d %s\n" % (seed, stream, " ".join(str(v) for v in xoshiro_stream(seed, stream, 8))))
        f.write("# gaussians seed stream then the first 16 N(0,1) samples, as hex floats\n")
        for seed, stream in ((42, 0), (7, 3)):
            f.write("g %d %d %s\n" % (seed, stream, " ".join(v.hex() for v in gaussians(seed, stream, 16))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
