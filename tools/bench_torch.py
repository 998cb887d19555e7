#!/usr/bin/python3
"""The PyTorch peer of `make bench`: a deep linear network Y ~ W_L ... W_1
trained the way a researcher would write it in PyTorch, on 2 threads.
Backpropagation uses autograd on 1/2 ||M - Y||_F^2; the feedback rules are
written by hand (a forward pass keeping every h_l, E = M - Y, then the
signals delta_l of the rule and the updates delta_l h_{l-1}^T). Data are made
before the clock starts; prints one JSON line with the median over REPS.

    bench_torch.py deep N M D1,D2,... RULE ITERS REPS float64|float32
"""
import json
import sys
import time

import os

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_peer import dense_target  # noqa: E402  the same target as every dense benchmark


def main():
    n, m = int(sys.argv[2]), int(sys.argv[3])
    widths = [int(x) for x in sys.argv[4].split(",")]
    rule, iters, reps, dtype = sys.argv[5], int(sys.argv[6]), int(sys.argv[7]), sys.argv[8]
    torch.set_num_threads(2)
    dt = torch.float64 if dtype == "float64" else torch.float32
    rng = np.random.default_rng(1)
    Y = torch.from_numpy(dense_target(n, m, rng)).to(dt)
    d = [m] + widths + [n]
    L = len(d) - 1
    s1 = float(torch.linalg.matrix_norm(Y, ord=2))
    eta = 0.2 / s1 ** (2.0 * (L - 1) / L)
    lam = 1e-3 * s1 ** (2.0 * (L - 1) / L)
    g = torch.Generator().manual_seed(1)
    times = []
    for rep in range(reps):
        W = [torch.randn(d[l], d[l - 1], generator=g, dtype=dt) * (0.1 * s1 ** (1.0 / L) / max(d[l], d[l - 1]) ** 0.5)
             for l in range(1, L + 1)]
        cols = (lambda l: n) if rule == "dfa" else (lambda l: d[l + 1])
        B = [torch.randn(d[l], cols(l), generator=g, dtype=dt) / max(d[l], cols(l)) ** 0.5 for l in range(1, L)]
        if rule == "gd":
            for w in W:
                w.requires_grad_(True)
        t0 = time.perf_counter()
        for _ in range(iters):
            if rule == "gd":
                h = W[0]
                for w in W[1:]:
                    h = w @ h
                loss = 0.5 * ((h - Y) ** 2).sum()
                loss.backward()
                with torch.no_grad():
                    for w in W:
                        w -= eta * w.grad
                        w.grad = None
                continue
            hs = [W[0]]
            for w in W[1:]:
                hs.append(w @ hs[-1])
            E = hs[-1] - Y
            delta = [None] * L
            delta[L - 1] = E
            for l in range(L - 2, -1, -1):
                if rule == "dfa":
                    delta[l] = B[l] @ E
                elif rule == "sign":
                    S = torch.sign(W[l + 1]).T
                    S = S * (W[l + 1].norm() / S.norm())
                    delta[l] = S @ delta[l + 1]
                else:
                    delta[l] = B[l] @ delta[l + 1]
            G = [delta[0]] + [delta[l] @ hs[l - 1].T for l in range(1, L)]
            if rule == "kp":
                for l in range(L - 1):
                    B[l] = (1 - eta * lam) * B[l] - eta * G[l + 1].T
                for l in range(1, L):
                    W[l] = (1 - eta * lam) * W[l] - eta * G[l]
                W[0] = W[0] - eta * G[0]
            else:
                W = [w - eta * gl for w, gl in zip(W, G)]
        times.append((time.perf_counter() - t0) / iters * 1e3)
    print(json.dumps({"mode": "deep", "peer": "torch-" + dtype, "n": n, "m": m, "widths": sys.argv[4], "rule": rule,
                      "ms_per_iter": float(np.median(times))}))


if __name__ == "__main__":
    main()
