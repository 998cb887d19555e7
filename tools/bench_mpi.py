"""tools/bench_mpi.py: lrfa-mpi's scaling and communication, and the model.

  bench_mpi.py run LRFA_MPI FILE NAME RULE R ITERS P...   JSON lines on stdout
  bench_mpi.py report RESULTS.jsonl                       a Markdown section

run: for each P, `mpirun -np P lrfa-mpi fit FILE -r R --rule RULE --tol 0`
with ITERS and 2 ITERS iterations (LRFA_MPI_STATS=1): the milliseconds an
iteration, the sums over the processes an iteration and the doubles they
carry (the difference of the two runs, so the set-up's sums drop out), and
every process's peak resident memory.

report: the measured table, the communication model against the
measurement, and the model's prediction for 8, 64 and 512 machines like
this one, with its assumptions said.
"""
import json
import math
import os
import subprocess
import sys


def fit(lrfa_mpi, path, rule, r, iters, p, bind):
    env = dict(os.environ, LRFA_MPI_STATS="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    cmd = ["mpirun", "-q", "-np", str(p)] + ([] if bind else ["--bind-to", "none"]) + ["-x", "LRFA_MPI_STATS", lrfa_mpi, "fit", path, "-r", str(r), "--rule", rule,
           "--tol", "0", "--iters", str(iters), "--json", "--quiet"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    doc = json.loads(out.stdout)
    stats = [json.loads(l)["mpi_stats"] for l in out.stderr.splitlines() if l.startswith('{"mpi_stats"')][-1]
    return doc, stats


def run(argv):
    lrfa_mpi, path, name, rule, r, iters = argv[:6]
    r, iters = int(r), int(iters)
    for spec in argv[6:]:
        # "1": mpirun's default binding (one core a process); "1u": unbound
        p, bind = int(spec.rstrip("u")), not spec.endswith("u")
        d1, s1 = fit(lrfa_mpi, path, rule, r, iters, p, bind)
        d2, s2 = fit(lrfa_mpi, path, rule, r, 2 * iters, p, bind)
        print(json.dumps({
            "mode": "mpi", "case": name, "rule": rule, "r": r, "P": p, "bound": bind, "n": d2["rows"], "m": d2["cols"],
            "ms_per_iter": d2["ms_per_iter"], "sums_per_iter": (s2["sums"] - s1["sums"]) / iters,
            "doubles_per_iter": (s2["doubles"] - s1["doubles"]) / iters, "peak_mib": s2["peak_mib"],
            "error": d2["error"]}))
        sys.stdout.flush()


def model_doubles(rule, widths, m):
    """Doubles summed over the processes an iteration (src/solver.c):
    products() sends T_2^T T_2 (d_1^2), C_1 T_2 (d_1^2, not gd) and
    <T_2, Q_1> in one sum; gd, kp and sign add C_{L-1} Y (d_{L-1} m); each
    middle layer's update adds its d_l d_{l-1} direction."""
    d = widths
    L = len(d)
    c = d[0] * d[0] * (1 if rule == "gd" else 2) + 1
    if rule in ("gd", "kp", "sign"):
        c += d[-1] * m
    for l in range(1, L):
        c += d[l] * d[l - 1]
    return c


# assumptions of the prediction (not measured here: one machine)
ALPHA = 5e-6       # s, latency of one message between machines
NET = 12.5e9       # bytes/s, a 100 Gb/s link


def comm_seconds(doubles, p, sums):
    """A sum is a reduce to rank 0 and a broadcast back, each a binomial
    tree of ceil(log2 P) steps that move the whole payload."""
    if p == 1:
        return 0.0
    steps = 2 * math.ceil(math.log2(p))
    return sums * steps * ALPHA + steps * 8.0 * doubles / NET


def report(path):
    rows = [json.loads(l) for l in open(path) if '"mode": "mpi"' in l]
    if not rows:
        return
    print("\n## Across processes (lrfa-mpi)\n")
    print("`mpirun -np P lrfa-mpi fit FILE -r 16 --tol 0` on this machine (2 cores, so P = 2 is its limit; "
          "more processes oversubscribe it). Milliseconds an iteration; the sums over the processes an "
          "iteration and the doubles they carry, from two runs of different lengths (so the set-up's drop "
          "out), against the model; each process's peak resident memory.\n")
    print("| case | rule | P | ms / iteration | speed-up over P = 1 | sums / iteration | doubles / iteration "
          "(model) | peak MiB per process |")
    print("|---|---|---|---|---|---|---|---|")
    base = {}
    for x in sorted(rows, key=lambda x: x.get("bound", True)):  # a bound P = 1 wins over an unbound one
        if x["P"] == 1:
            base[(x["case"], x["rule"])] = x["ms_per_iter"]
    for x in rows:
        key = (x["case"], x["rule"])
        sp = base.get(key, float("nan")) / x["ms_per_iter"]
        model = model_doubles(x["rule"], [x["r"]], x["m"])
        label = "%d%s" % (x["P"], "" if x.get("bound", True) else " (unbound: 2 threads)")
        print("| %s | %s | %s | %.2f | %.2fx | %.0f | %.0f (%d) | %s |" % (
            x["case"], x["rule"], label, x["ms_per_iter"], sp, x["sums_per_iter"], x["doubles_per_iter"],
            model if x["P"] > 1 else 0, ", ".join("%.0f" % v for v in x["peak_mib"])))
    print("\nP = 1 under mpirun is bound to one core (Open MPI's default for up to two processes); unbound it "
          "uses both cores through lrfa's threads, which is the fair one-process figure (the speed-up is "
          "over the bound P = 1 where there is one). The peaks include the reader's: an array file's values "
          "go in rounds straight into each process's block, so a dense Y costs its share and little more; a "
          "coordinate file's entries are held as (row, column, value) while they are sent to their rows' "
          "owners and compressed, about three times the share of Y.")
    print("\n### The model, and what it predicts for many machines\n")
    print("Doubles summed an iteration (src/solver.c; the same for every P): products() sends "
          "T_2^T T_2 (d_1^2), C_1 T_2 (d_1^2, not gd) and the Gram identity's <T_2, Q_1> as one sum; gd, kp "
          "and sign add C_{L-1} Y (d_{L-1} m); every middle layer l of a deep network adds its update "
          "direction (d_l d_{l-1}). So fa and dfa send 2 d_1^2 + 1 + sum_l d_l d_{l-1} doubles, independent of "
          "n and m; gd d_1^2 + 1 + d_{L-1} m + sum_l d_l d_{l-1}; kp and sign 2 d_1^2 + 1 + d_{L-1} m + "
          "sum_l d_l d_{l-1}. The set-up adds one d_1 x m sum (C_1 Y, fa and dfa) and the spectrum's: per "
          "Lanczos block step of width b, an m x b sum and about two of cap x b for the reorthogonalization. "
          "A sum is a reduce to rank 0 and a broadcast back: with a binomial tree each of the 2 log2 P steps "
          "moves the whole payload, 8 bytes a double, so a process sends and receives about 16 bytes a double "
          "an iteration.\n")
    print("The prediction takes this machine's measured time per byte of Y at P = 1 (dense 4000^2 or sparse "
          "10^6 x 10^6, below) for the computation, divided by P, and for the communication assumes "
          "%.0f us a message and %.1f GB/s a link (a 100 Gb/s network; not measured here). Memory per "
          "process: its share of Y (sparse: Y and Y by rows, 16 bytes an entry each), its rows of the n-side "
          "arrays (Z, Y W^T, B or the scratch of Z^T: 3 x 8 r bytes a row) and the m-side arrays every "
          "process holds whole (W, C_1 Y or C Y: 2 x 8 r m bytes), and one side of the singular vectors: "
          "U by rows when n <= m, else V whole.\n" % (ALPHA * 1e6, NET / 1e9))
    per_byte = {}
    for x in sorted(rows, key=lambda x: not x.get("bound", True)):  # an unbound P = 1 wins over a bound one
        if x["P"] == 1:
            ybytes = 8.0 * x["n"] * x["m"] if x["case"].startswith("dense") else 32.0 * 1e7
            per_byte[(x["case"].split()[0], x["rule"])] = x["ms_per_iter"] / 1e3 / ybytes
    targets = [("dense 100,000^2", "dense", 1e5, 1e5, 8.0 * 1e10),
               ("sparse 10^8 x 10^7, 10^9 entries", "sparse", 1e8, 1e7, 32.0 * 1e9),
               ("sparse 10^8 x 10^8, 10^9 entries", "sparse", 1e8, 1e8, 32.0 * 1e9)]
    print("| target, r = 16 | rule | P | compute s / it. | communicate s / it. | MiB / process | fits 24 GiB |")
    print("|---|---|---|---|---|---|---|")
    for name, kind, n, m, ybytes in targets:
        for rule in ("fa", "gd"):
            t1 = per_byte.get((kind, rule))
            if t1 is None:
                continue
            for p in (8, 64, 512):
                comp = t1 * ybytes / p
                c = model_doubles(rule, [16], m)
                comm = comm_seconds(c, p, 1 if rule == "fa" else 2)
                left = n <= m  # the singular vectors held: U (split) or V (whole)
                mem = (ybytes / p + (4 if left else 3) * 8 * 16 * n / p + (2 if left else 3) * 8 * 16 * m) / 2 ** 20
                print("| %s | %s | %d | %.3g | %.3g | %.0f | %s |" % (name, rule, p, comp, comm, mem,
                                                                   "yes" if mem < 22 * 1024 else "no"))
    print("\nWhere it says no, the m-side arrays, held whole by every process (two of r x m doubles: 26 GB at "
          "m = 10^8), are what does not fit at any P: such a target needs the columns split too, which lrfa "
          "does not do yet.")


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2:])
    else:
        report(sys.argv[2])
