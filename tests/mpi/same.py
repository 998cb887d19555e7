"""tests/mpi/same.py SERIAL.json DIST.json: whether two lrfa --json outputs
give the same figures.

Every number must agree to 1e-12 relative, or to 1e-12 of its scale: the
matrix's norm for the figures measured in Y's units (errors, optima, gaps,
singular values), 1 for the dimensionless ones (alignments, overlaps,
drifts, cosines), whose own rounding is about eps. Two kinds of figure
carry less than that by their mathematics, on one process as on many:

  - the cosines of the learning signals (grad_align, delta_align) near a
    fixed point of fa, dfa, kp or sign: there B E = (B Z) W - B Y -> 0 by
    design (fact 3), a difference of terms that stay large, so its
    relative rounding grows like |B Y| / |B E| however it is summed;
    summing the rows in another order (P processes) moved these cosines by
    up to 3.9e-6 on the test matrices. The run reports that cancellation
    (signal_cancellation, |C Y| / |C E|), and rounding moves the cosines
    and the cancellation itself (relative) by up to about it times eps:
    their tolerance is max(1e-12, 1e-15 signal_cancellation), or 1e-5
    where an output does not report it. Above the
    first layer of a deep network (layers.1 on), where grad_align's signal is
    formed from E h^T = T K - Y h^T, which itself vanishes by cancellation
    at a fixed point, the cosine after 4000 iterations of fa came out 0.31
    on one process and -0.32, -0.21, -0.19 on 2, 3 and 4 (weights and
    errors agreeing to 1e-12): there it is rounding, and it is not
    compared. For sign
    symmetry they are not compared at all: on one process, lrfa on one
    core and on two already gives cosines 8e-2 apart at depth 3 (its
    weights and errors agree to the last digits);
  - timings (seconds, ms_per_iter), and the spectrum's method label, which
    names how the values were computed (lanczos across processes where one
    process uses dgesdd on a dense copy).

Prints each difference with its tolerance; exits 1 when any is beyond it.
"""
import json
import re
import sys

Y_SCALED = {"error", "opt", "opt_error", "gap", "gd_error", "fa_error", "gd_gap", "fa_gap", "fa_pred", "fa_pred_gap", "fro_norm", "opt_tolerance", "s", "opt_r",
            "singular_values", "values", "next_value", "s1", "fro", "error_gram", "pred", "opt_gap"}
SKIP = {"spectrum_products", "seconds", "iter_seconds", "ms_per_iter", "method", "note", "lanczos", "setup_seconds", "products",
        "steps", "restarts", "rounds", "block", "spectrum_method", "error_bound", "residual"}
SIGNAL = {"grad_align", "delta_align", "signal_cancellation"}


def numbers_close(a, b, key, ctx):
    d = abs(a - b)
    tol = 1e-12 * max(abs(a), abs(b))
    scale = ctx["fro"] if key in Y_SCALED else 1.0
    tol = max(tol, 1e-12 * scale)
    if key in SIGNAL:
        cancel = ctx.get("cancel")
        if cancel is None:
            tol = max(tol, 1e-5)
        else:
            tol = max(tol, 1e-15 * cancel * (max(abs(a), abs(b)) if key == "signal_cancellation" else 1.0))
    return d <= tol, d, tol


def walk(a, b, path, key, ctx, bad):
    if key in SKIP or (key in SIGNAL and ctx.get("algo") == "sign") or \
            (key == "grad_align" and re.search(r"layers\.[1-9]", path)):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        c = ctx
        if isinstance(a.get("algo"), str):
            c = dict(ctx, algo=a["algo"])
        if "signal_cancellation" in a or "signal_cancellation" in b:
            both = [v for v in (a.get("signal_cancellation"), b.get("signal_cancellation")) if v is not None]
            # null: a signal that vanished exactly (infinite cancellation)
            c = dict(c, cancel=max(both) if len(both) == 2 else float("inf"))
        for k in a:
            if k not in b:
                bad.append("%s%s: missing" % (path, k))
                continue
            walk(a[k], b[k], path + k + ".", k, c, bad)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            bad.append("%s: %d against %d entries" % (path, len(a), len(b)))
            return
        for i, (u, v) in enumerate(zip(a, b)):
            walk(u, v, "%s%d." % (path, i), key, ctx, bad)
    elif key == "signal_cancellation" and (a is None) != (b is None) and (a or b) > 1e14:
        return  # a signal that vanished exactly against one that nearly did: both rounding
    elif isinstance(a, bool) or isinstance(b, bool) or a is None or b is None or isinstance(a, str):
        if a != b:
            bad.append("%s: %r against %r" % (path, a, b))
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        ok, d, tol = numbers_close(float(a), float(b), key, ctx)
        if not ok:
            bad.append("%s: %r against %r (differ by %.2e, tol %.1e)" % (path, a, b, d, tol))
    elif a != b:
        bad.append("%s: %r against %r" % (path, a, b))


def fro_of(doc):
    if isinstance(doc, dict):
        for k in ("fro_norm", "fro"):
            if isinstance(doc.get(k), (int, float)):
                return float(doc[k])
        for v in doc.values():
            f = fro_of(v)
            if f:
                return f
    return 0.0


def load(path):
    """A JSON document, a CSV table (a list of rows by column name, numbers
    as numbers), or a Matrix Market array (its values, scaled by the
    largest)."""
    if path.endswith(".csv"):
        import csv
        rows = []
        for r in csv.DictReader(open(path)):
            d = {}
            for k, v in r.items():
                try:
                    d[k] = float(v)
                except ValueError:
                    d[k] = None if v in ("", "nan", "NaN") else v
            rows.append(d)
        # the scale of Y's units: the largest error or optimum (at most ||Y||_F)
        big = max([abs(r[k]) for r in rows for k in ("opt", "gd_error", "fa_error", "error")
                   if isinstance(r.get(k), float)] + [1.0])
        return {"fro_norm": big, "rows": rows}
    if path.endswith(".mtx"):
        lines = [l for l in open(path) if not l.startswith("%")]
        vals = [float(v) for v in lines[1:]]
        big = max([abs(v) for v in vals] + [1e-300])
        return {"shape": lines[0].split(), "values": [v / big for v in vals]}
    return json.load(open(path))


def main():
    a = load(sys.argv[1])
    b = load(sys.argv[2])
    bad = []
    walk(a, b, "", "", {"fro": fro_of(a) or 1.0}, bad)
    for line in bad:
        print("  " + line)
    sys.exit(1 if bad else 0)


main()
