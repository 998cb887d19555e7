"""tools/reproduce_deep.py, the deep-network claims of `make reproduce`: its
NumPy rule (the reference C14's stability figures are computed from) against
lrfa's own step for every rule and depth, its power iteration against the
dense eigenvalues, and one whole claim (C13, a prediction of the mathematics)
run into a scratch folder."""

import importlib.util
import os
import tempfile
import unittest

import numpy as np

import lrfa

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
spec = importlib.util.spec_from_file_location("reproduce_deep", os.path.join(ROOT, "tools", "reproduce_deep.py"))
rd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rd)


class TestReference(unittest.TestCase):
    def test_update_is_lrfas_step(self):
        """W_l - eta U_l from the NumPy rule equals one lrfa iteration from the same
        weights and feedback, for gd, fa and dfa at depths 2, 3 and 4."""
        rng = np.random.default_rng(3)
        Y = rng.standard_normal((9, 14))
        worst = 0.0
        for widths in ([4], [5, 3], [6, 2, 7]):
            for rule in ("gd", "fa", "dfa"):
                a = lrfa.fit(Y, widths=widths, rule=rule, seed=2, iters=0, init_scale=1.0)
                s = lrfa.fit(Y, widths=widths, rule=rule, iters=1, tol=0, start_weights=a.weights,
                             start_feedback=None if rule == "gd" else a.feedback)
                U = rd.update(rule, a.weights, a.feedback, Y)
                want = [W - s.lr * u for W, u in zip(a.weights, U)]
                step = np.linalg.norm(rd.flat(want) - rd.flat(a.weights))
                worst = max(worst, np.linalg.norm(rd.flat(s.weights) - rd.flat(want)) / step)
        print("\n  NumPy rule vs lrfa's step, 9 rule-depth pairs: largest difference %.1e of the step "
              "(tolerance 1e-12)" % worst)
        self.assertLess(worst, 1e-12)

    def test_power_iteration(self):
        """The power iteration's largest |eigenvalue| of I - eta D U agrees with the
        dense Jacobian's at a point that is not a fixed point (a generic spectrum)."""
        rng = np.random.default_rng(5)
        Y = rng.standard_normal((6, 8))
        a = lrfa.fit(Y, widths=[3], rule="fa", seed=1, iters=0, init_scale=1.0)
        p = rd.spectral_radius("fa", a.weights, a.feedback, Y, a.lr, rng)
        d = rd.dense_radius("fa", a.weights, a.feedback, Y, a.lr)
        print("\n  power iteration %.9f vs dense %.9f: difference %.1e (tolerance 1e-6)" % (p, d, abs(p - d)))
        self.assertLess(abs(p - d), 1e-6)


class TestClaim(unittest.TestCase):
    def test_c13(self):
        """C13 end to end: every deep conservation law drifts in proportion to the step."""
        with tempfile.TemporaryDirectory() as work:
            os.environ.setdefault("LRFA", os.path.join(ROOT, "lrfa"))
            rd.main(["--jobs", "2", "C13", work])
            with open(os.path.join(work, "c13", "verdict")) as f:
                ok, numbers, pred = f.read().splitlines()
            print("\n  " + numbers)
            self.assertEqual(pred, "prediction held")
            for name in ("section.md", "figures", "c13_conservation.gp"):
                self.assertTrue(os.path.getsize(os.path.join(work, "c13", name)) > 0, name)


if __name__ == "__main__":
    unittest.main()
