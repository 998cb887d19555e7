"""lrfa: low-rank matrix factorization by gradient descent and the learning rules
that do without weight transport (feedback alignment, direct feedback alignment,
Kolen-Pollack, sign symmetry), with the figures that compare them.

The module calls the C library (liblrfa) through ctypes; the option names are
the command line's (``rank``, ``rule``, ``widths``, ``iters``, ``lr``, ...) with
the same defaults. Matrices go in as NumPy arrays (any real dtype, C or Fortran
order; float64 in Fortran order is used without a copy), SciPy sparse matrices,
or Matrix Market paths.

>>> import lrfa
>>> res = lrfa.fit("inputs/demo_rank8.mtx", rank=4, rule="fa")
>>> res.error, res.fa_pred, res.align_zb
"""
import ctypes
import math
import os
import signal
import threading

import numpy as np

from . import _capi as C

__all__ = ["read", "write", "info", "fit", "compare", "sweep", "overlap", "fa_prediction", "set_threads",
           "Factorization", "FitResult", "Info", "LrfaError", "DivergenceError", "RULES", "__version__"]
__version__ = "0.1.0"
RULES = ("gd", "fa", "dfa", "kp", "sign")
_STOPS = {0: "max_iters", 1: "converged", 2: "diverged", 3: "interrupted"}
_STOP_WORDS = {0: "iteration limit", 1: "converged", 2: "diverged", 3: "interrupted"}


class LrfaError(Exception):
    """A failure the library reported, with its message (and ``status``)."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class InputError(LrfaError, ValueError):
    """Bad input or options (``ValueError``)."""


class DivergenceError(LrfaError, ArithmeticError):
    """The iteration diverged; ``result`` holds the last finite state."""

    def __init__(self, message, result):
        super().__init__(message, status=7)
        self.result = result


def _fail(status, err):
    msg = err.message.decode(errors="replace")
    if status in (1, 5):
        raise InputError(msg, status)
    if status == 2:
        raise MemoryError(msg)
    if status == 3:
        raise OSError(msg)
    raise LrfaError(msg, status)


# ---- matrices in and out ----

class _Input:
    """Y as the library sees it, with whatever keeps its memory alive."""

    def __init__(self, Y):
        self.owned = None
        self.keep = []
        self.name = "<array>"
        if isinstance(Y, (str, bytes, os.PathLike)):
            err = C.Error()
            out = ctypes.POINTER(C.Matrix)()
            path = os.fsencode(Y)
            st = C.mm_read_path(path, ctypes.byref(out), None, ctypes.byref(err))
            if st != 0:
                _fail(st, err)
            self.owned = out
            self.ptr = out
            self.name = "<stdin>" if path == b"-" else os.fsdecode(path)
            return
        if hasattr(Y, "tocsc") and hasattr(Y, "nnz"):  # SciPy sparse
            A = Y.tocsc(copy=False)
            if np.iscomplexobj(A.data):
                raise InputError("Y is complex: lrfa factors real matrices")
            A = A.astype(np.float64, copy=False)
            A.sum_duplicates()
            A.sort_indices()
            data = np.ascontiguousarray(A.data, dtype=np.float64)
            if not np.all(np.isfinite(data)):
                raise InputError("Y has non-finite entries")
            indptr = np.ascontiguousarray(A.indptr, dtype=np.int64)
            indices = np.ascontiguousarray(A.indices, dtype=np.int64)
            sp = C.Sparse(A.shape[0], A.shape[1], A.nnz, indptr.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
                          indices.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
                          data.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
            m = C.Matrix(1, A.shape[0], A.shape[1], None, ctypes.pointer(sp))
            self.keep += [data, indptr, indices, sp, m]
            self.ptr = ctypes.pointer(m)
            return
        a = np.asarray(Y)
        if a.ndim != 2:
            raise InputError("Y must be a 2-D matrix, got %d dimensions" % a.ndim)
        if np.iscomplexobj(a):
            raise InputError("Y is complex: lrfa factors real matrices")
        if not np.issubdtype(a.dtype, np.number) and a.dtype != np.bool_:
            raise InputError("Y must hold numbers, got dtype %s" % a.dtype)
        if not (a.dtype == np.float64 and a.flags.f_contiguous):
            a = np.asfortranarray(a, dtype=np.float64)  # float64 in Fortran order is used as it is
        if not np.all(np.isfinite(a)):
            raise InputError("Y has non-finite entries")
        d = C.Dense(a.shape[0], a.shape[1], a.ctypes.data_as(ctypes.POINTER(ctypes.c_double)) if a.size else None)
        m = C.Matrix(0, a.shape[0], a.shape[1], ctypes.pointer(d), None)
        self.keep += [a, d, m]
        self.array = a
        self.ptr = ctypes.pointer(m)

    def close(self):
        if self.owned:
            C.matrix_free(self.owned)
            self.owned = None

    def __del__(self):
        self.close()


def _to_numpy(mp):
    m = mp.contents
    if m.storage == 0:
        d = m.dense.contents
        if d.rows * d.cols == 0:
            return np.zeros((d.rows, d.cols), order="F")
        return np.ctypeslib.as_array(d.data, shape=(d.rows * d.cols,)).reshape((d.rows, d.cols), order="F").copy(
            order="F")
    import scipy.sparse
    s = m.sparse.contents
    indptr = np.ctypeslib.as_array(s.colptr, shape=(s.cols + 1,)).copy()
    idx = np.ctypeslib.as_array(s.rowidx, shape=(s.nnz,)).copy() if s.nnz else np.zeros(0, np.int64)
    val = np.ctypeslib.as_array(s.values, shape=(s.nnz,)).copy() if s.nnz else np.zeros(0)
    return scipy.sparse.csc_matrix((val, idx, indptr), shape=(s.rows, s.cols))


def _dense_to_numpy(dp):
    if not dp:
        return None
    d = dp.contents
    if d.rows * d.cols == 0:
        return np.zeros((d.rows, d.cols), order="F")
    return np.ctypeslib.as_array(d.data, shape=(d.rows * d.cols,)).reshape((d.rows, d.cols), order="F").copy(
        order="F")


def read(path):
    """Read a Matrix Market file: a dense ``ndarray`` (array format) or a SciPy
    ``csc_matrix`` (coordinate format). Every symmetry and field lrfa reads is
    accepted; errors name the file and line (``ValueError``)."""
    inp = _Input(path)
    try:
        return _to_numpy(inp.ptr)
    finally:
        inp.close()


def write(path, A, comment=None):
    """Write a dense array (``array real general``) or a SciPy sparse matrix
    (``coordinate real general``) with 17 significant digits; the file appears
    whole or not at all."""
    inp = _Input(A)
    err = C.Error()
    st = C.mm_write_path(os.fsencode(path), inp.ptr, comment.encode() if comment else None, ctypes.byref(err))
    if st != 0:
        _fail(st, err)


class _Problem:
    def __init__(self, Y, transpose=False, kvec=0):
        self.ptr = None
        self.input = None
        self.input = _Input(Y)
        err = C.Error()
        self.ptr = C.problem_new(self.input.ptr, 1 if transpose else 0, int(kvec), ctypes.byref(err))
        if not self.ptr:
            self.input.close()
            _fail(err.status, err)
        self.name = self.input.name

    def close(self):
        if self.ptr:
            C.problem_free(self.ptr)
            self.ptr = None
        if self.input is not None:
            self.input.close()

    def __del__(self):
        self.close()


class Info:
    """What ``lrfa info`` reports: ``shape``, ``fro_norm``, numerical ``rank``
    (``rank_is_lower_bound`` when only leading values were computed and all
    count), ``singular_values`` and ``opt(r)``."""

    def __init__(self, spp, shape):
        sp = spp.contents
        self.shape = shape
        self.fro_norm = float(sp.fro)
        self.rank = int(sp.rank)
        self.rank_is_lower_bound = bool(sp.rank_bound)
        self.singular_values = np.ctypeslib.as_array(sp.s, shape=(sp.k,)).copy() if sp.k else np.zeros(0)
        self.s1 = float(self.singular_values[0]) if sp.k else 0.0
        self._opt = np.ctypeslib.as_array(sp.opt, shape=(sp.k + 1,)).copy()
        self.spectrum_method = sp.method.decode()
        self.spectrum_complete = bool(sp.complete)

    def opt(self, r):
        """opt(r) = sqrt(sum_{i > r} s_i^2), the best rank-r error."""
        r = int(r)
        if not 0 <= r < len(self._opt):
            raise InputError("opt(r): r = %d is beyond the %d singular values computed" % (r, len(self._opt) - 1))
        return float(self._opt[r])

    def __repr__(self):
        return "Info(shape=%s, fro_norm=%.6g, rank=%d%s)" % (self.shape, self.fro_norm, self.rank,
                                                           "+" if self.rank_is_lower_bound else "")


def set_threads(n):
    """The number of threads lrfa's own loops run on (0, the default: one
    per processor), for every later call in this process. Where lrfa's
    kernels compute a fit's products with a dense Y (see the README), the
    fit's numbers are the same bits for every thread count."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError("set_threads: n must be an integer >= 0, got %r" % (n,))
    C.set_threads(int(n))


def info(Y, top=20, rank_tol=None):
    """Norm, numerical rank, singular values and opt(r) of Y (a path, an
    array or a sparse matrix), as ``lrfa info``: every value when min(n, m)
    <= 2000, else the ``top`` leading ones."""
    inp = _Input(Y)
    try:
        m = inp.ptr.contents
        k = min(m.rows, m.cols)
        want = k if k <= 2000 else min(int(top), k)
        err = C.Error()
        tol = -1.0 if rank_tol is None else float(rank_tol)
        spp = C.spectrum_leading(inp.ptr, want, 0, tol, None, None, ctypes.byref(err))
        if not spp:
            _fail(err.status, err)
        try:
            return Info(spp, (int(m.rows), int(m.cols)))
        finally:
            C.spectrum_free(spp)
    finally:
        inp.close()


# ---- fits ----

def _int(name, v, lo, hi):
    """An exact integer in [lo, hi] (numpy integers too; 2.7 or True are refused)."""
    import operator
    if isinstance(v, bool):
        raise InputError("%s: expected an integer, got %r" % (name, v))
    try:
        v = operator.index(v)
    except TypeError:
        raise InputError("%s: expected an integer, got %r" % (name, v)) from None
    if not lo <= v <= hi:
        raise InputError("%s: %d is out of range [%d, %d]" % (name, v, lo, hi))
    return v


I63 = 2 ** 63 - 1


def _rule_code(rule):
    if rule not in RULES:
        raise InputError("rule: unknown rule %r (expected gd, fa, dfa, kp or sign)" % (rule,))
    return RULES.index(rule)


def _options(rank, rule, widths, depth, iters, lr, tol, init, init_scale, feedback_scale, decay, seed, transpose,
             log_every, exact_every):
    o = C.Options()
    C.options_default(ctypes.byref(o))
    o.algo = _rule_code(rule)
    if widths is not None and depth is not None:
        raise InputError("give widths or depth, not both")
    if widths is not None:
        if rank is not None:
            raise InputError("give rank or widths, not both (with depth, rank is every hidden width)")
        widths = [_int("widths", w, 1, 2 ** 31 - 1) for w in list(widths)]
        if not 1 <= len(widths) <= C.MAX_LAYERS - 1:
            raise InputError("widths: expected 1 to %d hidden widths" % (C.MAX_LAYERS - 1))
        o.depth = len(widths) + 1
        for i, w in enumerate(widths):
            o.widths[i] = w
    elif depth is not None:
        if rank is None:
            raise InputError("depth needs rank, the width of every hidden layer")
        o.depth = _int("depth", depth, 2, C.MAX_LAYERS)
        for i in range(o.depth - 1):
            o.widths[i] = _int("rank", rank, 1, 2 ** 31 - 1)
    elif rank is None:
        raise InputError("rank (or widths) is required")
    else:
        o.rank = _int("rank", rank, 0, I63)
    o.max_iters = _int("iters", iters, 0, 2 ** 62)
    if lr == "auto" or lr is None:
        o.lr = 0.0
    else:
        if not float(lr) > 0:
            raise InputError("lr: expected a positive step size or 'auto', got %r" % (lr,))
        o.lr = float(lr)
    if not 0.0 <= float(tol) <= 1.0:
        raise InputError("tol: expected a number in [0, 1], got %r" % (tol,))
    o.tol = float(tol)
    if init not in ("gaussian", "orthogonal"):
        raise InputError("init: expected 'gaussian' or 'orthogonal', got %r" % (init,))
    o.init = 0 if init == "gaussian" else 1
    if init_scale is not None:
        if not float(init_scale) >= 0:
            raise InputError("init_scale: expected a number >= 0, got %r" % (init_scale,))
        o.init_scale = float(init_scale)
    o.feedback_scale = float(feedback_scale)
    if decay is not None:
        if rule != "kp":
            raise InputError("decay is kp's weight decay, and the rule is %s" % rule)
        o.decay = float(decay)
    o.seed = _int("seed", seed, 0, 2 ** 64 - 1)
    o.transpose = 1 if transpose else 0
    o.log_every = _int("log_every", log_every, 0, I63)
    o.exact_every = _int("exact_every", exact_every, 0, I63)
    return o


def _nan_to_none(v):
    return None if v is None or not math.isfinite(v) else float(v)


class FitResult:
    """One run: the weights (``weights``, ``feedback``; for two layers also
    ``Z``, ``W``, ``B``), every figure as an attribute (``error``, ``opt``,
    ``gap``, ``rel_gap``, ``fa_pred``, ``align_zb``, ``grad_align``, ...),
    ``layers`` (a dict of figures per layer), ``trace`` (a NumPy record array
    when logged) and ``to_dict()`` with the keys of ``lrfa fit --json``."""

    def __init__(self, rp, name="<array>", transpose=False, seed=1, rechecked=False):
        r = rp.contents
        self.rule = RULES[r.algo]
        self.algo = self.rule
        self.depth = int(r.depth)
        self.widths = [int(r.widths[l]) for l in range(1, self.depth)]
        self.shape = (int(r.n), int(r.m))
        self.r = int(r.r)
        self.weights = [_dense_to_numpy(r.weights[l]) for l in range(self.depth)]
        self.feedback = [_dense_to_numpy(r.feedback[l]) for l in range(self.depth - 1)]
        self.Z, self.W = self.weights[-1], self.weights[0]
        self.B = self.feedback[0] if self.feedback else None
        f = r.final
        for k in C.FIGURE_FIELDS:
            setattr(self, k, float(getattr(f, k)))
        self.error_exact = bool(f.exact)
        self.fa_pred = float(r.fa_pred)
        self.pred_rank = int(r.pred_rank)
        self.no_fixed_point = bool(r.no_fixed_point)
        self.decay_lambda = float(r.lam)
        self.opt_suspect = bool(r.opt_suspect)
        self.fro_norm = float(r.fro)
        self.lr = float(r.lr)
        self.iterations = int(r.iterations)
        self.stop = _STOPS.get(r.stop, "?")
        self.converged = bool(r.converged)
        self.seconds = float(r.seconds)
        self.iter_seconds = float(r.iter_seconds)
        self.layers = [{k: float(getattr(f.layer[l], k)) for k in C.LAYER_FIELDS} for l in range(self.depth)]
        self.trace = self._trace(r)
        self._name, self._transpose, self._seed, self._rechecked = name, transpose, seed, rechecked

    def _trace(self, r):
        if not r.trace_len:
            return None
        cols = ["iteration", "seconds", "error", "exact", "opt", "gap", "rel_gap", "align_zb", "align_min_eig",
                "grad_align", "conservation_drift", "overlap_w_top", "overlap_z_top", "conservation_terms"]
        deep = self.depth > 2
        if deep:
            for k in ("norm", "align", "grad_align", "drift", "overlap_h"):
                cols += ["%s_%d" % (k, l + 1) for l in range(self.depth)]
        rows = []
        for i in range(r.trace_len):
            t = r.trace[i]
            row = [t.iteration, t.seconds, t.error, t.exact, t.opt, t.gap, t.rel_gap, t.align_zb, t.align_min_eig,
                   t.grad_align, t.drift, t.overlap_w_top, t.overlap_z_top, t.conservation_terms]
            if deep:
                for k in ("norm", "align", "grad_align", "drift", "overlap_h"):
                    row += [getattr(t.layer[l], k) for l in range(self.depth)]
            rows.append(tuple(row))
        dt = [(c, np.int64 if c in ("iteration", "exact") else np.float64) for c in cols]
        return np.array(rows, dtype=dt).view(np.recarray)

    def to_dict(self):
        """The keys and values of ``lrfa fit --json`` (NaN figures as None)."""
        fa = self.rule != "gd" and self.depth == 2
        pred = self.rule in ("fa", "dfa")
        n = _nan_to_none
        d = {"file": self._name, "transpose": bool(self._transpose), "seed": int(self._seed),
             "spectrum_rechecked": bool(self._rechecked), "algo": self.rule, "r": self.r, "rows": self.shape[0],
             "cols": self.shape[1], "iterations": self.iterations, "converged": self.converged, "stop": self.stop,
             "error": n(self.error), "error_exact": self.error_exact, "opt": n(self.opt), "gap": n(self.gap),
             "rel_gap": n(self.rel_gap), "opt_suspect": self.opt_suspect, "fro_norm": n(self.fro_norm),
             "align_zb": n(self.align_zb) if fa else None, "align_min_eig": n(self.align_min_eig) if fa else None,
             "grad_align": n(self.grad_align) if fa else None,
             "signal_cancellation": n(self.layers[0]["signal_cancel"]) if fa else None,
             "fa_pred": n(self.fa_pred) if pred else None,
             "fa_pred_gap": n(self.fa_pred - self.opt) if pred else None, "conservation_drift": n(self.drift),
             "conservation_terms": n(self.conservation_terms), "overlap_w_top": n(self.overlap_w_top),
             "overlap_z_top": n(self.overlap_z_top), "lr": n(self.lr), "seconds": n(self.seconds),
             "iter_seconds": n(self.iter_seconds),
             "ms_per_iter": n(1e3 * self.iter_seconds / self.iterations) if self.iterations else None,
             "rule": self.rule, "depth": self.depth, "widths": list(self.widths)}
        names = {"overlap_h": "overlap_h_top", "overlap_top": "overlap_above_top", "drift": "conservation_drift",
                 "dfa_cond": "dfa_a_cond", "dfa_residual": "dfa_structure_residual",
                 "signal_cancel": "signal_cancellation"}
        d["layers"] = []
        for l, y in enumerate(self.layers):
            e = {"layer": l + 1, "rows": self.weights[l].shape[0], "cols": self.weights[l].shape[1]}
            for k in C.LAYER_FIELDS:
                e[names.get(k, k)] = n(y[k])
            d["layers"].append(e)
        d["pred_rank"] = self.pred_rank
        d["no_fixed_point"] = self.no_fixed_point
        d["decay_lambda"] = n(self.decay_lambda) if self.rule == "kp" else None
        return d

    def __repr__(self):
        return "FitResult(rule=%r, widths=%s, error=%.6g, opt=%.6g, iterations=%d, stop=%r)" % (
            self.rule, self.widths, self.error, self.opt, self.iterations, self.stop)


def _run_fit(prob, o, progress, name, transpose, seed):
    """lrfa_fit with a callback every iteration: it passes a progress record
    to ``progress`` every 10 iterations (returning True stops the run) and,
    in the main thread while SIGINT has Python's default handler, turns
    Ctrl-C into a stop at the next iteration and a KeyboardInterrupt. An
    exception raised by ``progress`` stops the run and is raised again."""
    main = threading.current_thread() is threading.main_thread()
    state = {"interrupted": False, "exc": None}

    def on_progress(p, _data):
        try:
            if state["interrupted"]:
                return 1
            q = p.contents
            if progress is not None and q.iteration % 10 == 0:
                if progress({"iteration": q.iteration, "max_iters": q.max_iters, "error": q.error, "gap": q.gap,
                             "seconds": q.seconds}):
                    return 1
            return 0
        except BaseException as e:  # cannot propagate through C: stop, and raise it afterwards
            state["exc"] = e
            return 1

    cb = C.PROGRESS_FN(on_progress)
    o.progress = cb
    o.progress_every = 1
    old = None
    catch = main and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if catch:
        def handler(signum, frame):
            state["interrupted"] = True

        old = signal.signal(signal.SIGINT, handler)
    res = ctypes.POINTER(C.Result)()
    err = C.Error()
    try:
        st = C.fit(prob.ptr, ctypes.byref(o), ctypes.byref(res), ctypes.byref(err))
    finally:
        if catch:
            signal.signal(signal.SIGINT, old)
    try:
        out = FitResult(res, name, transpose, seed, bool(prob.ptr.contents.rechecked)) if res else None
    finally:
        if res:
            C.result_free(res)
    if state["exc"] is not None:
        raise state["exc"]
    if state["interrupted"]:  # Ctrl-C, whether or not it came before the run ended
        raise KeyboardInterrupt("lrfa: fit interrupted at iteration %d" % (out.iterations if out else 0))
    if st == 6:
        return out  # the progress callback asked to stop
    if st == 7:
        raise DivergenceError(err.message.decode(errors="replace"), out)
    if st != 0:
        _fail(st, err)
    return out


def _kvec(rank, widths):
    return max([int(rank or 0)] + ([int(w) for w in list(widths)] if widths is not None else []))


def _start(name, mats):
    """A NULL-or-array of lrfa_dense pointers for start_weights / start_feedback,
    and the arrays that keep it alive."""
    if mats is None:
        return None, []
    if isinstance(mats, np.ndarray):
        raise InputError("%s: expected a sequence of matrices (W_1 first), got one array" % name)
    keep = []
    ptrs = (ctypes.POINTER(C.Dense) * max(1, len(mats)))()
    for i, a in enumerate(mats):
        a = np.asfortranarray(a, dtype=np.float64)
        if a.ndim != 2:
            raise InputError("%s[%d]: expected a 2-D matrix, got %d dimensions" % (name, i, a.ndim))
        if not np.all(np.isfinite(a)):
            raise InputError("%s[%d] has non-finite entries" % (name, i))
        d = C.Dense(a.shape[0], a.shape[1], a.ctypes.data_as(ctypes.POINTER(ctypes.c_double)) if a.size else None)
        ptrs[i] = ctypes.pointer(d)
        keep += [a, d]
    return ptrs, keep + [ptrs]


def fit(Y, rank=None, rule="gd", widths=None, depth=None, iters=20000, lr="auto", tol=1e-10, init="gaussian",
        init_scale=None, feedback_scale=1.0, decay=None, seed=1, transpose=False, log_every=0, exact_every=0,
        progress=None, algo=None, start_weights=None, start_feedback=None):
    """Fit Y ~ Z W (``rank``) or a deep linear network (``widths`` or ``depth``
    with ``rank``) by ``rule`` (gd, fa, dfa, kp or sign; ``algo`` is an alias).

    Parameters follow ``lrfa fit``: ``iters`` (20000), ``lr`` ("auto" = 0.2 /
    s_1^(2(L-1)/L)), ``tol`` (1e-10), ``init`` ("gaussian" or "orthogonal"),
    ``init_scale`` (None = 1e-4 for two layers, 0.1 deeper; 0 = a zero start),
    ``feedback_scale`` (1), ``decay`` (kp only; None = 1e-3), ``seed`` (1), ``transpose``,
    ``log_every`` / ``exact_every`` (the trace). ``progress(record)`` is called
    every 10 iterations with a dict; returning True stops the run, and an
    exception it raises stops the run and propagates. Ctrl-C stops it at the
    next iteration and raises ``KeyboardInterrupt`` (in the main thread, when
    SIGINT has Python's default handler). The GIL is released during the
    iterations. ``start_weights`` (W_1 .. W_L, W_l of shape d_l x d_(l-1); for
    two layers [W, Z]) starts from those weights instead of a random draw, and
    ``start_feedback`` (B_1 .. B_(L-1): d_l x d_(l+1) for fa and kp, d_l x n
    for dfa) from that feedback (as ``lrfa fit --init-from``).

    Returns a :class:`FitResult`; raises ``ValueError`` for bad options or
    input and :class:`DivergenceError` (with ``.result``) on divergence."""
    if algo is not None:
        rule = algo
    o = _options(rank, rule, widths, depth, iters, lr, tol, init, init_scale, feedback_scale, decay, seed,
                 transpose, log_every, exact_every)
    if start_weights is not None and init_scale is not None:
        raise InputError("start_weights sets the start; init_scale would be ignored")
    sw, keep_w = _start("start_weights", start_weights)
    sf, keep_f = _start("start_feedback", start_feedback)
    L = o.depth if o.depth else 2
    if sw is not None:
        if len(start_weights) != L:
            raise InputError("start_weights: expected %d matrices (W_1 .. W_%d), got %d" % (L, L, len(start_weights)))
        o.start_weights = ctypes.cast(sw, ctypes.POINTER(ctypes.POINTER(C.Dense)))
    if sf is not None:
        if len(start_feedback) != L - 1:
            raise InputError("start_feedback: expected %d matrices (B_1 .. B_%d), got %d" % (L - 1, L - 1,
                                                                                        len(start_feedback)))
        o.start_feedback = ctypes.cast(sf, ctypes.POINTER(ctypes.POINTER(C.Dense)))
    prob = _Problem(Y, transpose, _kvec(rank, widths))
    prob.keep = keep_w + keep_f  # the start's memory lives as long as the problem
    try:
        p = prob.ptr.contents
        bad = C.options_check(ctypes.byref(o), p.n, p.m)
        if bad:
            raise InputError(bad.decode())
        res = _run_fit(prob, o, progress, prob.name, transpose, seed)
        if res.opt_suspect and not p.rechecked:
            # below opt(r): the spectrum missed a value; recompute it and fit again, as the command does
            err = C.Error()
            if C.problem_recheck(prob.ptr, ctypes.byref(err)) != 0:
                _fail(err.status, err)
            res = _run_fit(prob, o, progress, prob.name, transpose, seed)
        return res
    finally:
        prob.close()


def _basis(A, rows):
    """An orthonormal basis of col(A) (row(A) when rows), of A's numerical rank."""
    a = np.asarray(A, dtype=np.float64)
    if rows:
        a = a.T
    if a.size == 0:
        return np.zeros((a.shape[0], 0))
    U, sv, _ = np.linalg.svd(a, full_matrices=False)
    k = int(np.sum(sv > max(a.shape) * np.finfo(float).eps * sv[0])) if sv[0] > 0 else 0
    return U[:, :k]


def overlap(A, B, rows=False):
    """Subspace overlap ||Q_A^T Q_B||_F^2 / min(k_A, k_B) of col(A) and col(B)
    (``rows=True``: of their row spaces), with rank-revealing bases (k the
    numerical ranks), and the cosines of the principal angles: returns
    ``(overlap, cosines)``; 1 when one subspace contains the other."""
    a, b = np.asarray(A), np.asarray(B)
    if a.ndim != 2 or b.ndim != 2:
        raise InputError("overlap: A and B must be 2-D")
    if (a.shape[1] if rows else a.shape[0]) != (b.shape[1] if rows else b.shape[0]):
        raise InputError("overlap: the subspaces live in different dimensions (%s and %s)" % (a.shape, b.shape))
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise InputError("overlap: non-finite entries")
    qa, qb = _basis(a, rows), _basis(b, rows)
    k = min(qa.shape[1], qb.shape[1])
    if k == 0:
        return float("nan"), np.zeros(0)
    G = qa.T @ qb
    return float(min(np.linalg.norm(G) ** 2 / k, 1.0)), np.minimum(np.linalg.svd(G, compute_uv=False)[:k], 1.0)


def fa_prediction(Y, B):
    """FA's predicted limit ||Y - Y P||_F, P the projector onto row(B Y), for a
    feedback B (r x n) and Y (n x m)."""
    prob = _Problem(Y)
    try:
        b = np.asfortranarray(B, dtype=np.float64)
        if not np.all(np.isfinite(b)):
            raise InputError("fa_prediction: B has non-finite entries")
        if b.ndim != 2 or b.shape[1] != prob.ptr.contents.n:
            raise InputError("fa_prediction: B must be r x n with n = %d rows of Y" % prob.ptr.contents.n)
        db = C.Dense(b.shape[0], b.shape[1], b.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
        pred = ctypes.c_double()
        err = C.Error()
        st = C.fa_prediction(prob.ptr, ctypes.byref(db), ctypes.byref(pred), ctypes.byref(err))
        if st != 0:
            _fail(st, err)
        return float(pred.value)
    finally:
        prob.close()


def _dense(a):
    a = np.asfortranarray(a, dtype=np.float64)
    return a, C.Dense(a.shape[0], a.shape[1], a.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))


def _product_diff(Z1, W1, Z2, W2):
    """||Z1 W1 - Z2 W2||_F, streamed by the library (no n x m product formed)."""
    keep = [_dense(x) for x in (Z1, W1, Z2, W2)]
    return float(C.product_diff(*[ctypes.byref(d) for _, d in keep]))


def _pair_overlaps(gd, fa, fro):
    """What `lrfa compare --json` gives under "overlap" for a gd and an fa run."""
    ov_w, cos_w = overlap(gd.W, fa.W, rows=True)
    ov_z, cos_z = overlap(gd.Z, fa.Z)
    diff = _product_diff(gd.Z, gd.W, fa.Z, fa.W)
    return {"w": ov_w, "z": ov_z, "w_gd_top": gd.overlap_w_top, "w_fa_top": fa.overlap_w_top,
            "z_gd_top": gd.overlap_z_top, "z_fa_top": fa.overlap_z_top, "cosines_w": list(cos_w),
            "cosines_z": list(cos_z), "product_diff": diff / fro if fro > 0 else diff}


def _layer_overlaps(a, b):
    """row(h_l) and col(W_L ... W_{l+1}) of b against a's, l = 1 .. L-1, as
    `lrfa compare --rules` reports them (leading singular subspaces of the
    widths' minimum)."""
    L, h_ov, a_ov = a.depth, [], []
    for l in range(1, L):
        ha, hb = a.weights[0], b.weights[0]
        for j in range(1, l):
            ha, hb = a.weights[j] @ ha, b.weights[j] @ hb
        ta, tb = a.weights[L - 1], b.weights[L - 1]
        for j in range(L - 2, l - 1, -1):
            ta, tb = ta @ a.weights[j], tb @ b.weights[j]
        kh = min(min(a.widths[:l]), a.shape[1])
        ka = min(min(a.widths[l - 1:]), a.shape[0])
        qa = np.linalg.svd(ha, full_matrices=False)[2][:kh].T
        qb = np.linalg.svd(hb, full_matrices=False)[2][:kh].T
        h_ov.append(float(np.linalg.norm(qa.T @ qb) ** 2 / kh))
        ua = np.linalg.svd(ta, full_matrices=False)[0][:, :ka]
        ub = np.linalg.svd(tb, full_matrices=False)[0][:, :ka]
        a_ov.append(float(np.linalg.norm(ua.T @ ub) ** 2 / ka))
    return {"h": h_ov, "above": a_ov}


def compare(Y, rank=None, rules=("gd", "fa"), widths=None, depth=None, seed=1, **options):
    """Every rule in ``rules`` from one start (same seed), as ``lrfa compare``.

    Returns a dict: ``runs`` (rule -> FitResult; a diverged run holds its last
    finite state), ``opt``, ``fro_norm``, and ``overlap``: for the two-layer gd
    and fa pair the command's figures (``w``, ``z``, ``w_gd_top``, ...,
    ``cosines_w``, ``cosines_z``, ``product_diff``), otherwise, per rule after
    the first, the overlaps of its row(h_l) (``h``) and col(W_L ... W_{l+1})
    (``above``) with the first rule's."""
    rules = tuple(rules)
    if len(set(rules)) != len(rules):
        raise InputError("rules: a rule is named twice")
    runs = {}
    for rule in rules:
        try:
            runs[rule] = fit(Y, rank=rank, rule=rule, widths=widths, depth=depth, seed=seed, **options)
        except DivergenceError as e:
            runs[rule] = e.result
    first = runs[rules[0]]
    out = {"runs": runs, "opt": first.opt, "fro_norm": first.fro_norm, "rules": list(rules)}
    if rules == ("gd", "fa") and first.depth == 2:
        out["fa_pred"] = runs["fa"].fa_pred
        out["overlap"] = _pair_overlaps(runs["gd"], runs["fa"], first.fro_norm)
    else:
        out["overlap"] = {rule: _layer_overlaps(first, runs[rule]) for rule in rules[1:]}
    return out


def sweep(Y, ranks, seeds=1, rules=("gd", "fa"), seed=1, **options):
    """For every rank r (the two-layer width) and seed, every rule, as ``lrfa
    sweep``: returns a dict with ``ranks``, ``opt`` and, per rule, arrays
    indexed [rank, seed]: ``error``, ``gap``, ``rel_gap``, ``fa_pred``,
    ``iterations``, ``converged``, ``diverged``; with gd and fa both run, also
    the command's pair figures under ``pair``: ``overlap_w``, ``overlap_z``,
    ``overlap_w_gd_top``, ``overlap_w_fa_top``, ``align_zb``, ``grad_align``,
    ``product_diff``."""
    ranks = list(ranks)
    out = {"ranks": np.array(ranks), "opt": np.zeros(len(ranks))}
    shape = (len(ranks), seeds)
    for rule in rules:
        out[rule] = {k: np.full(shape, np.nan) for k in ("error", "gap", "rel_gap", "fa_pred", "iterations",
                                                          "converged", "diverged")}
    pair = "gd" in rules and "fa" in rules
    if pair:
        out["pair"] = {k: np.full(shape, np.nan) for k in ("overlap_w", "overlap_z", "overlap_w_gd_top",
                                                           "overlap_w_fa_top", "align_zb", "grad_align",
                                                           "product_diff")}
    for i, r in enumerate(ranks):
        for s in range(seeds):
            got = {}
            for rule in rules:
                diverged = 0
                try:
                    res = fit(Y, rank=r, rule=rule, seed=seed + s, **options)
                except DivergenceError as e:
                    res, diverged = e.result, 1
                got[rule] = res
                t = out[rule]
                t["error"][i, s], t["gap"][i, s], t["rel_gap"][i, s] = res.error, res.gap, res.rel_gap
                t["fa_pred"][i, s] = res.fa_pred
                t["iterations"][i, s], t["converged"][i, s] = res.iterations, res.converged
                t["diverged"][i, s] = diverged
                out["opt"][i] = res.opt
            if pair:
                o = _pair_overlaps(got["gd"], got["fa"], got["gd"].fro_norm)
                p = out["pair"]
                p["overlap_w"][i, s], p["overlap_z"][i, s] = o["w"], o["z"]
                p["overlap_w_gd_top"][i, s], p["overlap_w_fa_top"][i, s] = o["w_gd_top"], o["w_fa_top"]
                p["align_zb"][i, s], p["grad_align"][i, s] = got["fa"].align_zb, got["fa"].grad_align
                p["product_diff"][i, s] = o["product_diff"]
    return out


class Factorization:
    """An estimator in the style scikit-learn users know (without depending on
    it): ``Factorization(rank=4, rule="fa").fit(Y)`` returns itself with the
    fitted attributes ``weights_``, ``feedback_``, ``Z_``, ``W_``, ``error_``,
    ``gap_``, ``result_``; ``get_params`` / ``set_params``; ``reconstruct()``
    gives the product M = W_L ... W_1."""

    _params = ("rank", "rule", "widths", "depth", "iters", "lr", "tol", "init", "init_scale", "feedback_scale",
               "decay", "seed", "transpose")

    def __init__(self, rank=None, rule="gd", widths=None, depth=None, iters=20000, lr="auto", tol=1e-10,
                 init="gaussian", init_scale=None, feedback_scale=1.0, decay=None, seed=1, transpose=False):
        self.rank, self.rule, self.widths, self.depth = rank, rule, widths, depth
        self.iters, self.lr, self.tol, self.init, self.init_scale = iters, lr, tol, init, init_scale
        self.feedback_scale, self.decay, self.seed, self.transpose = feedback_scale, decay, seed, transpose

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in self._params}

    def set_params(self, **params):
        for k, v in params.items():
            if k not in self._params:
                raise InputError("set_params: unknown parameter %r" % (k,))
            setattr(self, k, v)
        return self

    def fit(self, Y, y=None, progress=None):
        res = fit(Y, progress=progress, **self.get_params())
        self.result_ = res
        self.weights_, self.feedback_ = res.weights, res.feedback
        self.Z_, self.W_, self.B_ = res.Z, res.W, res.B
        self.error_, self.gap_, self.rel_gap_, self.opt_ = res.error, res.gap, res.rel_gap, res.opt
        self.n_iter_ = res.iterations
        return self

    def reconstruct(self):
        M = self.weights_[0]
        for w in self.weights_[1:]:
            M = w @ M
        return M

    def __repr__(self):
        return "Factorization(%s)" % ", ".join("%s=%r" % (k, getattr(self, k)) for k in self._params
                                               if getattr(self, k) is not None)
