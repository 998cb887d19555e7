/* lrfa/solver.h: gradient descent (GD) and feedback alignment (FA) for
 *
 *     min_{Z, W} L(Z, W) = 1/2 ||Z W - Y||_F^2,   Y n x m, Z n x r, W r x m,
 *
 * with the residual E = Z W - Y and the updates (simultaneous, step eta)
 *
 *     GD:  Z <- Z - eta E W^T      W <- W - eta Z^T E
 *     FA:  Z <- Z - eta E W^T      W <- W - eta B E
 *
 * where B (r x n) is a fixed random feedback matrix standing in for Z^T.
 *
 * Each iteration reads Y once for FA (Y W^T; B Y is computed once) and twice
 * for GD (Y W^T and Z^T Y), through the Gram identities
 *     E W^T = Z (W W^T) - Y W^T,   Z^T E = (Z^T Z) W - Z^T Y,
 *     B E = (B Z) W - B Y,
 *     ||E||_F^2 = ||Y||_F^2 - 2 <Z, Y W^T> + <Z^T Z, W W^T>,
 * and never allocates an n x m matrix. The last identity cancels near zero
 * error (its error is about eps ||Y||_F^2 in ||E||^2), so the exact residual
 * is streamed over Y at convergence checks and at the end.
 *
 * Defaults make a run invariant to rescaling Y by c (every relative figure is
 * unchanged): eta = lr_scale / s_1, Z and W entries N(0, init_scale^2 s_1 / n)
 * and N(0, init_scale^2 s_1 / m), B entries N(0, feedback_scale^2 s_1 / n).
 * Z and W come from stream 0 of the seed and B from stream 1, so GD and FA
 * runs with one seed start from the same Z and W.
 */
#ifndef LRFA_SOLVER_H
#define LRFA_SOLVER_H

#include <stdint.h>
#include "matrix.h"
#include "spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lrfa_algo {
    LRFA_ALGO_GD = 0,  /* gradient descent: W's update uses Z^T */
    LRFA_ALGO_FA = 1   /* feedback alignment: W's update uses the fixed B */
} lrfa_algo;

/* "gd" / "fa", and the reverse (returns -1 for an unknown name). */
const char *lrfa_algo_name(lrfa_algo a);
int lrfa_algo_parse(const char *name);

/* ---- the problem: a target and what is known about it ---- */

typedef struct lrfa_problem {
    const lrfa_matrix *Y;  /* n x m target (Y^T of the input when transposed) */
    lrfa_matrix *owned;    /* the transposed copy, when made; else NULL */
    lrfa_sparse *Yt;       /* sparse Y only: Y^T compressed (Y by rows), so the
                              products with Y run in parallel; else NULL */
    int64_t n, m;          /* rows and columns of Y */
    int transposed;        /* whether Y is the input's transpose */
    double fro;            /* ||Y||_F */
    double s1;             /* largest singular value of Y */
    lrfa_spectrum *spectrum; /* all singular values (with opt(r)) */
    int64_t kvec;          /* singular vectors held (0 when not computed) */
    lrfa_dense *U;         /* n x kvec leading left singular vectors, or NULL */
    lrfa_dense *V;         /* m x kvec leading right singular vectors, or NULL */
    int rechecked;         /* the spectrum was recomputed by lrfa_problem_recheck */
} lrfa_problem;

/* Prepares Y (or Y^T) for fitting: its norm, its leading singular values
 * (all of them for a dense Y with min(n, m) <= LRFA_FULL_SVD_MAX, the
 * max(kvec, 1) leading ones by Lanczos otherwise, so opt(r) is known for
 * r <= kvec) and, when kvec > 0, its leading kvec singular vectors (for the
 * subspace overlaps). Y must outlive the problem. */
lrfa_problem *lrfa_problem_new(const lrfa_matrix *Y, int transpose, int64_t kvec, lrfa_error *err);
/* The same with the spectrum method chosen. */
lrfa_problem *lrfa_problem_new_with(const lrfa_matrix *Y, int transpose, int64_t kvec, lrfa_spectrum_method method,
                                    lrfa_error *err);
void lrfa_problem_free(lrfa_problem *P);
/* Recomputes P's spectrum and singular vectors with the safest setting that
 * fits, after a fit came out below opt(r) (lrfa_result.opt_suspect): dgesdd
 * when a dense copy fits and min(n, m) <= LRFA_DENSE_FALLBACK_MAX, else
 * Lanczos with a block of 8, tolerance 1e-13, another start and four times
 * the products. P is unchanged on failure; on success P->rechecked is set
 * and results fitted before are stale (refit: the start and step size
 * follow s_1). */
lrfa_status lrfa_problem_recheck(lrfa_problem *P, lrfa_error *err);
/* opt(r) = sqrt(sum_{i>r} s_i^2) of the problem's Y. */
double lrfa_problem_opt(const lrfa_problem *P, int64_t r);

/* ---- options ---- */

/* Progress report, passed to the callback at most every few iterations. */
typedef struct lrfa_progress {
    int64_t iteration;   /* iterations done */
    int64_t max_iters;   /* the limit */
    double error;        /* ||ZW - Y||_F (Gram identity) */
    double gap;          /* error - opt(r) */
    double seconds;      /* time since the iterations began */
} lrfa_progress;

/* Returns non-zero to stop the run at this iteration (LRFA_EINTERRUPT). */
typedef int (*lrfa_progress_fn)(const lrfa_progress *p, void *data);

typedef struct lrfa_options {
    lrfa_algo algo;          /* GD or FA (default GD) */
    int64_t rank;            /* r, 1 <= r <= min(n, m) (no default: required) */
    double lr;               /* step size eta; 0 selects lr_scale / s_1 (default 0) */
    double lr_scale;         /* c in eta = c / s_1 (default 0.2) */
    int64_t max_iters;       /* iteration limit (default 20000) */
    double tol;              /* stop when the exact error changes by less than
                                tol ||Y||_F over `window` iterations (a change
                                relative to the scale of every relative figure),
                                or is below 1e-13 ||Y||_F; 0 disables
                                (default 1e-10) */
    int64_t window;          /* iterations between convergence checks (default 100) */
    double init_scale;       /* initial Z, W scale (default 1e-4, a small start).
                                With r > rank(Y) the unused directions keep a
                                residue of order init_scale^2 ||Y||_F, which GD
                                removes only very slowly */
    double feedback_scale;   /* B scale (default 1) */
    uint64_t seed;           /* random seed (default 1) */
    int64_t log_every;       /* trace every K iterations; 0 = no trace (default 0) */
    int64_t exact_every;     /* exact residual (and, under FA, grad_align) at every
                                K-th logged row: one more pass over Y each; 0 =
                                only at convergence checks and the end (default 0).
                                Every other figure of a logged row costs
                                O((n + m) r^2) and no pass over Y */
    int transpose;           /* factor Y^T instead of Y (default 0; applied by
                                lrfa_problem_new, recorded here for reports) */
    double diverge_factor;   /* divergence when error > this x initial error (1e3) */
    lrfa_progress_fn progress; /* called every progress_every iterations, or NULL */
    void *progress_data;
    int64_t progress_every;  /* default 10 */
} lrfa_options;

void lrfa_options_default(lrfa_options *opt);

/* NULL when opt is valid for an n x m problem, else a readable message
 * (static storage, naming the option). Called by lrfa_fit before any work. */
const char *lrfa_options_check(const lrfa_options *opt, int64_t n, int64_t m);

/* ---- results ---- */

/* The figures at one iteration. NaN marks a figure that does not apply
 * (FA-only figures under GD) or could not be computed. */
typedef struct lrfa_figures {
    int64_t iteration;
    double seconds;          /* since the iterations began */
    double error;            /* ||ZW - Y||_F */
    int exact;               /* 1: streamed residual; 0: Gram identity */
    double opt;              /* opt(r) */
    double gap;              /* error - opt */
    double rel_gap;          /* gap / ||Y||_F */
    double align_zb;         /* FA: trace(B Z) / (||B||_F ||Z||_F) */
    double align_min_eig;    /* FA: lambda_min(sym(B Z)) / max |lambda(sym(B Z))| */
    double grad_align;       /* FA: cos angle between B E and Z^T E; needs Z^T Y,
                                one more pass over Y, so it is computed only
                                where the error is exact (NaN elsewhere) */
    double drift;            /* ||C(t) - C(0)||_F over the size of C's terms;
                                GD: C = Z^T Z - W W^T, FA: C = W W^T - B Z - Z^T B^T */
    double conservation_terms; /* the size of C's terms: GD ||Z^T Z||_F + ||W W^T||_F,
                                FA ||W W^T||_F + 2 ||B Z||_F (drift times this is
                                ||C(t) - C(0)||_F) */
    double overlap_w_top;    /* ||Q_W^T V_r||_F^2 / r, Q_W a basis of row(W) */
    double overlap_z_top;    /* ||Q_Z^T U_r||_F^2 / r, Q_Z a basis of col(Z) */
} lrfa_figures;

typedef enum lrfa_stop {
    LRFA_STOP_MAX_ITERS = 0, /* reached max_iters */
    LRFA_STOP_CONVERGED = 1, /* the tolerance test passed */
    LRFA_STOP_DIVERGED = 2,  /* non-finite values or runaway error */
    LRFA_STOP_INTERRUPTED = 3 /* the progress callback asked to stop */
} lrfa_stop;

typedef struct lrfa_result {
    lrfa_algo algo;
    int64_t n, m, r;
    lrfa_dense *Z;           /* n x r */
    lrfa_dense *W;           /* r x m */
    lrfa_dense *B;           /* r x n feedback (FA only; NULL for GD) */
    lrfa_figures final;      /* at the end, with the exact error */
    double fa_pred;          /* FA: ||Y - Y P||_F, P the projector onto row(B Y) */
    double opt_tolerance;    /* how far below opt(r) the final error may fall from
                                rounding and the spectrum's own error bound */
    int opt_suspect;         /* 1: the final error is below opt(r) by more than
                                opt_tolerance, which no factorization can do: the
                                spectrum missed a value (see lrfa_problem_recheck) */
    double fro;              /* ||Y||_F */
    double lr;               /* the step size used */
    int64_t iterations;      /* iterations done */
    lrfa_stop stop;          /* why the run ended */
    int converged;           /* stop == LRFA_STOP_CONVERGED */
    int64_t diverged_at;     /* iteration of divergence, or -1 */
    double seconds;          /* whole fit, set-up and figures included */
    double iter_seconds;     /* the iterations alone */
    lrfa_figures *trace;     /* trace_len logged rows (NULL when log_every = 0) */
    int64_t trace_len;
    int64_t trace_cap;
} lrfa_result;

void lrfa_result_free(lrfa_result *res);

/* Runs opt->algo on P. On success returns LRFA_OK and a result. On
 * divergence returns LRFA_EDIVERGED and still fills *out: Z, W and the final
 * figures are those of the last finite state (iterations = diverged_at - 1),
 * diverged_at the iteration whose error was non-finite or above
 * diverge_factor times its start. On interruption returns LRFA_EINTERRUPT
 * and fills *out with the state reached. Other failures leave *out NULL. */
lrfa_status lrfa_fit(const lrfa_problem *P, const lrfa_options *opt, lrfa_result **out, lrfa_error *err);

/* ---- pieces, for tests and for building other drivers ---- */

/* The initial Z (n x r), W (r x m) and, for FA, B (r x n) that lrfa_fit
 * starts from, for the step size and scales resolved against P. */
lrfa_status lrfa_init_factors(const lrfa_problem *P, const lrfa_options *opt, lrfa_dense **Z,
                              lrfa_dense **W, lrfa_dense **B, lrfa_error *err);

/* The step size lrfa_fit uses: opt->lr, or lr_scale / s_1. */
double lrfa_resolve_lr(const lrfa_problem *P, const lrfa_options *opt);

/* One iteration the naive way, forming E = Z W - Y (n x m) explicitly: the
 * reference the one-pass iteration is tested against. Y is dense. */
lrfa_status lrfa_step_naive(const lrfa_dense *Y, lrfa_dense *Z, lrfa_dense *W, const lrfa_dense *B,
                            double eta, lrfa_algo algo, lrfa_error *err);

/* ||Y - Y P||_F with P the orthogonal projector onto row(B Y): the error FA
 * converges to when it converges and B Z is invertible. */
lrfa_status lrfa_fa_prediction(const lrfa_problem *P, const lrfa_dense *B, double *pred, lrfa_error *err);

#ifdef __cplusplus
}
#endif
#endif
