"""The C library through ctypes: loading it, and mirrors of the public structs
whose sizes are checked against the loaded build (lrfa_type_size)."""
import ctypes
import ctypes.util
import os

MAX_LAYERS = 16
ERROR_LEN = 512
c_int64 = ctypes.c_int64
c_double = ctypes.c_double
c_int = ctypes.c_int
P = ctypes.POINTER


def _candidates():
    here = os.path.dirname(os.path.abspath(__file__))
    # a checkout: python/lrfa/ beside build/release/
    yield os.path.join(here, "..", "..", "build", "release", "liblrfa.so.0")
    # installed by `make install`: the library's folder is written beside the module
    try:
        from ._paths import LIBDIR
        yield os.path.join(LIBDIR, "liblrfa.so.0")
    except ImportError:
        pass
    found = ctypes.util.find_library("lrfa")
    if found:
        yield found
    yield "liblrfa.so.0"


def _load():
    env = os.environ.get("LRFA_LIBRARY")
    if env:  # asked for by name: that library or none
        try:
            return ctypes.CDLL(env)
        except OSError as e:
            raise ImportError("lrfa: LRFA_LIBRARY=%s cannot be loaded: %s" % (env, e))
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    raise ImportError("lrfa: cannot load the shared library liblrfa.so.0 (build it with `make`, install it with "
                      "`make install`, or set LRFA_LIBRARY): " + "; ".join(errors))


lib = _load()


class Error(ctypes.Structure):
    _fields_ = [("status", c_int), ("line", ctypes.c_longlong), ("message", ctypes.c_char * ERROR_LEN)]


class Dense(ctypes.Structure):
    _fields_ = [("rows", c_int64), ("cols", c_int64), ("data", P(c_double))]


class Sparse(ctypes.Structure):
    _fields_ = [("rows", c_int64), ("cols", c_int64), ("nnz", c_int64), ("colptr", P(c_int64)),
                ("rowidx", P(c_int64)), ("values", P(c_double))]


class Matrix(ctypes.Structure):
    _fields_ = [("storage", c_int), ("rows", c_int64), ("cols", c_int64), ("dense", P(Dense)),
                ("sparse", P(Sparse))]


class Progress(ctypes.Structure):
    _fields_ = [("iteration", c_int64), ("max_iters", c_int64), ("error", c_double), ("gap", c_double),
                ("seconds", c_double)]


PROGRESS_FN = ctypes.CFUNCTYPE(c_int, P(Progress), ctypes.c_void_p)


class Options(ctypes.Structure):
    _fields_ = [("algo", c_int), ("rank", c_int64), ("depth", c_int64), ("widths", c_int64 * (MAX_LAYERS - 1)),
                ("decay", c_double), ("init", c_int), ("lr", c_double), ("lr_scale", c_double),
                ("max_iters", c_int64), ("tol", c_double), ("window", c_int64), ("init_scale", c_double),
                ("feedback_scale", c_double), ("seed", ctypes.c_uint64), ("log_every", c_int64),
                ("exact_every", c_int64), ("transpose", c_int), ("diverge_factor", c_double),
                ("start_weights", P(P(Dense))), ("start_feedback", P(P(Dense))), ("progress", PROGRESS_FN),
                ("progress_data", ctypes.c_void_p), ("progress_every", c_int64)]


LAYER_FIELDS = ("norm", "align", "align_min_eig", "feedback_ratio", "grad_align", "delta_align", "drift",
                "conservation_terms", "overlap_h", "overlap_top", "dfa_cond", "dfa_residual", "signal_cancel")


class LayerFigures(ctypes.Structure):
    _fields_ = [(name, c_double) for name in LAYER_FIELDS]


FIGURE_FIELDS = ("error", "opt", "gap", "rel_gap", "align_zb", "align_min_eig", "grad_align", "drift",
                 "conservation_terms", "overlap_w_top", "overlap_z_top")


class Figures(ctypes.Structure):
    _fields_ = [("iteration", c_int64), ("seconds", c_double), ("error", c_double), ("exact", c_int),
                ("opt", c_double), ("gap", c_double), ("rel_gap", c_double), ("align_zb", c_double),
                ("align_min_eig", c_double), ("grad_align", c_double), ("drift", c_double),
                ("conservation_terms", c_double), ("overlap_w_top", c_double), ("overlap_z_top", c_double),
                ("layer", LayerFigures * MAX_LAYERS)]


class Result(ctypes.Structure):
    _fields_ = [("algo", c_int), ("n", c_int64), ("m", c_int64), ("r", c_int64), ("depth", c_int64),
                ("widths", c_int64 * (MAX_LAYERS + 1)), ("weights", P(Dense) * MAX_LAYERS),
                ("feedback", P(Dense) * MAX_LAYERS), ("Z", P(Dense)), ("W", P(Dense)), ("B", P(Dense)),
                ("final", Figures), ("fa_pred", c_double), ("pred_rank", c_int64), ("no_fixed_point", c_int),
                ("lam", c_double), ("opt_tolerance", c_double), ("opt_suspect", c_int), ("fro", c_double),
                ("lr", c_double), ("iterations", c_int64), ("stop", c_int), ("converged", c_int),
                ("diverged_at", c_int64), ("seconds", c_double), ("iter_seconds", c_double),
                ("trace", P(Figures)), ("trace_len", c_int64), ("trace_cap", c_int64)]


class Spectrum(ctypes.Structure):
    """The leading fields of lrfa_spectrum (read through a pointer only)."""
    _fields_ = [("rows", c_int64), ("cols", c_int64), ("k", c_int64), ("s", P(c_double)), ("opt", P(c_double)),
                ("fro", c_double), ("rank_tol", c_double), ("rank", c_int64), ("complete", c_int),
                ("rank_bound", c_int), ("method", ctypes.c_char_p), ("error_bound", c_double)]


class Problem(ctypes.Structure):
    _fields_ = [("Y", P(Matrix)), ("owned", P(Matrix)), ("Yt", P(Sparse)), ("n", c_int64), ("m", c_int64),
                ("transposed", c_int), ("fro", c_double), ("s1", c_double), ("spectrum", P(Spectrum)),
                ("kvec", c_int64), ("U", P(Dense)), ("V", P(Dense)), ("rechecked", c_int),
                ("comm", ctypes.c_void_p)]


lib.lrfa_type_size.restype = ctypes.c_size_t
lib.lrfa_type_size.argtypes = [ctypes.c_char_p]
for _name, _cls in (("lrfa_error", Error), ("lrfa_dense", Dense), ("lrfa_sparse", Sparse), ("lrfa_matrix", Matrix),
                    ("lrfa_options", Options), ("lrfa_progress", Progress), ("lrfa_layer_figures", LayerFigures),
                    ("lrfa_figures", Figures), ("lrfa_result", Result), ("lrfa_problem", Problem)):
    if lib.lrfa_type_size(_name.encode()) != ctypes.sizeof(_cls):
        raise ImportError("lrfa: the loaded library's %s is %d bytes, this module's mirror %d: module and library "
                          "come from different versions" % (_name, lib.lrfa_type_size(_name.encode()),
                                                            ctypes.sizeof(_cls)))


def _sig(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


mm_read_path = _sig("lrfa_mm_read_path", c_int, ctypes.c_char_p, P(P(Matrix)), ctypes.c_void_p, P(Error))
mm_write_path = _sig("lrfa_mm_write_path", c_int, ctypes.c_char_p, P(Matrix), ctypes.c_char_p, P(Error))
matrix_free = _sig("lrfa_matrix_free", None, P(Matrix))
problem_new = _sig("lrfa_problem_new", P(Problem), P(Matrix), c_int, c_int64, P(Error))
problem_free = _sig("lrfa_problem_free", None, P(Problem))
problem_opt = _sig("lrfa_problem_opt", c_double, P(Problem), c_int64)
options_default = _sig("lrfa_options_default", None, P(Options))
options_check = _sig("lrfa_options_check", ctypes.c_char_p, P(Options), c_int64, c_int64)
fit = _sig("lrfa_fit", c_int, P(Problem), P(Options), P(P(Result)), P(Error))
result_free = _sig("lrfa_result_free", None, P(Result))
algo_name = _sig("lrfa_algo_name", ctypes.c_char_p, c_int)
algo_parse = _sig("lrfa_algo_parse", c_int, ctypes.c_char_p)
span_overlap = _sig("lrfa_span_overlap", c_double, P(Dense), c_int, P(Dense), c_int, P(c_double))
fa_prediction = _sig("lrfa_fa_prediction", c_int, P(Problem), P(Dense), P(c_double), P(Error))
set_threads = _sig("lrfa_set_threads", None, c_int)
product_diff = _sig("lrfa_product_diff", c_double, P(Dense), P(Dense), P(Dense), P(Dense))
problem_recheck = _sig("lrfa_problem_recheck", c_int, P(Problem), P(Error))
spectrum_leading = _sig("lrfa_spectrum_leading", P(Spectrum), P(Matrix), c_int64, c_int, c_double, P(Dense), P(Dense),
                        P(Error))
spectrum_free = _sig("lrfa_spectrum_free", None, P(Spectrum))
