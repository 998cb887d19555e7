/* lrfa/solver.h: one layered solver for the learning rules of deep linear
 * networks,
 *
 *     min L = 1/2 ||M - Y||_F^2,   M = W_L ... W_1,   Y n x m,
 *
 * W_l d_l x d_{l-1}, d_0 = m, d_L = n, hidden widths d_1 .. d_{L-1}. The
 * inputs are the m basis vectors, so layer l's hidden representation is
 * h_l = W_l ... W_1 (d_l x m), h_0 = I, and E = M - Y. The two-layer model
 * Y ~ Z W is the case L = 2 (W_1 = W, W_2 = Z, d_1 = r). Every rule updates
 * (simultaneously, step eta)
 *
 *     W_l <- W_l - eta delta_l h_{l-1}^T,   delta_L = E, and for l < L
 *
 *     gd   delta_l = W_{l+1}^T delta_{l+1}          (backpropagation)
 *     fa   delta_l = B_l delta_{l+1}                B_l d_l x d_{l+1}, fixed
 *     dfa  delta_l = B_l E                          B_l d_l x n, fixed
 *     kp   as fa, with B_l <- (1 - eta lam) B_l - eta h_l delta_{l+1}^T and
 *          W_{l+1} decaying by the same lam (Kolen-Pollack), so
 *          B_l - W_{l+1}^T shrinks by (1 - eta lam) every step
 *     sign delta_l = S_l delta_{l+1},  S_l = s_l sign(W_{l+1})^T with
 *          s_l = ||W_{l+1}||_F / ||sign(W_{l+1})||_F (||S_l||_F = ||W_{l+1}||_F)
 *
 * At L = 2, fa and dfa are the same rule: W <- W - eta B E.
 *
 * One pass. Writing delta_l = C_l E (C_l d_l x n: W_{L:l+1}^T for gd,
 * B_l ... B_{L-1} for fa and kp, S_l ... S_{L-1} for sign, B_l for dfa), the
 * only products with Y an iteration needs are Y W_1^T (n x d_1), from which
 * Y h_{l-1}^T = (Y W_1^T)(W_{l-1} ... W_2)^T, and, for gd, kp and sign,
 * C_{L-1} Y (the top's feedback times Y); the fixed C_1 Y of fa and dfa is
 * formed once. With T_l = W_L ... W_l (n x d_{l-1}) and K_l = h_l h_l^T:
 *     E h_{l-1}^T = T_l K_{l-1} - Y h_{l-1}^T          (l >= 2)
 *     E h_0^T     = E,  C_1 E = (C_1 T_2) W_1 - C_1 Y
 *     ||E||_F^2  = ||Y||_F^2 - 2 <T_2, Y W_1^T> + <T_2^T T_2, K_1>.
 * The last identity cancels near zero error (its error is about
 * eps ||Y||_F^2 in ||E||^2), so the exact residual is streamed over Y at
 * convergence checks and at the end. No n x m matrix is ever formed.
 *
 * Defaults make a run invariant to rescaling Y by c (every relative figure is
 * unchanged): eta = lr_scale / s_1^(2 (L-1) / L), W_l entries
 * N(0, init_scale^2 s_1^(2/L) / max(d_l, d_{l-1})) (for L = 2: Z entries
 * N(0, init_scale^2 s_1 / n), W entries N(0, init_scale^2 s_1 / m)), feedback
 * entries N(0, feedback_scale^2 s^2 / max(rows, cols)) with s = s_1^(1/L) for
 * fa and kp and s_1^((L-l)/L) for dfa's B_l (at L = 2, N(0, fb^2 s_1 / n)),
 * and the decay lam = decay s_1^(2 (L-1) / L). The weights come from stream 0
 * of the seed (W_L first, then W_1 .. W_{L-1}) and the feedback from stream
 * 1 (B_1 first), so runs of every rule with one seed start from the same
 * weights.
 */
#ifndef LRFA_SOLVER_H
#define LRFA_SOLVER_H

#include <stdint.h>
#include "matrix.h"
#include "comm.h"
#include "spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The deepest network: L <= LRFA_MAX_LAYERS. */
#define LRFA_MAX_LAYERS 16

/* The learning rule (called algo where the two-layer model named it). */
typedef enum lrfa_algo {
    LRFA_ALGO_GD = 0,  /* backpropagation: delta_l = W_{l+1}^T delta_{l+1} */
    LRFA_ALGO_FA = 1,  /* feedback alignment: delta_l = B_l delta_{l+1}, B_l fixed */
    LRFA_ALGO_DFA = 2, /* direct feedback alignment: delta_l = B_l E, B_l fixed */
    LRFA_ALGO_KP = 3,  /* Kolen-Pollack: as fa, B_l learning as W_{l+1}^T does */
    LRFA_ALGO_SIGN = 4 /* sign symmetry: delta_l = s_l sign(W_{l+1})^T delta_{l+1} */
} lrfa_algo;
#define LRFA_ALGO_COUNT 5

/* How the weights start. */
typedef enum lrfa_init {
    LRFA_INIT_GAUSSIAN = 0,  /* independent Gaussian entries (scaled as above) */
    LRFA_INIT_ORTHOGONAL = 1 /* W_l = init_scale s_1^(1/L) Q_l, Q_l with orthonormal rows
                                or columns (whichever are fewer), Haar-distributed */
} lrfa_init;

/* The default initial scale of deeper networks (L >= 3). Gradient descent
 * from a start of scale e escapes the saddle at zero in a time that grows
 * like e^-(L-2) for L >= 3 (like log(1/e) for L = 2), so deep networks
 * start larger than the two-layer model's 1e-4. */
#define LRFA_DEEP_INIT_SCALE 0.1

/* "gd", "fa", "dfa", "kp", "sign", and the reverse (-1 for an unknown name). */
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
    lrfa_dense *V;         /* m x kvec leading right singular vectors, or NULL;
                              one side only is held: U, or V when Y is tall
                              (n > m); the other is Y^T U S^{-1} or Y V S^{-1} */
    int rechecked;         /* the spectrum was recomputed by lrfa_problem_recheck */
    const lrfa_comm *comm; /* NULL: one process; else Y (n x m) is this process's
                              block of rows of a comm->rows x m target, and so
                              are U's rows: n is the block's, fro, s1 and the
                              spectrum the whole's */
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
/* The problem of a Y split by rows between the processes of comm
 * (lrfa/comm.h): Y is this process's block (comm->row0 onwards); every
 * process calls it, and every later call on the problem, in the same order.
 * comm must outlive the problem. */
lrfa_problem *lrfa_problem_new_dist(const lrfa_matrix *Y, const lrfa_comm *comm, int64_t kvec,
                                    lrfa_spectrum_method method, lrfa_error *err);
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
    lrfa_algo algo;          /* the rule (default gd) */
    int64_t rank;            /* r, 1 <= r <= min(n, m): the two-layer width
                                (depth 0; no default: required) */
    int64_t depth;           /* L: 0 = the two-layer model of width rank;
                                2 .. LRFA_MAX_LAYERS: widths[] holds d_1 .. d_{L-1}
                                (default 0) */
    int64_t widths[LRFA_MAX_LAYERS - 1]; /* the hidden widths, 1 <= d_l <= max(n, m) (depth >= 2) */
    double decay;            /* kp: lam = decay s_1^(2 (L-1) / L), so eta lam =
                                lr_scale decay with the automatic step size
                                (default 1e-3); other rules ignore it */
    lrfa_init init;          /* the weights' start (default Gaussian) */
    double lr;               /* step size eta; 0 selects lr_scale / s_1 (default 0) */
    double lr_scale;         /* c in eta = c / s_1 (default 0.2) */
    int64_t max_iters;       /* iteration limit (default 20000) */
    double tol;              /* stop when the exact error changes by less than
                                tol ||Y||_F over `window` iterations (a change
                                relative to the scale of every relative figure),
                                or is below 1e-13 ||Y||_F; 0 disables
                                (default 1e-10) */
    int64_t window;          /* iterations between convergence checks (default 100) */
    double init_scale;       /* initial weight scale; negative = automatic (the
                                default): 1e-4 for L = 2 (a small start; with
                                r > rank(Y) the unused directions keep a residue
                                of order init_scale^2 ||Y||_F, which GD removes
                                only very slowly), LRFA_DEEP_INIT_SCALE deeper.
                                0 starts every W_l at zero: fa, dfa and kp learn
                                from there, gd and sign cannot (refused) */
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
    const lrfa_dense *const *start_weights;  /* NULL, or L matrices W_1 .. W_L
                                (d_l x d_{l-1}) to start from instead */
    const lrfa_dense *const *start_feedback; /* NULL, or the L - 1 feedback
                                matrices B_1 .. B_{L-1} to start from (fa, kp:
                                d_l x d_{l+1}; dfa: d_l x n; unused by gd, sign).
                                Across processes (lrfa_problem_new_dist) n is
                                this process's rows: W_L holds its rows and an
                                n-wide feedback its columns */
    lrfa_progress_fn progress; /* called every progress_every iterations, or NULL */
    void *progress_data;
    int64_t progress_every;  /* default 10 */
} lrfa_options;

void lrfa_options_default(lrfa_options *opt);

/* NULL when opt is valid for an n x m problem, else a readable message
 * (static storage, naming the option). Called by lrfa_fit before any work. */
const char *lrfa_options_check(const lrfa_options *opt, int64_t n, int64_t m);

/* The network's shape for opt on an n x m problem: returns L and fills
 * d[0 .. L] (d_0 = m, d_L = n), or returns 0 when opt names none. */
int64_t lrfa_options_layers(const lrfa_options *opt, int64_t n, int64_t m, int64_t *d);

/* ---- results ---- */

/* One layer's figures (index l - 1 for layer l). NaN where a figure does not
 * apply to the rule or the layer. */
typedef struct lrfa_layer_figures {
    double norm;             /* ||W_l||_F */
    double align;            /* how W_l aligns with the feedback standing in for it:
                                fa, kp, sign: cos(W_l^T, F_{l-1}) with F_{l-1} = B_{l-1}
                                or S_{l-1}; dfa: cos(W_l, B_l B_{l-1}^T) for 1 < l < L,
                                cos(W_L^T, B_{L-1}) at the top (Refinetti et al.);
                                layer 1 and gd: NaN. At L = 2 this is align_zb */
    double align_min_eig;    /* fa, kp, sign (and dfa's top): lambda_min(sym(F_{l-1} W_l))
                                over its largest |lambda| */
    double feedback_ratio;   /* kp, sign: ||F_{l-1}||_F / ||W_l||_F */
    double grad_align;       /* l < L, not gd: cos angle between the rule's update
                                delta_l h_{l-1}^T and the true gradient; layer 1
                                needs a pass over Y, so it comes with exact rows */
    double delta_align;      /* l < L, not gd: cos angle between delta_l and
                                backpropagation's signal at the same weights
                                (exact rows only) */
    double drift;            /* the pair (l, l+1), l < L: ||C(t) - C(0)||_F over the
                                size of C's terms, for the law the rule conserves
                                under gradient flow: gd C = W_{l+1}^T W_{l+1} - W_l W_l^T;
                                fa (and dfa's top pair) C = W_l W_l^T - B_l W_{l+1} -
                                W_{l+1}^T B_l^T; kp C = (B_l - W_{l+1}^T) / (1 - eta lam)^t,
                                kept exactly by the discrete iteration; sign and
                                dfa's other pairs keep none: NaN */
    double conservation_terms; /* the size of C's terms (drift times this is ||C(t) - C(0)||_F) */
    double overlap_h;        /* l < L: overlap of row(h_l) with the leading k right
                                singular vectors of Y, k = min(d_1 .. d_l) its rank */
    double overlap_top;      /* l < L: overlap of col(W_L ... W_{l+1}) with the leading
                                k left singular vectors, k = min(d_l .. d_{L-1}) */
    double dfa_cond;         /* dfa with every hidden width >= n: the condition number
                                s_max / s_min of DFA's alignment matrix A_l (least
                                squares: A_1 = B_1^+ W_1, n x m; A_l = B_l^+ W_l
                                (B_{l-1}^+)^T, n x n; A_L = W_L (B_{L-1}^+)^T); NaN
                                otherwise (with a width below n the structure holds
                                trivially) */
    double dfa_residual;     /* the same: ||W_l - B_l A_l B_{l-1}^T||_F / ||W_l||_F (B_0 =
                                I, B_L = I); 0 up to rounding from a zero start */
    double signal_cancel;    /* l < L, not gd, exact rows: how far delta_l and
                                backpropagation's signal cancel, the larger of
                                ||C_l Y||_F / ||C_l E||_F and ||T_{l+1}^T Y||_F /
                                ||T_{l+1}^T E||_F; +inf when a signal is 0.
                                Rounding moves delta_align and layer 1's
                                grad_align by up to about signal_cancel eps
                                (measured: another processor's BLAS moved them
                                by 1.4e-17 to 6e-17 times signal_cancel), so near
                                a fixed point, where E's signal vanishes, these
                                cosines are rounding */
} lrfa_layer_figures;

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
    /* For L = 2 the figures above are those of the layers below: align_zb and
     * align_min_eig layer[1]'s, grad_align, drift, conservation_terms,
     * overlap_w_top (overlap_h) and overlap_z_top (overlap_top) layer[0]'s.
     * For L > 2 the two-layer figures above are NaN. */
    lrfa_layer_figures layer[LRFA_MAX_LAYERS]; /* layers 1 .. L at [0 .. L-1] */
} lrfa_figures;

typedef enum lrfa_stop {
    LRFA_STOP_MAX_ITERS = 0, /* reached max_iters */
    LRFA_STOP_CONVERGED = 1, /* the tolerance test passed */
    LRFA_STOP_DIVERGED = 2,  /* non-finite values or runaway error */
    LRFA_STOP_INTERRUPTED = 3 /* the progress callback asked to stop */
} lrfa_stop;

typedef struct lrfa_result {
    lrfa_algo algo;
    int64_t n, m, r;         /* r: the narrowest width (the rank of M) */
    int64_t depth;           /* L */
    int64_t widths[LRFA_MAX_LAYERS + 1]; /* d_0 = m, d_1 .. d_{L-1}, d_L = n */
    lrfa_dense *weights[LRFA_MAX_LAYERS];  /* [l-1]: W_l, d_l x d_{l-1} (owned) */
    lrfa_dense *feedback[LRFA_MAX_LAYERS]; /* [l-1]: B_l, l < L (owned): fa, kp
                                d_l x d_{l+1}, dfa d_l x n, sign the final S_l;
                                NULL for gd */
    lrfa_dense *Z;           /* the top layer W_L (n x d_{L-1}); alias, not owned */
    lrfa_dense *W;           /* the first layer W_1 (d_1 x m); alias, not owned */
    lrfa_dense *B;           /* feedback[0] (NULL for gd); alias, not owned */
    lrfa_figures final;      /* at the end, with the exact error */
    double fa_pred;          /* fa, dfa: ||Y - Y P||_F, P the projector onto
                                row(B_eff Y), B_eff = B_1 ... B_{L-1} (fa) or B_1
                                (dfa): the error at any fixed point; NaN otherwise,
                                and NaN when no fixed point exists */
    int64_t pred_rank;       /* fa, dfa: the numerical rank of B_eff Y */
    int no_fixed_point;      /* dfa: rank(B_1 Y) exceeds the narrowest width, so
                                B_1 M = B_1 Y cannot hold: no fixed point exists */
    double lambda;           /* kp: the decay used */
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

/* The product W_hi ... W_lo (d_hi x d_{lo-1}) of a result's layers,
 * 1 <= lo <= hi <= L: the hidden representation h_l is (l, 1), the map
 * above layer l is (L, l+1). NULL on failure. */
lrfa_dense *lrfa_result_product(const lrfa_result *res, int64_t hi, int64_t lo, lrfa_error *err);

/* ---- pieces, for tests and for building other drivers ---- */

/* The initial weights W[0 .. L-1] and feedback B[0 .. L-2] (NULL entries for
 * gd and sign) that lrfa_fit starts from. The caller frees each. */
lrfa_status lrfa_init_layers(const lrfa_problem *P, const lrfa_options *opt, lrfa_dense **W, lrfa_dense **B,
                             lrfa_error *err);

/* One step of opt-> rule's iteration the naive way: forms every h_l, E
 * (n x m) and every delta_l explicitly, then updates W[0 .. L-1] and, for kp,
 * B[0 .. L-2]. The reference the one-pass iteration is tested against. Y is
 * dense; lam is kp's decay. */
lrfa_status lrfa_layers_step_naive(const lrfa_dense *Y, int64_t L, lrfa_dense **W, lrfa_dense **B,
                                   lrfa_algo rule, double eta, double lam, lrfa_error *err);

/* The initial Z (n x r), W (r x m) and, for FA, B (r x n) that lrfa_fit
 * starts from, for the step size and scales resolved against P. */
lrfa_status lrfa_init_factors(const lrfa_problem *P, const lrfa_options *opt, lrfa_dense **Z,
                              lrfa_dense **W, lrfa_dense **B, lrfa_error *err);

/* The step size lrfa_fit uses: opt->lr, or lr_scale / s_1^(2 (L-1) / L). */
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
