#!/usr/bin/python3
"""`make bench`: what calling lrfa through Python costs over the command. The
same fit (FILE, r = 16, ITERS iterations) run by `lrfa fit --json` and by
`lrfa.fit` from Python, alternately REPS times each; the wall time of the
whole call (reading, spectrum, iterations, figures), median of each. Prints
one JSON line.

    bench_python.py LRFA FILE ITERS REPS
"""
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import lrfa  # noqa: E402


def main():
    cli, path, iters, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    t_cli, t_py = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run([cli, "fit", path, "-r", "16", "--iters", str(iters), "--tol", "0", "--json", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
        t_cli.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        lrfa.fit(path, rank=16, iters=iters, tol=0)
        t_py.append(time.perf_counter() - t0)
    a, b = statistics.median(t_cli), statistics.median(t_py)
    print(json.dumps({"mode": "python_overhead", "file_mb": os.path.getsize(path) / 1e6, "iters": iters,
                      "cli_s": a, "python_s": b, "ratio": b / a}))


if __name__ == "__main__":
    main()
