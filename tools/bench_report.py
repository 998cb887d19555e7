#!/usr/bin/python3
"""Turns the JSON lines of tools/bench into docs/benchmarks.md."""
import json
import os
import subprocess
import sys


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    get = lambda **kw: [r for r in rows if all(r.get(k) == v for k, v in kw.items())]
    one = lambda **kw: (get(**kw) or [None])[0]
    cpu = sh("lscpu | sed -n 's/^Model name: *//p'") or "unknown"
    mem = sh("free -g | awk '/^Mem:/ {print $2}'")
    blas = sh("dpkg-query -W -f='${Package} ${Version}' libopenblas0-pthread 2>/dev/null")
    # the best of the probes at the start and the end of the run: the machine is shared, and a bound
    # must be what it can do
    streams = get(mode="stream")
    bw = max(x["gb_per_s"] for x in streams)
    gf = one(mode="dgemm")["gflops"]
    fms = get(mode="fma")
    fm = max(fms, key=lambda x: x["gflops"]) if fms else None
    peak = max(gf, fm["gflops"]) if fm else gf  # the honest flop bound: what the cores can do
    out = []
    w = out.append
    w("# lrfa benchmarks\n")
    w("Made by `make bench` (tools/bench) in one run on one machine; every figure below is from that run. "
      "Absolute times drift on shared machines, so the comparisons are ratios within the run. Each case is "
      "the median of its repetitions; data are generated before the clock starts.\n")
    w("## Machine\n")
    w("| | |\n|---|---|")
    w("| CPU | %s |" % cpu)
    w("| cores | %s |" % (os.cpu_count() or "?"))
    w("| memory | %s GiB |" % mem)
    w("| BLAS | %s |" % (blas or "OpenBLAS"))
    w("| read bandwidth (2 threads summing 1 GiB; the best of %d probes: %s) | %.1f GB/s |" % (
        len(streams), ", ".join("%.1f" % x["gb_per_s"] for x in streams), bw))
    w("| dgemm rate (4000^3) | %.1f GFlop/s |" % gf)
    if fm:
        w("| the cores' own FMA peak (%s, %d threads of independent FMA chains; the best of %d probes: %s) | "
          "%.1f GFlop/s |" % (fm["isa"], fm["threads"], len(fms), ", ".join("%.1f" % x["gflops"] for x in fms),
                              fm["gflops"]))
    w("")
    ks = get(mode="kernel")
    bounds = lambda n, m, r, products: (n * m * 8 / (bw * 1e9) * 1e3, 2.0 * n * m * r * products / (peak * 1e9) * 1e3)
    if ks:
        k512 = [k for k in ks if k["isa"] == "avx512"]
        k2 = [k for k in ks if k["isa"] == "avx2"]
        w("## lrfa's kernel for Y W^T against OpenBLAS\n")
        w("The product of a dense Y with a thin factor (Y W^T, n x m times m x r) by OpenBLAS's dgemm and by "
          "lrfa's own kernel (src/kernels.c: Y read from memory once, on both cores, the same bits on every path), "
          "the same data, Y 16 bytes past a 64-byte boundary as malloc leaves it. The iterations use the AVX-512 "
          "path for r <= 128 (%s) and the AVX2 path, on processors without AVX-512, for r <= 16 (measured here "
          "with LRFA_KERNELS=avx2 against OpenBLAS's AVX2 kernels, which this machine's OPENBLAS_CORETYPE "
          "selects). Bounds: the bytes of Y over the read bandwidth, and 2nmr flops over the FMA peak.\n" % (
              "faster here at every shape measured" if all(k["kernel_ms"] < k["dgemm_ms"] for k in k512) else
              "NOT faster here at every shape: see the speed-up column"))
        w("| path | n x m | r | OpenBLAS ms | kernel ms | speed-up | bandwidth bound ms | flop bound ms | kernel / larger bound |")
        w("|---|---|---|---|---|---|---|---|---|")
        for k in k512 + k2:
            bwb, flb = bounds(k["n"], k["m"], k["r"], 1)
            w("| %s | %d x %d | %d | %.2f | %.2f | %.2fx | %.2f | %.2f | %.2fx |" % (
                k["isa"], k["n"], k["m"], k["r"], k["dgemm_ms"], k["kernel_ms"], k["dgemm_ms"] / k["kernel_ms"], bwb,
                flb, k["kernel_ms"] / max(bwb, flb)))
        w("")

    its = [x for x in get(mode="iter", storage="dense") if "peer" not in x and x["r"] in (16, 64, 128)]
    if its:
        w("## The dense iterations against the machine's bounds\n")
        w("lrfa's iterations (ms each, median of 3 runs of 20) on the dense targets. Bandwidth bound: Y read once "
          "(%.1f GB/s, measured in this run); flop bound: 2nmr flops per product with Y (FA one, GD two, in one "
          "fused pass) at the cores' FMA peak (%.0f GFlop/s). The targets: FA at r = 16 within 1.5x of the "
          "bandwidth bound, GD at r = 16 within 2x of it; at r = 64 and 128 both rules within 1.5x of the larger "
          "bound. Where the flop bound exceeds the bandwidth bound, a target set against the bandwidth bound "
          "alone asks for more than the cores' peak: the last column says so.\n" % (bw, peak))
        w("| n x m | r | rule | lrfa ms/iter | bandwidth bound ms | flop bound ms | target | lrfa / target's bound | met | note |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        for x in sorted(its, key=lambda x: (x["n"], x["r"], x["algo"] != "fa")):
            a, r = x["algo"], x["r"]
            bwb, flb = bounds(x["n"], x["m"], r, 1 if a == "fa" else 2)
            if r == 16:
                goal, base, what = (1.5 if a == "fa" else 2.0), bwb, "bandwidth"
            else:
                goal, base, what = 1.5, max(bwb, flb), "larger"
            ratio = x["ms_per_iter"] / base
            note = ("the flop bound is %.1fx the bandwidth bound: %.0f%% of the FMA peak would be needed" % (
                flb / bwb, 100.0 * flb / (goal * bwb)) if what == "bandwidth" and flb > bwb else "")
            w("| %d x %d | %d | %s | %.1f | %.1f | %.1f | %.1fx %s | %.2fx | %s | %s |" % (
                x["n"], x["m"], r, a.upper(), x["ms_per_iter"], bwb, flb, goal, what, ratio,
                "yes" if ratio <= goal else "no", note))
        w("")

    w("## Dense iterations: 8000 x 8000, rank-16 signal plus noise\n")
    w("The peer is a NumPy script of the same updates written the way a researcher would: `E = Z @ W - Y`, "
      "then `E @ W.T` and `B @ E` (FA) or `Z.T @ E` (GD). The bounds: the bytes of Y read per iteration over "
      "the read bandwidth (one pass for lrfa), and the iteration's flops (2nmr per product with Y: one for FA, "
      "two for GD) over the cores' own FMA peak (the larger of it and the dgemm rate).\n")
    w("| r | rule | lrfa ms/iter | NumPy ms/iter | speed-up | bandwidth bound ms | flop bound ms | lrfa / larger bound | lrfa peak MiB | Y MiB | NumPy peak MiB |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in (16, 128):
        for a in ("fa", "gd"):
            l = next((x for x in get(mode="iter", storage="dense", n=8000, r=r, algo=a) if "peer" not in x), None)
            p = next((x for x in get(mode="iter", storage="dense", r=r, algo=a) if x.get("peer")), None)
            if not l or not p:
                continue
            n = m = 8000
            bw_ms = n * m * 8 / (bw * 1e9) * 1e3
            flops = 2.0 * n * m * r * (1 if a == "fa" else 2)
            fl_ms = flops / (peak * 1e9) * 1e3
            bound = max(bw_ms, fl_ms)
            w("| %d | %s | %.1f | %.1f | %.1fx | %.1f | %.1f | %.2fx | %.0f | %.0f | %.0f |" % (
                r, a.upper(), l["ms_per_iter"], p["ms_per_iter"], p["ms_per_iter"] / l["ms_per_iter"], bw_ms, fl_ms,
                l["ms_per_iter"] / bound, l["peak_mb"], l["y_mb"], p["peak_mb"]))
    w("")
    w("## Deep networks: dense 4000 x 4000, widths 64,64,64 (L = 4)\n")
    w("The peer is PyTorch (Debian's python3-torch, 2 threads) written the way a researcher would: autograd on "
      "1/2 ||W_4 W_3 W_2 W_1 - Y||_F^2 for gd, and for the feedback rules a forward pass keeping every h_l, "
      "E = M - Y formed, the rule's signals and the updates delta_l h_{l-1}^T by hand. lrfa reads Y once per "
      "iteration for fa and dfa and twice for gd, kp and sign (the product of Y with the top's feedback). "
      "Targets: at least 3x faster than PyTorch float64 and faster than float32.\n")
    w("| rule | lrfa ms/iter | PyTorch float64 ms/iter | speed-up | PyTorch float32 ms/iter | speed-up | targets met |")
    w("|---|---|---|---|---|---|---|")
    for a in ("gd", "fa", "dfa", "kp", "sign"):
        l = next((x for x in get(mode="deep", rule=a) if "peer" not in x), None)
        p64 = one(mode="deep", rule=a, peer="torch-float64")
        p32 = one(mode="deep", rule=a, peer="torch-float32")
        if not l or not p64 or not p32:
            continue
        s64, s32 = p64["ms_per_iter"] / l["ms_per_iter"], p32["ms_per_iter"] / l["ms_per_iter"]
        w("| %s | %.1f | %.1f | %.1fx | %.1f | %.1fx | %s |" % (
            a, l["ms_per_iter"], p64["ms_per_iter"], s64, p32["ms_per_iter"], s32,
            "yes" if s64 >= 3 and s32 > 1 else "no (%s)" % ", ".join(
                t for t, ok in (("3x float64", s64 >= 3), ("float32", s32 > 1)) if not ok)))
    w("")
    po = one(mode="python_overhead")
    if po:
        w("## Calling through Python\n")
        w("The same fit (dense 4000 x 4000 file, r = 16, %d iterations; reading, spectrum and figures included) by "
          "`lrfa fit` and by `lrfa.fit` from Python, alternately, median wall time of each: command %.2f s, Python "
          "%.2f s, ratio %.3f (target: under 1.05).\n" % (po["iters"], po["cli_s"], po["python_s"], po["ratio"]))
    w("## Sparse iterations: 10^6 x 10^6, 10^7 entries, r = 16\n")
    w("The peer is a SciPy-sparse script using the same Gram identities (`Y @ W.T`, `Z @ (W @ W.T)`, "
      "`(B @ Z) @ W - BY`, `(Y.T @ Z).T`), run on the same matrix, read from the file lrfa's generator "
      "wrote: a dense E of 10^6 x 10^6 (8 TB) cannot exist. lrfa keeps Y twice "
      "(by columns and by rows, so both products run in parallel), and Z, W, B and the workspace are "
      "O((n + m) r) each: at r = 16 one n x r array is 122 MiB.\n")
    w("| rule | lrfa ms/iter | SciPy ms/iter | speed-up | lrfa peak MiB | Y compressed MiB | SciPy peak MiB |")
    w("|---|---|---|---|---|---|---|")
    for a in ("fa", "gd"):
        l = next((x for x in get(mode="iter", storage="sparse", algo=a) if "peer" not in x), None)
        p = next((x for x in get(mode="iter", storage="sparse", algo=a) if x.get("peer")), None)
        if l and p:
            w("| %s | %.1f | %.1f | %.1fx | %.0f | %.0f | %.0f |" % (a.upper(), l["ms_per_iter"], p["ms_per_iter"],
                                                              p["ms_per_iter"] / l["ms_per_iter"], l["peak_mb"],
                                                              l["y_mb"], p["peak_mb"]))
    w("")
    w("## Spectrum\n")
    s = one(mode="spectrum")
    if s:
        w("Dense %d x %d, the %d leading singular values: LAPACK dgesdd (all values, no vectors) %.1f s, "
          "lrfa's Lanczos %.2f s: **%.0fx** faster; largest relative difference %.1e.\n" % (
              s["n"], s["n"], s["k"], s["dgesdd_s"], s["lanczos_s"], s["dgesdd_s"] / s["lanczos_s"], s["max_rel_diff"]))
    ss, sv = one(mode="sparse_spectrum"), one(mode="svds")
    if ss and sv:
        w("Sparse 10^6 x 10^6 with 10^7 entries, 16 leading values: lrfa's Lanczos %.1f s, "
          "`scipy.sparse.linalg.svds` %.1f s (lrfa %.2fx as fast), on the same matrix (a rank-16 block signal plus "
          "noise on the stored entries; s_16 sits at the edge of the noise, so the check for missed values, "
          "'%s' here, has to resolve a cluster: the next value is %.6g against s_16 = %.6g)." % (
              ss["lanczos_s"], sv["seconds"], sv["seconds"] / ss["lanczos_s"], ss.get("check", "?"),
              ss.get("next", float("nan")), ss["sk"]))
        if "sk" in sv:
            w(" The two agree: s_1 to %.1e and s_16 to %.1e relative." % (
                abs(ss["s1"] - sv["s1"]) / sv["s1"], abs(ss["sk"] - sv["sk"]) / sv["sk"]))
        w("")
    cases = get(mode="spectrum_cases")
    if cases:
        w("## Spectrum accuracy on repeated and clustered values\n")
        w("The leading K values by `lrfa_spectrum_leading` with the Lanczos method against all of dgesdd's, "
          "for K = 1..%d: the largest |s_i - dgesdd_i| / s_1 over i <= K. The cases:\n" % len(cases[0]["k"]))
        for i, c in enumerate(cases):
            tl = sum(x["seconds"] for x in c["k"])
            methods = sorted(set(x["check"] for x in c["k"]))
            w("%d. %s (%d x %d): dgesdd %.2f s; all %d values of K in %.2f s, checked by: %s" % (
                i + 1, c["case"], c["rows"], c["cols"], c["dgesdd_s"], len(c["k"]), tl, ", ".join(methods)))
        w("")
        w("| K | " + " | ".join("case %d" % (i + 1) for i in range(len(cases))) + " |")
        w("|---|" + "---|" * len(cases))
        for j in range(len(cases[0]["k"])):
            w("| %d | " % cases[0]["k"][j]["K"] + " | ".join("%.1e" % c["k"][j]["max_err"] for c in cases) + " |")
        worst = max(x["max_err"] for c in cases for x in c["k"])
        w("\nLargest error in the table: %.1e of s_1 (the target is 1e-10). 'converged': the largest value "
          "left out converged at or below s_K; 'bound': a value above s_K left out has probability below 1e-10; "
          "'exact': the basis spans the matrix; 'dgesdd': Lanczos did not settle within its budget (values "
          "too tightly clustered) and dgesdd on a dense copy gave the values (docs/spectrum.md).\n" % worst)
    w("## Reading Matrix Market files\n")
    w("| file | MB | lrfa MB/s | scipy.io.mmread MB/s | speed-up |")
    w("|---|---|---|---|---|")
    for kind in ("dense", "sparse"):
        l = next((x for x in get(mode="parse") if x["file"].endswith(kind + ".mtx")), None)
        p = next((x for x in get(mode="mmread") if x["file"].endswith(kind + ".mtx")), None)
        if l and p:
            w("| %s | %.0f | %.1f | %.1f | %.1fx |" % (kind, l["mb"], l["mb_per_s"], p["mb_per_s"],
                                                   l["mb_per_s"] / p["mb_per_s"]))
    w("")
    w("Raw results (JSON lines):\n")
    w("```")
    for r in rows:
        w(json.dumps(r))
    w("```")
    print("\n".join(out))


if __name__ == "__main__":
    main()
