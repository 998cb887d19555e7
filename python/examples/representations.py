#!/usr/bin/python3
"""How different are the hidden representations GD and FA learn?

For every rank r and several seeds, fit Y ~ Z W by gradient descent and by
feedback alignment from the same start, and measure the overlap of the two
hidden representations row(W_GD) and row(W_FA), next to each one's gap to
the optimum. Plots with matplotlib when it is installed, else with lrfa's own
`sweep --plot` (gnuplot).

    PYTHONPATH=python python/examples/representations.py inputs/demo_rank8.mtx 1 10 3 out.png
"""
import shutil
import subprocess
import sys

import numpy as np

import lrfa


def main():
    path, lo, hi, seeds, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    ranks = list(range(lo, hi + 1))
    Y = lrfa.read(path)
    inf = lrfa.info(Y)
    ov = np.zeros((len(ranks), seeds))
    gaps = {"gd": np.zeros_like(ov), "fa": np.zeros_like(ov)}
    for i, r in enumerate(ranks):
        for s in range(seeds):
            c = lrfa.compare(Y, rank=r, seed=1 + s)
            gd, fa = c["runs"]["gd"], c["runs"]["fa"]
            ov[i, s] = lrfa.overlap(gd.W, fa.W, rows=True)[0]
            gaps["gd"][i, s], gaps["fa"][i, s] = gd.rel_gap, fa.rel_gap
        print("r = %2d  overlap row(W_GD), row(W_FA): %.3f [%.3f, %.3f]   gap/||Y||: GD %.1e  FA %.1e" % (
            r, ov[i].mean(), ov[i].min(), ov[i].max(), gaps["gd"][i].max(), gaps["fa"][i].mean()))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        lrfa_bin = shutil.which("lrfa") or "./lrfa"
        print("matplotlib is not installed: drawing with `lrfa sweep --plot` instead")
        subprocess.run([lrfa_bin, "sweep", path, "--ranks", "%d:%d" % (lo, hi), "--seeds", str(seeds), "--plot", out,
                        "--quiet"], check=True, stdout=subprocess.DEVNULL)
        return
    fig, ax = plt.subplots(2, 1, figsize=(7, 7), sharex=True)
    ax[0].semilogy(ranks, np.maximum(gaps["gd"].mean(1), 1e-16), "o-", label="GD")
    ax[0].semilogy(ranks, np.maximum(gaps["fa"].mean(1), 1e-16), "s-", label="FA")
    ax[0].axvline(inf.rank, ls=":", c="gray")
    ax[0].set_ylabel("gap / ||Y||_F")
    ax[0].legend()
    ax[1].errorbar(ranks, ov.mean(1), yerr=[ov.mean(1) - ov.min(1), ov.max(1) - ov.mean(1)], fmt="o-")
    ax[1].set_ylabel("overlap row(W_GD), row(W_FA)")
    ax[1].set_xlabel("rank r")
    fig.savefig(out)


if __name__ == "__main__":
    main()
