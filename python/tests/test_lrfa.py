"""Tests of the Python module (run by `make test` with /usr/bin/python3):
the results equal the command's --json bit for bit, the figures agree with
NumPy's, every input type and error path, memory over many fits, and a fit
interrupted by a signal."""
import json
import os
import resource
import signal
import subprocess
import tempfile
import threading
import unittest

import numpy as np

import lrfa

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.path.join(ROOT, "inputs", "demo_rank8.mtx")
LRFA = os.environ.get("LRFA", os.path.join(ROOT, "lrfa"))
SPARSE = os.path.join(ROOT, "tests", "data", "matrices", "west0479.mtx")


def cli_json(*args):
    out = subprocess.run([LRFA] + list(args) + ["--json"], capture_output=True, text=True)
    return json.loads(out.stdout)


class TestAgainstTheCommand(unittest.TestCase):
    """fit(...).to_dict() is `lrfa fit ... --json`: the same keys, and the same
    numbers to the last bit (same build, same thread count)."""

    def check(self, cli_args, **kw):
        want = cli_json("fit", *cli_args)
        got = lrfa.fit(cli_args[0], **kw).to_dict()
        self.assertEqual(set(want), set(got))
        for k, v in want.items():
            if k in ("seconds", "iter_seconds", "ms_per_iter"):
                continue
            if k == "layers":
                for a, b in zip(v, got[k]):
                    for kk in a:
                        self.assertEqual(a[kk], b[kk], (cli_args, k, kk))
                continue
            self.assertEqual(v, got[k], (cli_args, k))

    def test_two_layer_rules(self):
        for rule in lrfa.RULES:
            self.check([DEMO, "-r", "4", "--rule", rule, "--seed", "3"], rank=4, rule=rule, seed=3)

    def test_deep(self):
        self.check([DEMO, "--widths", "16,4,16", "--rule", "fa"], widths=[16, 4, 16], rule="fa")
        self.check([DEMO, "--depth", "3", "-r", "5", "--rule", "kp", "--iters", "300", "--tol", "0"],
                   rank=5, depth=3, rule="kp", iters=300, tol=0)

    def test_options(self):
        self.check([DEMO, "-r", "3", "--lr", "0.05", "--init-scale", "0.01", "--transpose", "--iters", "200"],
                   rank=3, lr=0.05, init_scale=0.01, transpose=True, iters=200)

    def test_sparse_file(self):
        self.check([SPARSE, "-r", "6", "--rule", "fa", "--iters", "100", "--tol", "0"], rank=6, rule="fa", iters=100,
                   tol=0)


class TestFigures(unittest.TestCase):
    """The figures against NumPy's own computation from the returned weights."""

    def test_error_and_overlap(self):
        Y = lrfa.read(DEMO)
        r = lrfa.fit(Y, rank=4, rule="fa")
        err = abs(np.linalg.norm(r.Z @ r.W - Y) - r.error) / np.linalg.norm(Y)
        print("\n    ||Z W - Y|| against the reported error: %.1e (tol 1e-14)" % err)
        self.assertLess(err, 1e-14)
        s = np.linalg.svd(Y, compute_uv=False)
        self.assertAlmostEqual(r.opt, np.sqrt(np.sum(s[4:] ** 2)), delta=1e-14)
        U, _, Vt = np.linalg.svd(Y)
        Q, _ = np.linalg.qr(r.W.T)
        ov = np.linalg.norm(Q.T @ Vt[:4].T) ** 2 / 4
        self.assertAlmostEqual(ov, r.overlap_w_top, delta=1e-12)
        # the FA prediction from NumPy: project Y onto row(B Y)
        Qb, _ = np.linalg.qr((r.B @ Y).T)
        pred = np.linalg.norm(Y - Y @ Qb @ Qb.T)
        self.assertAlmostEqual(pred, r.fa_pred, delta=1e-12)
        self.assertAlmostEqual(pred, lrfa.fa_prediction(Y, r.B), delta=1e-12)
        align = np.trace(r.B @ r.Z) / (np.linalg.norm(r.B) * np.linalg.norm(r.Z))
        self.assertAlmostEqual(align, r.align_zb, delta=1e-12)

    def test_grad_align(self):
        """grad_align, cos(B E, Z^T E) with E = Z W - Y, against NumPy on a Y
        wide enough (9000 columns) that lrfa takes it in three blocks."""
        Y = np.random.default_rng(7).standard_normal((60, 9000))
        for rule in ("fa", "kp"):
            r = lrfa.fit(Y, rank=4, rule=rule, iters=40, tol=0)
            E = r.Z @ r.W - Y
            a, b = (r.B @ E).ravel(), (r.Z.T @ E).ravel()
            want = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
            # lrfa forms B E as (B Z) W - B Y (no n x m array): it loses the digits of
            # kappa = (|(B Z) W| + |B Y|) / |B E| (3.7e6 here for fa, whose B E is small)
            kappa = sum((np.linalg.norm((C @ r.Z) @ r.W) + np.linalg.norm(C @ Y)) / np.linalg.norm(C @ E)
                        for C in (r.B, r.Z.T))
            tol = 1e-14 * kappa
            print("\n    %s grad_align %.6f against NumPy: %.1e (tol 1e-14 kappa = %.1e)" % (
                rule, want, abs(want - r.grad_align), tol))
            self.assertAlmostEqual(want, r.grad_align, delta=tol)

    def test_deep_product(self):
        Y = lrfa.read(DEMO)
        r = lrfa.fit(Y, widths=[16, 4, 16], rule="gd")
        M = r.weights[3] @ r.weights[2] @ r.weights[1] @ r.weights[0]
        self.assertLess(abs(np.linalg.norm(M - Y) - r.error), 1e-13)
        self.assertEqual([w.shape for w in r.weights], [(16, 50), (4, 16), (16, 4), (60, 16)])
        est = lrfa.Factorization(widths=[16, 4, 16]).fit(Y)
        self.assertLess(np.linalg.norm(est.reconstruct() - M), 1e-12)
        self.assertEqual(est.get_params()["widths"], [16, 4, 16])

    def test_overlap(self):
        rng = np.random.default_rng(1)
        A = rng.standard_normal((30, 4))
        ov, cos = lrfa.overlap(A, A @ rng.standard_normal((4, 4)))
        self.assertAlmostEqual(ov, 1.0, delta=1e-12)
        self.assertEqual(len(cos), 4)
        ov2, _ = lrfa.overlap(np.eye(30)[:, :3], np.eye(30)[:, 3:6])
        self.assertLess(ov2, 1e-14)

    def test_trace(self):
        r = lrfa.fit(DEMO, rank=4, rule="fa", log_every=50, iters=300, tol=0)
        self.assertEqual(r.trace.iteration[-1], 300)
        self.assertTrue(np.all(np.diff(r.trace.iteration) > 0))
        d = lrfa.fit(DEMO, widths=[6, 5], rule="fa", log_every=50, iters=100, tol=0)
        self.assertIn("align_2", d.trace.dtype.names)



    def test_start(self):
        """iters=0 returns the start; start_weights / start_feedback resume it: a
        run from seed 3's start equals seed 3's run bit for bit, and one FA step
        from a given start is W_l - eta delta_l h_(l-1)^T (naive NumPy)."""
        Y = lrfa.read(DEMO)
        a = lrfa.fit(Y, widths=[6, 5], rule="fa", seed=3, iters=0)
        self.assertEqual(a.iterations, 0)
        b = lrfa.fit(Y, widths=[6, 5], rule="fa", seed=9, iters=40, tol=0, start_weights=a.weights,
                     start_feedback=a.feedback)
        c = lrfa.fit(Y, widths=[6, 5], rule="fa", seed=3, iters=40, tol=0)
        diff = max(np.abs(x - y).max() for x, y in zip(b.weights, c.weights))
        print("\n  resumed start vs seed 3: largest difference %.1e (tolerance 0)" % diff)
        self.assertEqual(diff, 0.0)
        W1, W2, W3 = a.weights
        B1, B2 = a.feedback
        s = lrfa.fit(Y, widths=[6, 5], rule="fa", iters=1, tol=0, start_weights=a.weights, start_feedback=a.feedback)
        E = W3 @ W2 @ W1 - Y
        d2 = B2 @ E
        d1 = B1 @ d2
        want = [W1 - s.lr * d1, W2 - s.lr * d2 @ W1.T, W3 - s.lr * E @ (W2 @ W1).T]
        rel = max(np.linalg.norm(x - y) / np.linalg.norm(y) for x, y in zip(s.weights, want))
        print("  one FA step against NumPy: relative difference %.1e (tolerance 1e-12)" % rel)
        self.assertLess(rel, 1e-12)
        with self.assertRaises(ValueError):
            lrfa.fit(Y, widths=[6, 5], rule="fa", start_weights=a.weights[:2])
        with self.assertRaises(ValueError):
            lrfa.fit(Y, widths=[6, 5], rule="fa", start_weights=a.weights[::-1])
        with self.assertRaises(ValueError):
            lrfa.fit(Y, widths=[6, 5], rule="fa", start_weights=a.weights, init_scale=1.0)
class TestInputs(unittest.TestCase):
    """Every input type gives the same fit: a path, C- and Fortran-ordered
    arrays, other real dtypes, and SciPy sparse matrices."""

    def test_types(self):
        Y = lrfa.read(DEMO)
        base = lrfa.fit(Y, rank=3).error
        for Z in (DEMO, np.ascontiguousarray(Y), np.asfortranarray(Y), Y.tolist()):
            self.assertEqual(lrfa.fit(Z, rank=3).error, base)
        self.assertTrue(np.isfinite(lrfa.fit(Y.astype(np.float32), rank=3).error))
        self.assertTrue(np.isfinite(lrfa.fit((Y * 100).astype(np.int64), rank=3).error))
        import scipy.sparse
        S = scipy.sparse.random(40, 30, density=0.2, random_state=2, format="coo")
        a = lrfa.fit(S, rank=3, iters=200, tol=0)
        b = lrfa.fit(S.tocsr(), rank=3, iters=200, tol=0)
        self.assertEqual(a.error, b.error)
        self.assertAlmostEqual(a.error, lrfa.fit(S.toarray(), rank=3, iters=200, tol=0).error, delta=1e-12)

    def test_no_copy(self):
        Y = np.asfortranarray(lrfa.read(DEMO))
        inp = lrfa._Input(Y)
        self.assertIs(inp.array, Y)

    def test_read_write(self):
        import scipy.sparse
        with tempfile.TemporaryDirectory() as d:
            Y = lrfa.read(DEMO)
            p = os.path.join(d, "y.mtx")
            lrfa.write(p, Y, comment="a test")
            self.assertTrue(np.array_equal(lrfa.read(p), Y))
            S = scipy.sparse.random(20, 10, density=0.3, random_state=1, format="csc")
            lrfa.write(p, S)
            T = lrfa.read(p)
            self.assertEqual((T != S).nnz, 0)
            import scipy.io
            self.assertEqual((scipy.sparse.csc_matrix(scipy.io.mmread(p)) != S).nnz, 0)


class TestErrors(unittest.TestCase):
    def test_bad_options(self):
        for kw in ({"rank": 0}, {"rank": 99}, {"rank": 3, "rule": "bp"}, {"widths": [4, 0]}, {"rank": 3, "lr": -1},
                   {"rank": 3, "rule": "gd", "init_scale": 0}, {"rank": 3, "init": "spiral"}, {},
                   {"rank": 3, "widths": [4]}, {"depth": 3}):
            with self.assertRaises(ValueError, msg=str(kw)):
                lrfa.fit(DEMO, **kw)

    def test_bad_input(self):
        with self.assertRaises(ValueError) as c:
            lrfa.read(os.path.join(ROOT, "tests", "bad", "value_nan.mtx"))
        self.assertIn("value_nan.mtx:", str(c.exception))
        with self.assertRaises(OSError):
            lrfa.read("/nonexistent.mtx")
        with self.assertRaises(ValueError):
            lrfa.fit(np.array([[1.0, np.nan], [0.0, 1.0]]), rank=1)
        with self.assertRaises(ValueError):
            lrfa.fit(np.ones(5), rank=1)
        with self.assertRaises(ValueError):
            lrfa.fit(np.ones((3, 3), dtype=complex), rank=1)

    def test_strict_options(self):
        for kw in ({"rank": 2.7}, {"rank": True}, {"rank": 2 ** 64 + 4}, {"rank": 3, "seed": -1},
                   {"rank": 3, "iters": 2 ** 64 + 50}, {"rank": 3, "decay": 0.01}, {"rank": 3, "tol": 2.0},
                   {"depth": 0, "rank": 4}):
            with self.assertRaises(ValueError, msg=str(kw)):
                lrfa.fit(DEMO, **kw)
        self.assertEqual(lrfa.fit(DEMO, widths=np.array([6, 4]), iters=10).widths, [6, 4])
        self.assertEqual(lrfa.fit(DEMO, rank=np.int64(3), iters=10).r, 3)

    def test_callback_exception(self):
        with self.assertRaises(ZeroDivisionError):
            lrfa.fit(DEMO, rank=4, rule="fa", progress=lambda p: 1 / 0)

    def test_info_like_the_command(self):
        want = cli_json("info", SPARSE)
        got = lrfa.info(SPARSE)
        self.assertEqual(got.rank, want["rank"])
        self.assertEqual(len(got.singular_values), len(want["singular_values"]))
        self.assertAlmostEqual(got.singular_values[0], want["singular_values"][0], delta=1e-12 * got.s1)

    def test_overlap_rank_deficient(self):
        rng = np.random.default_rng(4)
        v, w = rng.standard_normal((20, 1)), rng.standard_normal((20, 1))
        ov, cos = lrfa.overlap(np.c_[v, 2 * v], np.c_[v, w])
        self.assertAlmostEqual(ov, 1.0, delta=1e-12)

    def test_divergence(self):
        with self.assertRaises(lrfa.DivergenceError) as c:
            lrfa.fit(DEMO, rank=4, lr=100.0)
        e = c.exception
        self.assertIn("diverged", str(e))
        self.assertTrue(np.all(np.isfinite(e.result.W)))
        with self.assertRaises(lrfa.DivergenceError) as c:
            lrfa.fit(DEMO, widths=[16, 4, 16], rule="dfa")
        self.assertTrue(c.exception.result.no_fixed_point)


class TestRuns(unittest.TestCase):
    def test_progress_and_stop(self):
        seen = []

        def cb(p):
            seen.append(p["iteration"])
            return p["iteration"] >= 50

        r = lrfa.fit(DEMO, rank=4, iters=1000, tol=0, progress=cb)
        self.assertEqual(r.stop, "interrupted")
        self.assertEqual(r.iterations, 50)
        self.assertEqual(seen[:3], [0, 10, 20])

    def test_interrupt(self):
        """SIGINT during a long fit: KeyboardInterrupt at the next iteration,
        and the interpreter goes on."""
        Y = np.random.default_rng(3).standard_normal((300, 200))
        t = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
        t.start()
        with self.assertRaises(KeyboardInterrupt):
            lrfa.fit(Y, rank=20, iters=10 ** 7, tol=0)
        t.join()
        self.assertEqual(lrfa.fit(DEMO, rank=2).rule, "gd")

    def test_threads_in_parallel(self):
        """The GIL is released during the iterations: two fits in threads."""
        out = {}

        def run(k):
            out[k] = lrfa.fit(DEMO, rank=k).error

        ts = [threading.Thread(target=run, args=(k,)) for k in (2, 3)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(out[2], lrfa.fit(DEMO, rank=2).error)

    def test_thread_count(self):
        """Where lrfa's kernels serve (a dense Y, r <= 128 with AVX-512, r <= 16
        with AVX2 and FMA), a fit gives the same bits on 1 and 2 threads: the
        kernels' sums do not depend on the threads and the products of the
        thin factors are cut in halves fixed by their shapes."""
        flags = open("/proc/cpuinfo").read().split()
        ranks = [16, 64] if "avx512f" in flags else [16] if "avx2" in flags and "fma" in flags else []
        if not ranks:
            self.skipTest("no AVX2 or AVX-512: OpenBLAS computes the products, its bits follow its threads")
        Y = np.random.default_rng(4).standard_normal((1500, 1100))
        try:
            for rule in ("fa", "gd"):
                for r in ranks:
                    got = []
                    for t in (1, 2):
                        lrfa.set_threads(t)
                        got.append(lrfa.fit(Y, rank=r, rule=rule, iters=25, seed=3))
                    a, b = got
                    for x, y in zip(a.weights + a.feedback, b.weights + b.feedback):
                        self.assertTrue(np.array_equal(x, y), (rule, r))
                    self.assertEqual(a.error, b.error)
                    print("    %s r = %d: weights on 1 and 2 threads equal bit for bit" % (rule, r))
        finally:
            lrfa.set_threads(0)
        with self.assertRaises(ValueError):
            lrfa.set_threads(-1)

    def test_compare_sweep(self):
        c = lrfa.compare(DEMO, widths=[16, 4, 16], rules=("gd", "fa", "dfa"))
        self.assertTrue(c["runs"]["dfa"].no_fixed_point)
        self.assertEqual(len(c["overlap"]["fa"]["h"]), 3)
        cli = cli_json("compare", DEMO, "--widths", "16,4,16", "--rules", "gd,fa,dfa")
        self.assertEqual(cli["runs"][1]["error"], c["runs"]["fa"].error)
        self.assertAlmostEqual(cli["overlap_vs_first"][0]["h"][0], c["overlap"]["fa"]["h"][0], delta=1e-10)
        self.assertAlmostEqual(cli["overlap_vs_first"][0]["above"][1], c["overlap"]["fa"]["above"][1], delta=1e-10)
        # the two-layer pair: the command's overlap figures
        cli = cli_json("compare", DEMO, "-r", "4")
        c = lrfa.compare(DEMO, rank=4)
        for k in ("w", "z", "w_gd_top", "w_fa_top", "product_diff"):
            self.assertAlmostEqual(cli["overlap"][k], c["overlap"][k], delta=1e-12, msg=k)
        self.assertEqual(cli["fa"]["error"], c["runs"]["fa"].error)
        s = lrfa.sweep(DEMO, ranks=range(2, 5), seeds=2, rules=("gd", "fa"))
        self.assertEqual(s["gd"]["error"].shape, (3, 2))
        self.assertTrue(np.all(np.abs(s["gd"]["rel_gap"]) < 1e-6))
        with tempfile.TemporaryDirectory() as d:
            csv = os.path.join(d, "s.csv")
            subprocess.run([LRFA, "sweep", DEMO, "--ranks", "2:4", "--seeds", "2", "--csv", csv, "--quiet"],
                           check=True, stdout=subprocess.DEVNULL)
            rows = np.genfromtxt(csv, delimiter=",", names=True)
        for w in rows:
            i, k = int(w["r"]) - 2, int(w["seed"]) - 1
            self.assertEqual(w["fa_error"], s["fa"]["error"][i, k])
            self.assertAlmostEqual(w["overlap_w"], s["pair"]["overlap_w"][i, k], delta=1e-12)

    def test_memory(self):
        """No growth over 1,000 fits (resident memory, kB)."""
        Y = lrfa.read(DEMO)
        for _ in range(50):
            lrfa.fit(Y, rank=3, iters=20, rule="fa")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for _ in range(1000):
            lrfa.fit(Y, rank=3, iters=20, rule="fa")
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print("\n    peak resident memory grew by %d kB over 1,000 fits (tol 2048 kB)" % grown)
        self.assertLess(grown, 2048)


if __name__ == "__main__":
    unittest.main()
