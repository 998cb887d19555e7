#!/usr/bin/python3
"""The peers of `make bench`: the same updates written the way a researcher
would, in NumPy (dense: form E = Z W - Y, then the two products) and in
SciPy-sparse (with the Gram identities: a dense E of 10^6 x 10^6 cannot
exist), plus dgesdd/svds and mmread. Data are made before the clock starts;
each case prints one JSON line with the median of its repetitions.

    bench_peer.py iter dense N M R gd|fa ITERS REPS
    bench_peer.py iter sparse N M NNZ R gd|fa ITERS REPS
    bench_peer.py iter file FILE R gd|fa ITERS REPS      (the matrix lrfa uses)
    bench_peer.py svds N NNZ K          (sparse)
    bench_peer.py svds-file FILE K
    bench_peer.py gesdd N K REPS        (dense, values only)
    bench_peer.py mmread FILE REPS
"""
import json
import os
import resource
import sys
import time

import numpy as np
import scipy.io
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def dense_target(n, m, rng):
    k = 16
    s = (16.0 - np.arange(k)) / 16.0
    U, _ = np.linalg.qr(rng.standard_normal((n, k)))
    V, _ = np.linalg.qr(rng.standard_normal((m, k)))
    Y = (U * s) @ V.T
    Y += rng.standard_normal((n, m)) * (1e-2 / np.sqrt(n))
    return np.asfortranarray(Y)


def sparse_target(n, m, nnz, rng):
    Y = scipy.sparse.random(n, m, density=nnz / (n * m), format="csr", random_state=rng, dtype=np.float64)
    return Y


def iter_case(args):
    storage = args[0]
    fileY = None
    if storage == "file":
        fileY = scipy.sparse.csr_matrix(scipy.io.mmread(args[1]))
        storage = "sparse"
        (n, m), nnz = fileY.shape, fileY.nnz
        r, algo, iters, reps = int(args[2]), args[3], int(args[4]), int(args[5])
    elif storage == "dense":
        n, m, r, algo, iters, reps = int(args[1]), int(args[2]), int(args[3]), args[4], int(args[5]), int(args[6])
        nnz = n * m
    else:
        n, m, nnz, r, algo, iters, reps = (int(args[1]), int(args[2]), int(args[3]), int(args[4]), args[5],
                                          int(args[6]), int(args[7]))
    rng = np.random.default_rng(1)
    if fileY is not None:
        Y = fileY
    else:
        Y = dense_target(n, m, rng) if storage == "dense" else sparse_target(n, m, nnz, rng)
    if storage == "dense":
        s1 = np.linalg.norm(Y, 2) if n <= 2000 else scipy.sparse.linalg.svds(Y, k=1, return_singular_vectors=False)[0]
    else:
        s1 = scipy.sparse.linalg.svds(Y, k=1, return_singular_vectors=False)[0]
    eta = 0.2 / s1
    times = []
    for rep in range(reps):
        Z = rng.standard_normal((n, r)) * 1e-4 * np.sqrt(s1 / n)
        W = rng.standard_normal((r, m)) * 1e-4 * np.sqrt(s1 / m)
        B = rng.standard_normal((r, n)) * np.sqrt(s1 / n)
        if storage == "dense":
            t0 = time.perf_counter()
            for _ in range(iters):
                E = Z @ W - Y
                gZ = E @ W.T
                gW = B @ E if algo == "fa" else Z.T @ E
                Z = Z - eta * gZ
                W = W - eta * gW
            times.append((time.perf_counter() - t0) / iters * 1e3)
        else:
            YT = Y.T.tocsr()
            BY = (YT @ B.T).T if algo == "fa" else None
            t0 = time.perf_counter()
            for _ in range(iters):
                YWt = Y @ W.T
                gZ = Z @ (W @ W.T) - YWt
                if algo == "fa":
                    gW = (B @ Z) @ W - BY
                else:
                    gW = (Z.T @ Z) @ W - (YT @ Z).T
                Z = Z - eta * gZ
                W = W - eta * gW
            times.append((time.perf_counter() - t0) / iters * 1e3)
    print(json.dumps({"mode": "iter", "peer": "numpy" if storage == "dense" else "scipy-sparse", "storage": storage,
                      "n": n, "m": m, "r": r, "algo": algo, "ms_per_iter": float(np.median(times)),
                      "peak_mb": peak_mb()}))


def svds_case(args):
    n, nnz, k = int(args[0]), int(args[1]), int(args[2])
    Y = sparse_target(n, n, nnz, np.random.default_rng(1))
    t0 = time.perf_counter()
    s = scipy.sparse.linalg.svds(Y, k=k, return_singular_vectors=False)
    print(json.dumps({"mode": "svds", "n": n, "k": k, "seconds": time.perf_counter() - t0, "s1": float(max(s))}))


def svds_file_case(args):
    Y = scipy.sparse.csr_matrix(scipy.io.mmread(args[0]))
    k = int(args[1])
    t0 = time.perf_counter()
    s = scipy.sparse.linalg.svds(Y, k=k, return_singular_vectors=False)
    print(json.dumps({"mode": "svds", "n": Y.shape[0], "k": k, "seconds": time.perf_counter() - t0,
                      "s1": float(max(s)), "sk": float(min(s)), "same_matrix": True}))


def gesdd_case(args):
    n, k, reps = int(args[0]), int(args[1]), int(args[2])
    Y = dense_target(n, n, np.random.default_rng(1))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        scipy.linalg.svd(Y, compute_uv=False, lapack_driver="gesdd")
        times.append(time.perf_counter() - t0)
    print(json.dumps({"mode": "gesdd", "n": n, "seconds": float(np.median(times))}))


def mmread_case(args):
    path, reps = args[0], int(args[1])
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        scipy.io.mmread(path)
        times.append(time.perf_counter() - t0)
    size = os.path.getsize(path)
    print(json.dumps({"mode": "mmread", "file": path, "mb": size / 1e6, "seconds": float(np.median(times)),
                      "mb_per_s": size / 1e6 / float(np.median(times))}))


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    {"iter": iter_case, "svds": svds_case, "svds-file": svds_file_case, "gesdd": gesdd_case,
     "mmread": mmread_case}[mode](args)
