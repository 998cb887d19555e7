/* solver.c: the layered one-pass iteration for every rule and depth, and the
 * figures it reports (the mathematics is in include/lrfa/solver.h). */
#include <cblas.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "lrfa/linalg.h"
#include "lrfa/metrics.h"
#include "lrfa/rng.h"
#include "lrfa/solver.h"
#include "internal.h"
#include "yops.h"

#define MAXL LRFA_MAX_LAYERS

static const char *const rule_names[LRFA_ALGO_COUNT] = {"gd", "fa", "dfa", "kp", "sign"};

const char *lrfa_algo_name(lrfa_algo a)
{
    return (unsigned)a < LRFA_ALGO_COUNT ? rule_names[a] : "unknown";
}

int lrfa_algo_parse(const char *name)
{
    int i;
    for (i = 0; i < LRFA_ALGO_COUNT; i++)
        if (!strcmp(name, rule_names[i])) return i;
    return -1;
}

void lrfa_options_default(lrfa_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->algo = LRFA_ALGO_GD;
    opt->rank = 0;
    opt->depth = 0;
    opt->decay = 1e-3;
    opt->init = LRFA_INIT_GAUSSIAN;
    opt->lr = 0.0;
    opt->lr_scale = 0.2;
    opt->max_iters = 20000;
    opt->tol = 1e-10;
    opt->window = 100;
    opt->init_scale = -1.0;
    opt->feedback_scale = 1.0;
    opt->seed = 1;
    opt->log_every = 0;
    opt->exact_every = 0;
    opt->transpose = 0;
    opt->diverge_factor = 1e3;
    opt->start_weights = NULL;
    opt->start_feedback = NULL;
    opt->progress = NULL;
    opt->progress_data = NULL;
    opt->progress_every = 10;
}

int64_t lrfa_options_layers(const lrfa_options *opt, int64_t n, int64_t m, int64_t *d)
{
    int64_t L, l;
    if (opt->depth == 0) {
        d[0] = m;
        d[1] = opt->rank;
        d[2] = n;
        return 2;
    }
    if (opt->depth < 2 || opt->depth > MAXL) return 0;
    L = opt->depth;
    d[0] = m;
    for (l = 1; l < L; l++) d[l] = opt->widths[l - 1];
    d[L] = n;
    return L;
}

static int64_t narrowest(const int64_t *d, int64_t L)
{
    int64_t l, k = d[1];
    for (l = 2; l < L; l++) k = d[l] < k ? d[l] : k;
    return k;
}

static double init_scale_of(const lrfa_options *opt, int64_t L)
{
    return opt->init_scale >= 0.0 ? opt->init_scale : L == 2 ? 1e-4 : LRFA_DEEP_INIT_SCALE;
}

const char *lrfa_options_check(const lrfa_options *opt, int64_t n, int64_t m)
{
    static char msg[200];
    int64_t k = n < m ? n : m, big = n > m ? n : m, d[MAXL + 1], L, l;
    if ((unsigned)opt->algo >= LRFA_ALGO_COUNT) return "rule: expected gd, fa, dfa, kp or sign";
    if (k < 1) return "the matrix is empty: nothing to factor";
    if (opt->depth == 0) {
        if (opt->rank < 1 || opt->rank > k) {
            snprintf(msg, sizeof msg, "rank r = %lld is out of range: expected 1 <= r <= min(n, m) = %lld",
                     (long long)opt->rank, (long long)k);
            return msg;
        }
    } else if (opt->depth < 2 || opt->depth > MAXL) {
        snprintf(msg, sizeof msg, "depth L = %lld is out of range: expected 2 <= L <= %d", (long long)opt->depth,
                 MAXL);
        return msg;
    }
    L = lrfa_options_layers(opt, n, m, d);
    for (l = 1; l < L; l++) {
        if (d[l] < 1) {
            snprintf(msg, sizeof msg, "width d_%lld = %lld: expected at least 1", (long long)l, (long long)d[l]);
            return msg;
        }
        if (d[l] > big) {
            snprintf(msg, sizeof msg,
                     "width d_%lld = %lld exceeds max(n, m) = %lld: a layer that wide adds no representable "
                     "product, only work", (long long)l, (long long)d[l], (long long)big);
            return msg;
        }
        if ((double)d[l] * (double)(big > d[l] ? big : d[l]) > (double)INT_MAX) {
            snprintf(msg, sizeof msg, "width d_%lld = %lld: d x max(n, m) exceeds the 32-bit sizes of this BLAS",
                     (long long)l, (long long)d[l]);
            return msg;
        }
    }
    if (opt->depth == 0 && (double)opt->rank * (double)big > (double)INT_MAX) {
        snprintf(msg, sizeof msg, "rank r = %lld: r x max(n, m) exceeds the 32-bit sizes of this BLAS",
                 (long long)opt->rank);
        return msg;
    }
    if (!(opt->lr >= 0.0) || !isfinite(opt->lr)) return "step size: expected a positive number (or auto)";
    if (!(opt->lr_scale > 0.0) || !isfinite(opt->lr_scale)) return "step-size scale: expected a positive number";
    if (opt->max_iters < 0) return "iterations: expected a non-negative number";
    if (!(opt->tol >= 0.0) || !isfinite(opt->tol)) return "tolerance: expected a non-negative number";
    if (opt->window < 1) return "convergence window: expected at least 1 iteration";
    if (isnan(opt->init_scale) || !isfinite(opt->init_scale)) return "initial scale: expected a number >= 0";
    if ((unsigned)opt->init > LRFA_INIT_ORTHOGONAL) return "initialization: expected gaussian or orthogonal";
    if (opt->init_scale == 0.0 && !opt->start_weights) {
        if (opt->algo == LRFA_ALGO_GD)
            return "gd cannot leave a zero start (every gradient vanishes there): use an initial scale above 0";
        if (opt->algo == LRFA_ALGO_SIGN)
            return "sign symmetry cannot leave a zero start (its feedback sign(W) is zero there): use an initial "
                   "scale above 0";
    }
    if (!(opt->feedback_scale > 0.0) || !isfinite(opt->feedback_scale))
        return "feedback scale: expected a positive number";
    if (!(opt->decay >= 0.0) || !isfinite(opt->decay)) return "decay: expected a non-negative number";
    if (opt->log_every < 0) return "logging interval: expected a non-negative number";
    if (opt->exact_every < 0) return "exact-error interval: expected a non-negative number";
    if (!(opt->diverge_factor > 1.0)) return "divergence factor: expected a number above 1";
    if (opt->progress_every < 1) return "progress interval: expected at least 1";
    return NULL;
}

/* s_1^(2 (L-1) / L): the unit of the step size's inverse (s_1 for L = 2) */
static double step_unit(const lrfa_problem *P, int64_t L)
{
    double s1 = P->s1 > 0.0 ? P->s1 : 1.0;
    return L == 2 ? s1 : pow(s1, 2.0 * (double)(L - 1) / (double)L);
}

double lrfa_resolve_lr(const lrfa_problem *P, const lrfa_options *opt)
{
    int64_t d[MAXL + 1], L = lrfa_options_layers(opt, P->n, P->m, d);
    if (opt->lr > 0.0) return opt->lr;
    if (L < 2) L = 2;
    return P->s1 > 0.0 ? opt->lr_scale / step_unit(P, L) : opt->lr_scale;
}

/* the feedback's shape: fa, kp d_l x d_{l+1}; dfa d_l x n */
static int has_feedback(lrfa_algo a)
{
    return a == LRFA_ALGO_FA || a == LRFA_ALGO_DFA || a == LRFA_ALGO_KP;
}

static int64_t feedback_cols(lrfa_algo a, const int64_t *d, int64_t L, int64_t l)
{
    return a == LRFA_ALGO_DFA ? d[L] : d[l + 1];
}

/* Q (rows x cols) with orthonormal columns (rows >= cols) or rows, from the
 * Gaussian entries it holds */
static lrfa_status orthogonalize(lrfa_dense *A, lrfa_error *err)
{
    lrfa_dense *T;
    lrfa_status st;
    int64_t i, j;
    if (A->rows >= A->cols) return lrfa_qr_orthonormal(A, err);
    T = lrfa_dense_transpose(A, err);
    if (!T) return err ? err->status : LRFA_ENOMEM;
    st = lrfa_qr_orthonormal(T, err);
    if (st == LRFA_OK)
        for (j = 0; j < A->cols; j++)
            for (i = 0; i < A->rows; i++) A->data[i + j * A->rows] = T->data[j + i * T->rows];
    lrfa_dense_free(T);
    return st;
}

/* Copies a given start A into X (allocated with the expected shape);
 * 0 with err filled when A's shape is not X's. */
static int copy_checked(const lrfa_dense *A, lrfa_dense *X, const char *what, int64_t l, lrfa_error *err)
{
    if (!A || A->rows != X->rows || A->cols != X->cols) {
        lrfa_fail(err, LRFA_EINPUT, 0, "the starting %s_%lld is %lld x %lld: expected %lld x %lld", what,
                  (long long)l, A ? (long long)A->rows : 0LL, A ? (long long)A->cols : 0LL, (long long)X->rows,
                  (long long)X->cols);
        return 0;
    }
    if (X->rows * X->cols > 0) memcpy(X->data, A->data, sizeof(double) * (size_t)(X->rows * X->cols));
    return 1;
}

/* A new copy of a given start A, which must be rows x cols */
static lrfa_dense *copy_start(const lrfa_dense *A, int64_t rows, int64_t cols, const char *what, int64_t l,
                              lrfa_error *err)
{
    lrfa_dense *X = lrfa_dense_alloc(rows, cols, err);
    if (X && !copy_checked(A, X, what, l, err)) {
        lrfa_dense_free(X);
        return NULL;
    }
    return X;
}

/* Stream 0: W_L, then W_1 .. W_{L-1}, entries N(0, e^2 s_1^(2/L) / max(d_l,
 * d_{l-1})) (orthogonal: e s_1^(1/L) Q); stream 1: B_1 .. B_{L-1}. */
/* Fills the start into W[0 .. L-1] and (rules with feedback) B[0 .. L-2],
 * allocated with their shapes: the given start weights and feedback, or the
 * seeded draws above. */
/* Draws of a rows x cols matrix (column-major) from rng, of which this
 * process keeps the rows r0 .. r0 + n - 1 (the n-side of a Y split by
 * rows: all of them for one process) into out (n x cols): the same numbers
 * as one process draws, whatever the split. */
static void draw_rows(lrfa_rng *rng, double *out, int64_t rows, int64_t cols, int64_t r0, int64_t n, double sigma)
{
    int64_t i, j;
    if (n == rows) {
        lrfa_rng_fill_gaussian(rng, out, rows * cols, sigma);
        return;
    }
    for (j = 0; j < cols; j++) {
        for (i = 0; i < r0; i++) (void)lrfa_rng_gaussian(rng);
        lrfa_rng_fill_gaussian(rng, out + j * n, n, sigma);
        for (i = r0 + n; i < rows; i++) (void)lrfa_rng_gaussian(rng);
    }
}

/* The same for the columns r0 .. r0 + n - 1 of a rows x cols matrix. */
static void draw_cols(lrfa_rng *rng, double *out, int64_t rows, int64_t cols, int64_t r0, int64_t n, double sigma)
{
    int64_t i;
    for (i = 0; i < rows * r0; i++) (void)lrfa_rng_gaussian(rng);
    lrfa_rng_fill_gaussian(rng, out, rows * n, sigma);
    for (i = rows * (r0 + n); i < rows * cols; i++) (void)lrfa_rng_gaussian(rng);
}

/* The orthonormal columns of a matrix split by rows (A: this process's n
 * rows of N >= k): A R^{-1} with R from the QR of the whole (the stacked R
 * of the blocks), its rows' signs flipped to make the diagonal positive as
 * lrfa_qr_orthonormal's is. */
static lrfa_status orthogonalize_rows(const lrfa_comm *c, lrfa_dense *A, lrfa_error *err)
{
    int64_t n = A->rows, k = A->cols, i, j;
    double *R = lrfa_alloc_array(k * k, sizeof(double));
    if (!R || !lrfa_stacked_r_rows(c, A, k, R)) {
        lrfa_dealloc(R);
        return lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for an orthogonal start");
    }
    for (i = 0; i < k; i++)
        if (R[i + i * k] < 0)
            for (j = i; j < k; j++) R[i + j * k] = -R[i + j * k];
    if (n > 0)
        cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, (int)n, (int)k, 1.0, R, (int)k,
                    A->data, (int)n);
    lrfa_dealloc(R);
    return LRFA_OK;
}

static lrfa_status init_fill(const lrfa_problem *P, const lrfa_options *opt, lrfa_dense *const *W,
                             lrfa_dense *const *B, lrfa_error *err)
{
    int64_t d[MAXL + 1], L = lrfa_options_layers(opt, P->n, P->m, d), l, k;
    int64_t N = lrfa_comm_rows(P->comm, P->n), r0 = lrfa_comm_row0(P->comm), D[MAXL + 1];
    double s1 = P->s1 > 0.0 ? P->s1 : 1.0, e = init_scale_of(opt, L), root = L == 2 ? s1 : pow(s1, 2.0 / (double)L);
    lrfa_rng rng;
    lrfa_status st;
    /* D: the widths of the whole (d_L = N rows) */
    memcpy(D, d, sizeof d);
    D[L] = N;
    lrfa_rng_seed(&rng, opt->seed, 0);
    for (k = 0; k < L; k++) {
        l = k == 0 ? L : k; /* the top first */
        if (opt->start_weights) {
            if (!copy_checked(opt->start_weights[l - 1], W[l - 1], "W", l, err)) return LRFA_EINPUT;
        } else if (e == 0.0) {
            memset(W[l - 1]->data, 0, sizeof(double) * (size_t)(d[l] * d[l - 1]));
        } else if (opt->init == LRFA_INIT_ORTHOGONAL) {
            int64_t i;
            double c = e * sqrt(root);
            draw_rows(&rng, W[l - 1]->data, D[l], d[l - 1], l == L ? r0 : 0, d[l], 1.0);
            if (l == L && lrfa_comm_shared(P->comm) && D[l] >= d[l - 1])
                st = orthogonalize_rows(P->comm, W[l - 1], err);
            else if (l == L && lrfa_comm_shared(P->comm))
                st = lrfa_fail(err, LRFA_EINPUT, 0, "an orthogonal start of a top layer wider than its %lld rows is "
                               "not available across processes", (long long)N);
            else
                st = orthogonalize(W[l - 1], err);
            if (st != LRFA_OK) return st;
            for (i = 0; i < d[l] * d[l - 1]; i++) W[l - 1]->data[i] *= c;
        } else {
            draw_rows(&rng, W[l - 1]->data, D[l], d[l - 1], l == L ? r0 : 0, d[l],
                      e * sqrt(root / (double)(D[l] > D[l - 1] ? D[l] : D[l - 1])));
        }
    }
    if (!has_feedback(opt->algo)) return LRFA_OK;
    lrfa_rng_seed(&rng, opt->seed, 1);
    for (l = 1; l < L; l++) {
        int64_t cols = feedback_cols(opt->algo, D, L, l);
        double pw = opt->algo == LRFA_ALGO_DFA ? (double)(L - l) : 1.0;
        double var = L == 2 ? s1 : pow(s1, 2.0 * pw / (double)L), sd;
        if (opt->start_feedback) {
            if (!copy_checked(opt->start_feedback[l - 1], B[l - 1], "B", l, err)) return LRFA_EINPUT;
            continue;
        }
        sd = opt->feedback_scale * sqrt(var / (double)(d[l] > cols ? d[l] : cols));
        if (opt->algo == LRFA_ALGO_DFA || l == L - 1) draw_cols(&rng, B[l - 1]->data, d[l], N, r0, P->n, sd);
        else lrfa_rng_fill_gaussian(&rng, B[l - 1]->data, d[l] * cols, sd);
    }
    return LRFA_OK;
}

lrfa_status lrfa_init_layers(const lrfa_problem *P, const lrfa_options *opt, lrfa_dense **W, lrfa_dense **B,
                             lrfa_error *err)
{
    int64_t d[MAXL + 1], L = lrfa_options_layers(opt, P->n, P->m, d), l;
    lrfa_status st = LRFA_ENOMEM;
    for (l = 0; l < MAXL; l++) W[l] = B[l] = NULL;
    if (L < 2) return lrfa_fail(err, LRFA_EINPUT, 0, "the network has no layers");
    for (l = 1; l <= L; l++)
        if (!(W[l - 1] = lrfa_dense_alloc(d[l], d[l - 1], err))) goto fail;
    if (has_feedback(opt->algo))
        for (l = 1; l < L; l++)
            if (!(B[l - 1] = lrfa_dense_alloc(d[l], feedback_cols(opt->algo, d, L, l), err))) goto fail;
    if ((st = init_fill(P, opt, W, B, err)) == LRFA_OK) return LRFA_OK;
fail:
    for (l = 0; l < MAXL; l++) {
        lrfa_dense_free(W[l]);
        lrfa_dense_free(B[l]);
        W[l] = B[l] = NULL;
    }
    return st;
}

lrfa_status lrfa_init_factors(const lrfa_problem *P, const lrfa_options *opt, lrfa_dense **Z, lrfa_dense **W,
                              lrfa_dense **B, lrfa_error *err)
{
    lrfa_dense *Ws[MAXL], *Bs[MAXL];
    lrfa_options o = *opt;
    lrfa_status st;
    int64_t l;
    o.depth = 0;
    *Z = *W = *B = NULL;
    if ((st = lrfa_init_layers(P, &o, Ws, Bs, err)) != LRFA_OK) return st;
    *W = Ws[0];
    *Z = Ws[1];
    *B = Bs[0];
    for (l = 2; l < MAXL; l++) lrfa_dense_free(Ws[l]);
    for (l = 1; l < MAXL; l++) lrfa_dense_free(Bs[l]);
    return LRFA_OK;
}

void lrfa_result_free(lrfa_result *res)
{
    int64_t l;
    if (!res) return;
    for (l = 0; l < MAXL; l++) {
        lrfa_dense_free(res->weights[l]);
        lrfa_dense_free(res->feedback[l]);
    }
    lrfa_dealloc(res->trace);
    lrfa_dealloc(res);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the iteration's state and workspace ----
 * Layers are numbered 1 .. L as in the mathematics. Layers 2 .. L have two
 * buffers that swap every step (current, next); the top's next is the
 * buffer Y h_{L-1}^T is formed in, since its update is written over it.
 * The first layer (d_1 x m, as large as the top when m ~ n) is updated in
 * place, a block of columns at a time. No previous state is kept: after a
 * step that diverged, the run is replayed from its seed to the last state
 * that passed (replay()). */

typedef struct fit_state {
    const lrfa_problem *P;
    const lrfa_options *opt;
    lrfa_algo rule;
    int64_t n, m, L, d[MAXL + 1], dmin, dmax;
    const lrfa_comm *comm;     /* the processes sharing Y's rows (NULL: one) */
    int64_t N;                 /* rows of the whole Y (n: this process's) */
    double eta, lam;           /* step and kp's decay */
    double *W[MAXL + 1], *Wnext[MAXL + 1]; /* W_l: d_l x d_{l-1} (no Wnext[1]) */
    double *B[MAXL], *Bnext[MAXL]; /* B_l, l < L (kp swaps them) */
    double *Q[MAXL];           /* Q[l] = Y h_l^T, n x d_l (Q[L-1] is Wnext[L]) */
    double *K[MAXL];           /* K[l] = h_l h_l^T, d_l x d_l */
    double *T[MAXL + 1];       /* T[l] = W_L ... W_l, n x d_{l-1}, l >= 2 (T[L] is W[L]) */
    double *TtT;               /* T_2^T T_2, d_1 x d_1 */
    double *CT;                /* C_1 T_2, d_1 x d_1 (not gd) */
    double *C[MAXL];           /* C[l] = the backward map of layer l, d_l x n (not gd) */
    double *S[MAXL];           /* sign: S_l = s_l sign(W_{l+1})^T, d_l x d_{l+1}, l < L - 1 */
    double *top;               /* n x d_{L-1}: C_{L-1}^T for the top pass (gd: W_L) */
    double *TY;                /* d_{L-1} x m: C_{L-1} Y (gd, kp, sign) */
    double *CYfix;             /* d_1 x m: C_1 Y, fixed (fa, dfa) */
    double *F;                 /* n x dmax scratch */
    double *G;                 /* dmax x dmax scratch */
    double *Mx;                /* dmax x dmax scratch */
    double *X1, *X2;           /* dmax x m scratch (deep gd, kp, sign) */
    double *Wtmp;              /* d_1 x FIRST_COLS: the first layer's block in its update */
    double *sums;              /* 2 d_1^2 + 1: products()' sums over the processes */
    double *work;              /* d_{L-1} x n scratch for Z^T Y by a sparse Y */
    double *C0[MAXL];          /* the conserved quantity of pair (l, l+1) at the start */
    double *Cs;                /* scratch of the largest C0 */
    int law[MAXL];             /* pair l has a law */
    int fused;                 /* Y W_1^T and C_{L-1} Y in one pass over a dense Y */
    int q_spent;               /* the figures used Q_{L-1}'s buffer: products() again before a step */
    double *partial;           /* the fused pass's per-worker sums */
    int64_t t;                 /* iterations done (kp's law) */
} fit_state;

enum { FIRST_COLS = 4096 };

#define NBUF(s) (sizeof(s) / sizeof((s)[0]))

/* Every buffer the state owns, for allocation bookkeeping and freeing.
 * Aliases (T[L], Q[L-1], top for gd, C[] for dfa, ...) are not listed. */
static void state_free(fit_state *s)
{
    int64_t l;
    for (l = 0; l <= MAXL; l++) {
        lrfa_dealloc(s->W[l]);
        lrfa_dealloc(s->Wnext[l]);
    }
    for (l = 0; l < MAXL; l++) {
        lrfa_dealloc(s->Bnext[l]);
        if (s->rule != LRFA_ALGO_DFA && !(l == s->L - 1 && (s->rule == LRFA_ALGO_FA || s->rule == LRFA_ALGO_KP)))
            lrfa_dealloc(s->C[l]);
        lrfa_dealloc(s->S[l]);
        lrfa_dealloc(s->C0[l]);
        lrfa_dealloc(s->K[l]);
        if (l != s->L - 1) lrfa_dealloc(s->Q[l]);
        lrfa_dealloc(s->B[l]);
    }
    for (l = 2; l < s->L; l++) lrfa_dealloc(s->T[l]);
    lrfa_dealloc(s->TtT);
    lrfa_dealloc(s->CT);
    if (s->rule == LRFA_ALGO_KP || s->rule == LRFA_ALGO_SIGN) lrfa_dealloc(s->top);
    lrfa_dealloc(s->TY);
    lrfa_dealloc(s->CYfix);
    lrfa_dealloc(s->F);
    lrfa_dealloc(s->G);
    lrfa_dealloc(s->Mx);
    lrfa_dealloc(s->X1);
    lrfa_dealloc(s->X2);
    lrfa_dealloc(s->Wtmp);
    lrfa_dealloc(s->sums);
    lrfa_dealloc(s->work);
    lrfa_dealloc(s->Cs);
    lrfa_dealloc(s->partial);
    memset(s, 0, sizeof *s);
}

static int per_iteration_cy(lrfa_algo a)
{
    return a == LRFA_ALGO_GD || a == LRFA_ALGO_KP || a == LRFA_ALGO_SIGN;
}

/* Whether an iteration's two products with Y (Y W_1^T and C_{L-1} Y) go in
 * one pass: a dense Y, d_1 = d_{L-1} <= 64, and either lrfa's kernel
 * (kernels.c) or more than one thread for the BLAS panels. */
static int fused_pass(const lrfa_problem *P, lrfa_algo rule, const int64_t *d, int64_t L)
{
    return per_iteration_cy(rule) && P->Y->storage == LRFA_STORAGE_DENSE && d[1] == d[L - 1] &&
           (lrfa_y_kernel_serves(P->Y, d[1]) || (d[1] <= 64 && lrfa_threads() > 1));
}

/* Allocates the workspace; the current weights and feedback are in place.
 * Returns 0 when out of memory. */
static int state_alloc(fit_state *s)
{
    int64_t n = s->n, m = s->m, L = s->L, *d = s->d, dx = s->dmax, l, cmax = 1;
    int ok = 1;
#define ALLOC(p, count) ok = ok && ((p) = lrfa_alloc_array((count), sizeof(double))) != NULL
    for (l = 2; l <= L; l++) ALLOC(s->Wnext[l], d[l] * d[l - 1]);
    ALLOC(s->Wtmp, d[1] * (m < FIRST_COLS ? m : FIRST_COLS));
    if (s->comm) ALLOC(s->sums, 2 * d[1] * d[1] + 1);
    for (l = 1; l < L; l++) {
        ALLOC(s->K[l], d[l] * d[l]);
        if (l != L - 1) ALLOC(s->Q[l], n * d[l]);
        if (s->rule == LRFA_ALGO_KP) ALLOC(s->Bnext[l], d[l] * d[l + 1]);
        if (s->rule == LRFA_ALGO_KP) { /* fa's fixed maps are made before */
            if (l != L - 1) ALLOC(s->C[l], d[l] * n);
        } else if (s->rule == LRFA_ALGO_SIGN) {
            ALLOC(s->C[l], d[l] * n);
            if (l != L - 1) ALLOC(s->S[l], d[l] * d[l + 1]);
        }
    }
    for (l = 2; l < L; l++) ALLOC(s->T[l], n * d[l - 1]);
    ALLOC(s->TtT, d[1] * d[1]);
    if (s->rule != LRFA_ALGO_GD) ALLOC(s->CT, d[1] * d[1]);
    if (s->rule == LRFA_ALGO_KP || s->rule == LRFA_ALGO_SIGN) ALLOC(s->top, n * d[L - 1]);
    if (per_iteration_cy(s->rule)) ALLOC(s->TY, d[L - 1] * m);
    if (per_iteration_cy(s->rule) && L > 2) {
        ALLOC(s->X1, dx * m);
        ALLOC(s->X2, dx * m);
    }
    if (L > 2 || s->rule == LRFA_ALGO_KP) ALLOC(s->F, n * dx);
    ALLOC(s->G, dx * dx);
    ALLOC(s->Mx, dx * dx);
    /* Z^T (row-major) for Z^T Y by the columns of a sparse Y */
    if (per_iteration_cy(s->rule) && s->P->Y->storage == LRFA_STORAGE_SPARSE) ALLOC(s->work, d[L - 1] * n);
    for (l = 1; l < L; l++) {
        int64_t c = s->rule == LRFA_ALGO_KP ? d[l] * d[l + 1] : d[l] * d[l];
        s->law[l] = s->rule == LRFA_ALGO_GD || s->rule == LRFA_ALGO_FA || s->rule == LRFA_ALGO_KP ||
                    (s->rule == LRFA_ALGO_DFA && l == L - 1);
        if (s->law[l]) ALLOC(s->C0[l], c);
        cmax = c > cmax ? c : cmax;
    }
    ALLOC(s->Cs, cmax);
    if (s->fused) ALLOC(s->partial, lrfa_y_fused_work(s->P->Y, d[1]));
#undef ALLOC
    return ok;
}

/* ---- the O((n + m) r^2) products ----
 *
 * While a fit's products with Y run on lrfa's kernels, OpenBLAS is held to
 * one thread (lrfa_blas_serial_begin), and the products of the thin factors
 * below would then take one core: at r = 128 on a 4000 x 4000 Y, 14 of an
 * FA iteration's 33 ms. So in such a fit each of them with at least
 * SPLIT_MIN multiply-adds is cut in two halves (along the longer side of
 * the result, or along the sum when the result is at most split_cap
 * entries, the second half's sum then added to the first's), the halves
 * computed on lrfa's threads. The halves are fixed by the shapes, not by
 * the thread count: the bits stay the same for every thread count. */
enum { SPLIT_MIN = 1 << 22, CHUNK_MIN = 64 };
static _Thread_local double *split_work = NULL; /* split_cap doubles; NULL: no splitting */
static _Thread_local int64_t split_cap = 0;

typedef struct half_ctx {
    int ta, tb, sym;         /* sym: C = A^T A (ta) or A A^T (!ta), lower triangle */
    int64_t p, q, k;
    double alpha, beta;
    const double *A, *B;
    double *C;
    int axis;                /* 0: rows of C, 1: columns of C, 2: the sum */
    double *work;            /* axis 2: the second half's sum, p x q */
} half_ctx;

static void gemm_part(const half_ctx *c, int64_t p0, int64_t p1, int64_t q0, int64_t q1, int64_t k0, int64_t k1,
                      double beta, double *C, int64_t ldc)
{
    int64_t lda = c->ta ? c->k : c->p, ldb = c->tb ? c->q : c->k;
    const double *A = c->A + (c->ta ? k0 + p0 * lda : p0 + k0 * lda);
    if (c->sym) {
        cblas_dsyrk(CblasColMajor, CblasLower, c->ta ? CblasTrans : CblasNoTrans, (int)(p1 - p0), (int)(k1 - k0),
                    c->alpha, A, (int)lda, beta, C, (int)ldc);
        return;
    }
    cblas_dgemm(CblasColMajor, c->ta ? CblasTrans : CblasNoTrans, c->tb ? CblasTrans : CblasNoTrans, (int)(p1 - p0),
                (int)(q1 - q0), (int)(k1 - k0), c->alpha, A, (int)lda,
                c->B + (c->tb ? q0 + k0 * ldb : k0 + q0 * ldb), (int)ldb, beta, C, (int)ldc);
}

static void half_chunk(int64_t h0, int64_t h1, int worker, void *arg)
{
    const half_ctx *c = arg;
    int64_t h;
    (void)worker;
    for (h = h0; h < h1; h++) {
        int64_t len = c->axis == 0 ? c->p : c->axis == 1 ? c->q : c->k, cut = len / 2;
        int64_t a0 = h == 0 ? 0 : cut, a1 = h == 0 ? cut : len;
        if (c->axis == 0) gemm_part(c, a0, a1, 0, c->q, 0, c->k, c->beta, c->C + a0, c->p);
        else if (c->axis == 1) gemm_part(c, 0, c->p, a0, a1, 0, c->k, c->beta, c->C + a0 * c->p, c->p);
        else if (h == 0) gemm_part(c, 0, c->p, 0, c->q, a0, a1, c->beta, c->C, c->p);
        else gemm_part(c, 0, c->p, 0, c->q, a0, a1, 0.0, c->work, c->p);
    }
}

/* C = alpha op(A) op(B) + beta C (or the lower triangle of alpha A^T A /
 * alpha A A^T, sym), in halves where the fit allows (see above). */
static void product(half_ctx *c)
{
    int64_t i, j, big = c->p > c->q ? c->p : c->q;
    double *work = c->work = split_work;
    if (work && (double)c->p * (double)c->q * (double)c->k >= SPLIT_MIN) {
        if (c->k > big && c->p * c->q <= split_cap) c->axis = 2;
        else if (!c->sym && big >= 2 * CHUNK_MIN) c->axis = c->p >= c->q ? 0 : 1;
        else c->axis = -1;
        if (c->axis >= 0) {
            lrfa_parallel_range(2, 1, half_chunk, c);
            if (c->axis == 2)
                for (j = 0; j < c->q; j++)
                    for (i = c->sym ? j : 0; i < c->p; i++) c->C[i + j * c->p] += work[i + j * c->p];
            return;
        }
    }
    c->axis = 0;
    gemm_part(c, 0, c->p, 0, c->q, 0, c->k, c->beta, c->C, c->p);
}

/* G = A^T A (k x k) for A d x k, full (both triangles). */
static void gram(const double *A, int64_t d, int64_t k, double *G)
{
    int64_t i, j;
    half_ctx c = {1, 0, 1, k, k, d, 1.0, 0.0, A, NULL, G, 0, NULL};
    product(&c);
    for (j = 0; j < k; j++)
        for (i = 0; i < j; i++) G[i + j * k] = G[j + i * k];
}

/* G = A A^T (k x k) for A k x d. */
static void gram_rows(const double *A, int64_t k, int64_t d, double *G)
{
    int64_t i, j;
    half_ctx c = {0, 0, 1, k, k, d, 1.0, 0.0, A, NULL, G, 0, NULL};
    product(&c);
    for (j = 0; j < k; j++)
        for (i = 0; i < j; i++) G[i + j * k] = G[j + i * k];
}

/* C (p x q) = alpha op(A) op(B) + beta C, column-major, leading dimensions
 * the stored row counts. */
static void mul(int ta, int tb, int64_t p, int64_t q, int64_t k, double alpha, const double *A, const double *B,
                double beta, double *C)
{
    half_ctx c = {ta, tb, 0, p, q, k, alpha, beta, A, B, C, 0, NULL};
    product(&c);
}

/* M = c I - eta A (r x r) */
static void identity_minus(double *M, int64_t r, double c, double eta, const double *A)
{
    int64_t i;
    for (i = 0; i < r * r; i++) M[i] = -eta * A[i];
    for (i = 0; i < r; i++) M[i + i * r] += c;
}

static double dot(const double *a, const double *b, int64_t n)
{
    double s0 = 0.0, s1 = 0.0;
    int64_t i;
    for (i = 0; i + 2 <= n; i += 2) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
    }
    if (i < n) s0 += a[i] * b[i];
    return s0 + s1;
}

/* out (cols x rows) = A^T, A rows x cols */
static void transpose(const double *A, int64_t rows, int64_t cols, double *out)
{
    int64_t i, j;
    for (j = 0; j < cols; j++)
        for (i = 0; i < rows; i++) out[j + i * cols] = A[i + j * rows];
}

/* sign's feedback: out (cols x rows) = s sign(A)^T with s = ||A||_F /
 * ||sign(A)||_F, A rows x cols; trans 0 writes s sign(A) (rows x cols) */
static void sign_feedback(const lrfa_comm *c, const double *A, int64_t rows, int64_t cols, int trans, double *out)
{
    int64_t i, j;
    double sc, cnt = 0.0, nrm;
    /* the scale over the whole of A (c: its rows split between processes) */
    for (i = 0; i < rows * cols; i++) cnt += A[i] != 0.0;
    cnt = lrfa_psum1(c, cnt);
    nrm = lrfa_pnorm(c, A, rows * cols);
    sc = cnt > 0 ? nrm / sqrt(cnt) : 0.0;
    for (j = 0; j < cols; j++)
        for (i = 0; i < rows; i++) {
            double a = A[i + j * rows], v = a > 0 ? sc : a < 0 ? -sc : 0.0;
            if (trans) out[j + i * cols] = v;
            else out[i + j * rows] = v;
        }
}

/* The backward maps of the current state: C_l = F_l C_{l+1} with the top's
 * C_{L-1} and its transpose `top` (the factor the top pass multiplies Y by):
 * kp F_l = B_l, sign F_l = S_l; fa's and dfa's are fixed, gd's are T^T. */
static void backward_maps(fit_state *s)
{
    int64_t n = s->n, L = s->L, *d = s->d, l;
    if (s->rule == LRFA_ALGO_GD) {
        s->top = s->W[L];
        return;
    }
    if (s->rule == LRFA_ALGO_KP) {
        s->C[L - 1] = s->B[L - 1];
        transpose(s->B[L - 1], d[L - 1], n, s->top);
        for (l = L - 2; l >= 1; l--) mul(0, 0, d[l], n, d[l + 1], 1.0, s->B[l], s->C[l + 1], 0.0, s->C[l]);
    } else if (s->rule == LRFA_ALGO_SIGN) {
        sign_feedback(s->comm, s->W[L], n, d[L - 1], 0, s->top);
        transpose(s->top, n, d[L - 1], s->C[L - 1]);
        for (l = L - 2; l >= 1; l--) {
            sign_feedback(NULL, s->W[l + 1], d[l + 1], d[l], 1, s->S[l]);
            mul(0, 0, d[l], n, d[l + 1], 1.0, s->S[l], s->C[l + 1], 0.0, s->C[l]);
        }
    }
}

/* The products every iteration needs, for the current weights: Q_l = Y h_l^T,
 * K_l = h_l h_l^T, T_l, T_2^T T_2, C_1 T_2 and (fused) C_{L-1} Y. Returns
 * ||E||^2 by the Gram identity. */
static double products(fit_state *s)
{
    const lrfa_problem *P = s->P;
    int64_t n = s->n, m = s->m, L = s->L, *d = s->d, l;
    double e2;
    s->T[L] = s->W[L];
    s->Q[L - 1] = s->Wnext[L];
    backward_maps(s);
    if (s->fused) {
        /* Y W_1^T and (where the first layer's update wants it) C_{L-1} Y in one pass */
        lrfa_blas_serial_begin();
        lrfa_y_fused_gd(P->Y, s->top, s->W[1], d[1], s->Q[1], s->TY, s->partial, 64);
        lrfa_blas_serial_end();
    } else {
        lrfa_y_mul_wt(P->Y, P->Yt, s->W[1], d[1], s->Q[1], !per_iteration_cy(s->rule));
    }
    gram_rows(s->W[1], d[1], m, s->K[1]);
    for (l = 2; l < L; l++) {
        mul(0, 0, d[l], d[l - 1], d[l - 1], 1.0, s->W[l], s->K[l - 1], 0.0, s->G);
        mul(0, 1, d[l], d[l], d[l - 1], 1.0, s->G, s->W[l], 0.0, s->K[l]);
        mul(0, 1, n, d[l], d[l - 1], 1.0, s->Q[l - 1], s->W[l], 0.0, s->Q[l]);
    }
    for (l = L - 1; l >= 2; l--) mul(0, 0, n, d[l - 1], d[l], 1.0, s->T[l + 1], s->W[l], 0.0, s->T[l]);
    gram(s->T[2], n, d[1], s->TtT);
    if (s->rule != LRFA_ALGO_GD) mul(0, 0, d[1], d[1], n, 1.0, s->C[1], s->T[2], 0.0, s->CT);
    e2 = dot(s->T[2], s->Q[1], n * d[1]);
    if (s->comm) {
        /* the sums over the rows, in one: T_2^T T_2, C_1 T_2 and <T_2, Q_1> */
        int64_t k2 = d[1] * d[1], c = s->rule != LRFA_ALGO_GD;
        double *b = s->sums;
        memcpy(b, s->TtT, sizeof(double) * (size_t)k2);
        if (c) memcpy(b + k2, s->CT, sizeof(double) * (size_t)k2);
        b[(1 + c) * k2] = e2;
        lrfa_psum(s->comm, b, (1 + c) * k2 + 1);
        memcpy(s->TtT, b, sizeof(double) * (size_t)k2);
        if (c) memcpy(s->CT, b + k2, sizeof(double) * (size_t)k2);
        e2 = b[(1 + c) * k2];
        if (s->fused) lrfa_psum(s->comm, s->TY, d[L - 1] * m);
    }
    return P->fro * P->fro - 2.0 * e2 + dot(s->TtT, s->K[1], d[1] * d[1]);
}

/* F (n x d_{l-1}) = E h_{l-1}^T = T_l K_{l-1} - Q_{l-1}, l >= 2 */
static void error_times_h(const fit_state *s, int64_t l, double *F)
{
    int64_t n = s->n;
    const int64_t *d = s->d;
    memcpy(F, s->Q[l - 1], sizeof(double) * (size_t)(n * d[l - 1]));
    mul(0, 0, n, d[l - 1], d[l - 1], 1.0, s->T[l], s->K[l - 1], -1.0, F);
}

/* G (d_l x d_{l-1}) = C_l F, the rule's update of a middle layer (gd: T_{l+1}^T F) */
static void middle_update_dir(const fit_state *s, int64_t l, const double *F, double *G)
{
    int64_t n = s->n;
    const int64_t *d = s->d;
    if (s->rule == LRFA_ALGO_GD) mul(1, 0, d[l], d[l - 1], n, 1.0, s->T[l + 1], F, 0.0, G);
    else mul(0, 0, d[l], d[l - 1], n, 1.0, s->C[l], F, 0.0, G);
    lrfa_psum(s->comm, G, d[l] * d[l - 1]);
}

/* W_1 <- Mx W_1 + eta CY (W_1 and CY d_1 x m, Mx d_1 x d_1), in place by
 * blocks of FIRST_COLS columns through Wtmp: the whole product would need a
 * second d_1 x m buffer. */
static void first_update(fit_state *s, const double *cy)
{
    int64_t m = s->m, d1 = s->d[1], j0;
    for (j0 = 0; j0 < m; j0 += FIRST_COLS) {
        int64_t w = m - j0 < FIRST_COLS ? m - j0 : FIRST_COLS;
        double *W1 = s->W[1] + j0 * d1;
        memcpy(s->Wtmp, cy + j0 * d1, sizeof(double) * (size_t)(d1 * w));
        mul(0, 0, d1, w, d1, 1.0, s->Mx, W1, s->eta, s->Wtmp);
        memcpy(W1, s->Wtmp, sizeof(double) * (size_t)(d1 * w));
    }
}

/* One step from the current state (whose products() are up to date): the
 * layers above the first into their next buffers, then the swap, and the
 * first layer in place. */
static void update(fit_state *s)
{
    const lrfa_problem *P = s->P;
    int64_t n = s->n, m = s->m, L = s->L, *d = s->d, l, i, j;
    int kp = s->rule == LRFA_ALGO_KP;
    double eta = s->eta, shrink = kp ? 1.0 - eta * s->lam : 1.0;
    const double *cy;
    if (kp) {
        /* B_{L-1} <- (1 - eta lam) B_{L-1} - eta (E h_{L-1}^T)^T */
        error_times_h(s, L, s->F);
        for (j = 0; j < n; j++)
            for (i = 0; i < d[L - 1]; i++)
                s->Bnext[L - 1][i + j * d[L - 1]] = shrink * s->B[L - 1][i + j * d[L - 1]] - eta * s->F[j + i * n];
    }
    for (l = L - 1; l >= 2; l--) {
        double *Wn = s->Wnext[l], *Wl = s->W[l];
        error_times_h(s, l, s->F);
        middle_update_dir(s, l, s->F, s->G);
        for (i = 0; i < d[l] * d[l - 1]; i++) Wn[i] = shrink * Wl[i] - eta * s->G[i];
        if (kp)
            for (j = 0; j < d[l]; j++)
                for (i = 0; i < d[l - 1]; i++)
                    s->Bnext[l - 1][i + j * d[l - 1]] =
                        shrink * s->B[l - 1][i + j * d[l - 1]] - eta * s->G[j + i * d[l]];
    }
    /* the top: W_L - eta (W_L K_{L-1} - Q_{L-1}) = W_L (I - eta K_{L-1}) + eta Q_{L-1}
     * (kp: (1 - eta lam) I), one product written over Q_{L-1} = Wnext[L] */
    identity_minus(s->Mx, d[L - 1], shrink, eta, s->K[L - 1]);
    mul(0, 0, n, d[L - 1], d[L - 1], 1.0, s->W[L], s->Mx, eta, s->Wnext[L]);
    /* the first layer: W_1 - eta (C_1 T_2 W_1 - C_1 Y) = (I - eta C_1 T_2) W_1 + eta C_1 Y */
    if (per_iteration_cy(s->rule)) {
        if (!s->fused) {
            lrfa_y_zt_mul(P->Y, s->top, d[L - 1], s->TY, s->work);
            lrfa_psum(s->comm, s->TY, d[L - 1] * m);
        }
        cy = s->TY;
        for (l = L - 2; l >= 1; l--) {
            double *out = cy == s->X1 ? s->X2 : s->X1;
            if (s->rule == LRFA_ALGO_GD) mul(1, 0, d[l], m, d[l + 1], 1.0, s->W[l + 1], cy, 0.0, out);
            else mul(0, 0, d[l], m, d[l + 1], 1.0, s->rule == LRFA_ALGO_KP ? s->B[l] : s->S[l], cy, 0.0, out);
            cy = out;
        }
        identity_minus(s->Mx, d[1], 1.0, eta, s->rule == LRFA_ALGO_GD ? s->TtT : s->CT);
    } else {
        cy = s->CYfix;
        identity_minus(s->Mx, d[1], 1.0, eta, s->CT);
    }
    first_update(s, cy);
    /* swap: the old state's buffers take the next step */
    for (l = 2; l <= L; l++) {
        double *o = s->Wnext[l];
        s->Wnext[l] = s->W[l];
        s->W[l] = o;
    }
    if (kp)
        for (l = 1; l < L; l++) {
            double *o = s->Bnext[l];
            s->Bnext[l] = s->B[l];
            s->B[l] = o;
        }
    s->t++;
}

/* The state after `steps` steps from the start, recomputed from the seed:
 * the steps are deterministic, so it is the state the run passed through. */
static lrfa_status replay(fit_state *s, int64_t steps, lrfa_error *err)
{
    lrfa_dense W[MAXL], B[MAXL], *Wp[MAXL], *Bp[MAXL];
    int64_t L = s->L, *d = s->d, l, t;
    lrfa_status st;
    for (l = 1; l <= L; l++) {
        W[l - 1].rows = d[l];
        W[l - 1].cols = d[l - 1];
        W[l - 1].data = s->W[l];
        Wp[l - 1] = &W[l - 1];
    }
    for (l = 1; l < L; l++) {
        B[l - 1].rows = d[l];
        B[l - 1].cols = feedback_cols(s->rule, d, L, l);
        B[l - 1].data = s->B[l];
        Bp[l - 1] = &B[l - 1];
    }
    if ((st = init_fill(s->P, s->opt, Wp, Bp, err)) != LRFA_OK) return st;
    s->t = 0;
    for (t = 0; t < steps; t++) {
        (void)products(s);
        update(s);
    }
    return LRFA_OK;
}

/* The law of pair (l, l+1), l < L, into C; its terms' size into *terms.
 * gd: W_{l+1}^T W_{l+1} - W_l W_l^T; fa (and dfa's top pair):
 * W_l W_l^T - B_l W_{l+1} - W_{l+1}^T B_l^T; kp: B_l - W_{l+1}^T. */
static void conserved(const fit_state *s, int64_t l, double *C, double *terms)
{
    const int64_t *d = s->d;
    int64_t k = d[l], i, j;
    double *A = s->G, *Bm = s->Mx;
    if (s->rule == LRFA_ALGO_GD) {
        gram(s->W[l + 1], d[l + 1], k, A);
        if (l + 1 == s->L) lrfa_psum(s->comm, A, k * k);
        gram_rows(s->W[l], k, d[l - 1], Bm);
        for (i = 0; i < k * k; i++) C[i] = A[i] - Bm[i];
        *terms = lrfa_vec_norm(A, k * k) + lrfa_vec_norm(Bm, k * k);
    } else if (s->rule == LRFA_ALGO_KP) {
        for (j = 0; j < d[l + 1]; j++)
            for (i = 0; i < k; i++) C[i + j * k] = s->B[l][i + j * k] - s->W[l + 1][j + i * d[l + 1]];
        *terms = lrfa_pnorm(l + 1 == s->L ? s->comm : NULL, s->B[l], k * d[l + 1]) +
                 lrfa_pnorm(l + 1 == s->L ? s->comm : NULL, s->W[l + 1], k * d[l + 1]);
    } else {
        gram_rows(s->W[l], k, d[l - 1], A);
        mul(0, 0, k, k, d[l + 1], 1.0, s->B[l], s->W[l + 1], 0.0, Bm);
        if (l + 1 == s->L) lrfa_psum(s->comm, Bm, k * k);
        for (j = 0; j < k; j++)
            for (i = 0; i < k; i++) C[i + j * k] = A[i + j * k] - Bm[i + j * k] - Bm[j + i * k];
        *terms = lrfa_vec_norm(A, k * k) + 2.0 * lrfa_vec_norm(Bm, k * k);
    }
}

static void conserved_start(fit_state *s)
{
    int64_t l;
    double terms;
    for (l = 1; l < s->L; l++)
        if (s->law[l]) conserved(s, l, s->C0[l], &terms);
}

/* The feedback standing in for W_k^T (k >= 2), d_{k-1} x d_k, into out:
 * B_{k-1} or S_{k-1}; NULL for gd and for dfa below the top. */
static double *feedback_of(const fit_state *s, int64_t k, double *out)
{
    const int64_t *d = s->d;
    if (s->rule == LRFA_ALGO_FA || s->rule == LRFA_ALGO_KP) return s->B[k - 1];
    if (s->rule == LRFA_ALGO_DFA) return k == s->L ? s->B[k - 1] : NULL;
    if (s->rule == LRFA_ALGO_SIGN) {
        sign_feedback(k == s->L ? s->comm : NULL, s->W[k], d[k], d[k - 1], 1, out);
        return out;
    }
    return NULL;
}

/* The rule's signals against backpropagation's at the current weights:
 * delta_l = C_l E = (C_l T_2) W_1 - C_l Y, delta_l^gd = (T_{l+1}^T T_2) W_1 -
 * T_{l+1}^T Y, with every C_l Y and T_{l+1}^T Y from one stacked pass over Y
 * (fa's and dfa's C_1 Y is fixed), SIGNAL_COLS columns of Y at a time so
 * that no d_l x m array is made: the cosine of each pair comes from the
 * blocks' norms and scaled dot products. Fills delta_align, and grad_align
 * of layer 1. Returns 0 when out of memory. */
enum { SIGNAL_COLS = 4096 };

static int signal_alignment(fit_state *s, lrfa_figures *f)
{
    const lrfa_problem *P = s->P;
    int64_t n = s->n, m = s->m, L = s->L, *d = s->d, R = 0, l, off, i, j, w = m < SIGNAL_COLS ? m : SIGNAL_COLS;
    int64_t nb = w > 0 ? (m + w - 1) / w : 0, b;
    int fixed = !per_iteration_cy(s->rule);
    double *St, *SY, *D1, *D2, *A1, *A2, *st;
    int ok;
    for (l = 1; l < L; l++) R += (l == 1 && fixed ? 0 : d[l]) + d[l];
    /* the stack where it fits (fa and dfa with two layers: St = Z^T) in
     * the buffer of Q_{L-1} = Y h_{L-1}^T, whose figures are done by now:
     * the run forms Q_{L-1} again before its step (q_spent) */
    if (R <= d[L - 1]) {
        St = s->Q[L - 1];
        s->q_spent = 1;
    } else {
        St = lrfa_alloc_array(R * n, sizeof(double));
    }
    SY = lrfa_alloc_array(R * w, sizeof(double));
    D1 = lrfa_alloc_array(s->dmax * w, sizeof(double));
    D2 = lrfa_alloc_array(s->dmax * w, sizeof(double));
    A1 = lrfa_alloc_array(L * s->dmax * d[1], sizeof(double));
    A2 = lrfa_alloc_array(L * s->dmax * d[1], sizeof(double));
    /* per layer and block: |D1_b|, |D2_b|, dots, and the norms of D1's and D2's Y terms */
    st = lrfa_alloc_array(5 * L * (nb > 0 ? nb : 1), sizeof(double));
    ok = St && SY && D1 && D2 && A1 && A2 && st;
    if (!ok) goto done;
    /* the stack, R x n: [C_1]; T_2^T; C_2; T_3^T; ... */
    for (l = 1, off = 0; l < L; l++) {
        if (!(l == 1 && fixed)) {
            for (j = 0; j < n; j++)
                for (i = 0; i < d[l]; i++) St[off + i + j * R] = s->C[l][i + j * d[l]];
            off += d[l];
        }
        for (j = 0; j < n; j++)
            for (i = 0; i < d[l]; i++) St[off + i + j * R] = s->T[l + 1][j + i * n];
        off += d[l];
        mul(0, 0, d[l], d[1], n, 1.0, s->C[l], s->T[2], 0.0, A1 + l * s->dmax * d[1]);
        mul(1, 0, d[l], d[1], n, 1.0, s->T[l + 1], s->T[2], 0.0, A2 + l * s->dmax * d[1]);
        lrfa_psum(s->comm, A1 + l * s->dmax * d[1], d[l] * d[1]);
        lrfa_psum(s->comm, A2 + l * s->dmax * d[1], d[l] * d[1]);
    }
    for (b = 0; b < nb; b++) {
        int64_t j0 = b * w, cw = j0 + w <= m ? w : m - j0;
        lrfa_y_left_mul_cols(P->Y, St, R, j0, j0 + cw, SY);
        lrfa_psum(s->comm, SY, R * cw);
        for (l = 1, off = 0; l < L; l++) {
            double *sl = st + 5 * l * nb, n1, n2, dot = 0.0;
            int64_t len = d[l] * cw;
            /* D1 = delta_l, D2 = delta_l^gd over the block's columns (d_l x cw) */
            if (l == 1 && fixed) {
                memcpy(D1, s->CYfix + j0 * d[1], sizeof(double) * (size_t)len);
            } else {
                for (j = 0; j < cw; j++)
                    for (i = 0; i < d[l]; i++) D1[i + j * d[l]] = SY[off + i + j * R];
                off += d[l];
            }
            for (j = 0; j < cw; j++)
                for (i = 0; i < d[l]; i++) D2[i + j * d[l]] = SY[off + i + j * R];
            off += d[l];
            sl[3 * nb + b] = lrfa_vec_norm(D1, len);
            sl[4 * nb + b] = lrfa_vec_norm(D2, len);
            mul(0, 0, d[l], cw, d[1], 1.0, A1 + l * s->dmax * d[1], s->W[1] + j0 * d[1], -1.0, D1);
            mul(0, 0, d[l], cw, d[1], 1.0, A2 + l * s->dmax * d[1], s->W[1] + j0 * d[1], -1.0, D2);
            n1 = lrfa_vec_norm(D1, len);
            n2 = lrfa_vec_norm(D2, len);
            if (n1 > 0.0 && n2 > 0.0)
                for (i = 0; i < len; i++) dot += (D1[i] / n1) * (D2[i] / n2);
            sl[b] = n1;
            sl[nb + b] = n2;
            sl[2 * nb + b] = dot;
        }
    }
    for (l = 1; l < L; l++) {
        /* the norms of the whole from the blocks' (lrfa_vec_norm scales, so
         * nothing overflows), then the dot product as lrfa_cosine scales it */
        const double *sl = st + 5 * l * nb;
        double N1 = lrfa_vec_norm(sl, nb), N2 = lrfa_vec_norm(sl + nb, nb), c = 0.0;
        double Y1 = lrfa_vec_norm(sl + 3 * nb, nb), Y2 = lrfa_vec_norm(sl + 4 * nb, nb);
        f->layer[l - 1].signal_cancel = N1 > 0.0 && N2 > 0.0 ? fmax(Y1 / N1, Y2 / N2) : INFINITY;
        if (N1 == 0.0 || N2 == 0.0) c = NAN;
        else
            for (b = 0; b < nb; b++)
                if (sl[b] > 0.0 && sl[nb + b] > 0.0) c += (sl[b] / N1) * (sl[nb + b] / N2) * sl[2 * nb + b];
        f->layer[l - 1].delta_align = c;
        if (l == 1) f->layer[0].grad_align = f->layer[0].delta_align;
    }
done:
    if (St != s->Q[L - 1]) lrfa_dealloc(St);
    lrfa_dealloc(SY);
    lrfa_dealloc(D1);
    lrfa_dealloc(D2);
    lrfa_dealloc(A1);
    lrfa_dealloc(A2);
    lrfa_dealloc(st);
    return ok;
}

static void layer_nan(lrfa_layer_figures *y)
{
    y->norm = y->align = y->align_min_eig = y->feedback_ratio = y->grad_align = y->delta_align = NAN;
    y->drift = y->conservation_terms = y->overlap_h = y->overlap_top = y->dfa_cond = y->dfa_residual = NAN;
    y->signal_cancel = NAN;
}

/* B^+ (cols x rows) of B (rows x cols, rows >= cols, full column rank) from
 * its SVD; NULL when out of memory, or when B is rank-deficient (*singular
 * set) */
static lrfa_dense *pinv_tall(const double *B, int64_t rows, int64_t cols, int *singular)
{
    lrfa_dense Bd = {rows, cols, (double *)(uintptr_t)B}, *X = lrfa_dense_copy(&Bd, NULL);
    lrfa_dense *U = lrfa_dense_alloc(rows, cols, NULL), *V = lrfa_dense_alloc(cols, cols, NULL);
    lrfa_dense *Pi = lrfa_dense_alloc(cols, rows, NULL);
    double *sv = lrfa_alloc_array(cols, sizeof(double));
    int64_t i, j, k;
    int ok = X && U && V && Pi && sv && lrfa_svd(X, sv, U, V, NULL) == LRFA_OK;
    if (ok && !(sv[cols - 1] > (double)rows * DBL_EPSILON * sv[0])) {
        *singular = 1;
        ok = 0;
    }
    if (ok)
        for (j = 0; j < rows; j++)
            for (i = 0; i < cols; i++) {
                double v = 0.0;
                for (k = 0; k < cols; k++) v += V->data[i + k * cols] * U->data[j + k * rows] / sv[k];
                Pi->data[i + j * cols] = v;
            }
    lrfa_dense_free(X);
    lrfa_dense_free(U);
    lrfa_dense_free(V);
    lrfa_dealloc(sv);
    if (!ok) {
        lrfa_dense_free(Pi);
        return NULL;
    }
    return Pi;
}

/* Design fact 9: DFA's alignment matrices by least squares, their condition
 * numbers and the residual of the structure W_l = B_l A_l B_{l-1}^T, when
 * every hidden width is at least n (otherwise B_l is onto and the structure
 * holds trivially). Returns 0 when out of memory. */
static int dfa_structure(const fit_state *s, lrfa_figures *f)
{
    int64_t n = s->n, m = s->m, L = s->L, l;
    const int64_t *d = s->d;
    lrfa_dense *Pi[MAXL + 1] = {0};
    int ok = 1, singular = 0;
    for (l = 1; l < L; l++)
        if (d[l] < s->N) return 1;
    if (s->comm) {
        /* rows split between processes, but no more than the narrowest
         * width: each process takes the whole top and feedback (N small) */
        fit_state w = *s;
        double *buf[MAXL + 1] = {0};
        w.comm = NULL;
        w.n = w.d[L] = s->N;
        for (l = 1; l <= L && ok; l++) {
            int64_t rows = l < L ? d[l] : s->N, cols = l < L ? s->N : d[L - 1];
            if (!(buf[l] = lrfa_alloc_array(rows * cols, sizeof(double)))) ok = 0;
            else if (l == L) lrfa_gather_rows(s->comm, s->W[L], n, cols, buf[l]);
            else lrfa_gather_cols(s->comm, s->B[l], rows, n, buf[l]);
            if (ok && l < L) w.B[l] = buf[l];
            if (ok && l == L) w.W[L] = buf[l];
        }
        if (ok) ok = dfa_structure(&w, f);
        for (l = 0; l <= L; l++) lrfa_dealloc(buf[l]);
        return ok;
    }
    for (l = 1; l < L && ok; l++) ok = (Pi[l] = pinv_tall(s->B[l], d[l], n, &singular)) != NULL;
    if (singular) { /* a feedback of lower rank: no least-squares A_l to report */
        for (l = 0; l <= MAXL; l++) lrfa_dense_free(Pi[l]);
        return 1;
    }
    for (l = 1; l <= L && ok; l++) {
        /* A = (l < L ? B_l^+ : I) W_l (l > 1 ? (B_{l-1}^+)^T : I), rows x cols */
        int64_t rows = l < L ? n : d[L], cols = l > 1 ? n : m, in_r = d[l], in_c = d[l - 1], i;
        double *T1 = lrfa_alloc_array(rows * in_c, sizeof(double)), *A = lrfa_alloc_array(rows * cols, sizeof(double));
        double *R1 = lrfa_alloc_array(in_r * cols, sizeof(double)), *R = lrfa_alloc_array(in_r * in_c, sizeof(double));
        double *sv = lrfa_alloc_array(rows < cols ? rows : cols, sizeof(double));
        if (!T1 || !A || !R1 || !R || !sv) ok = 0;
        if (ok) {
            lrfa_dense Ad = {rows, cols, NULL};
            double wn = lrfa_vec_norm(s->W[l], in_r * in_c);
            if (l < L) mul(0, 0, n, in_c, in_r, 1.0, Pi[l]->data, s->W[l], 0.0, T1);
            else memcpy(T1, s->W[l], sizeof(double) * (size_t)(rows * in_c));
            if (l > 1) mul(0, 1, rows, n, in_c, 1.0, T1, Pi[l - 1]->data, 0.0, A);
            else memcpy(A, T1, sizeof(double) * (size_t)(rows * cols));
            /* R = W_l - (l < L ? B_l : I) A (l > 1 ? B_{l-1}^T : I) */
            if (l < L) mul(0, 0, in_r, cols, n, 1.0, s->B[l], A, 0.0, R1);
            else memcpy(R1, A, sizeof(double) * (size_t)(in_r * cols));
            if (l > 1) mul(0, 1, in_r, in_c, n, 1.0, R1, s->B[l - 1], 0.0, R);
            else memcpy(R, R1, sizeof(double) * (size_t)(in_r * in_c));
            for (i = 0; i < in_r * in_c; i++) R[i] = s->W[l][i] - R[i];
            f->layer[l - 1].dfa_residual = wn > 0 ? lrfa_vec_norm(R, in_r * in_c) / wn : 0.0;
            Ad.data = A;
            if (lrfa_svd_values(&Ad, sv, NULL) == LRFA_OK) {
                int64_t k = rows < cols ? rows : cols;
                f->layer[l - 1].dfa_cond = sv[k - 1] > 0 ? sv[0] / sv[k - 1] : HUGE_VAL;
            }
        }
        lrfa_dealloc(T1);
        lrfa_dealloc(A);
        lrfa_dealloc(R1);
        lrfa_dealloc(R);
        lrfa_dealloc(sv);
    }
    for (l = 0; l <= MAXL; l++) lrfa_dense_free(Pi[l]);
    return ok;
}

/* The overlap on the side whose singular vectors the problem does not
 * hold (problem.c keeps one side), through Y itself: row(A) (A d x m) with
 * V_k = Y^T U_k S_k^{-1} when V is not held, col(A) (A n x d, the rows
 * split) with U_k = Y V_k S_k^{-1} when U is not. G = A^T Q is then
 * (U_k^T Y A^T)^T S_k^{-1} or A^T Y V_k S_k^{-1} (lrfa_y_cross), and a
 * vector whose value is zero (at most rank_tol s_1) is taken as 0, as the
 * distributed TSQR forms U. NaN when out of memory. */
static double derived_overlap(const fit_state *s, double *A, int64_t d, int64_t k)
{
    const lrfa_problem *P = s->P;
    const lrfa_spectrum *sp = P->spectrum;
    int top = P->U == NULL;
    int64_t n = s->n, m = s->m, i, t;
    double *R = lrfa_alloc_array(d * d, sizeof(double)), *G = lrfa_alloc_array(d * k, sizeof(double));
    double *X = lrfa_alloc_array(k * d, sizeof(double)), ov = NAN;
    lrfa_dense Ad = {top ? n : d, top ? d : m, A}, *Vt = NULL;
    if (!R || !G || !X) goto done;
    if (top) {
        /* V_k^T (k x m), then G = A^T Y V_k */
        lrfa_dense Vk = {m, k, P->V->data};
        if (!(Vt = lrfa_dense_transpose(&Vk, NULL)) || !lrfa_y_cross(P->Y, P->Yt, A, d, Vt->data, k, G)) goto done;
        lrfa_psum(s->comm, G, d * k);
        if (!lrfa_stacked_r_rows(s->comm, &Ad, d, R)) goto done;
    } else {
        /* X = U_k^T Y A^T (k x d), G its transpose */
        if (!lrfa_y_cross(P->Y, P->Yt, P->U->data, k, A, d, X)) goto done;
        lrfa_psum(s->comm, X, k * d);
        for (i = 0; i < k; i++)
            for (t = 0; t < d; t++) G[t + i * d] = X[i + t * k];
        if (!lrfa_stacked_r(&Ad, 1, d, R)) goto done;
    }
    for (i = 0; i < k; i++) {
        double si = sp->s[i], sc = fabs(si) > sp->rank_tol * fabs(sp->s[0]) ? 1.0 / si : 0.0;
        for (t = 0; t < d; t++) G[t + i * d] *= sc;
    }
    ov = lrfa_overlap_rg(R, d, G, k, k, top ? s->N : m);
done:
    lrfa_dealloc(R);
    lrfa_dealloc(G);
    lrfa_dealloc(X);
    lrfa_dense_free(Vt);
    return ov;
}

/* The figures for the current state, whose products() are up to date.
 * Returns 0 when out of memory. */
static int figures(fit_state *s, int64_t iter, double seconds, double error, int exact, int want_grad,
                    lrfa_figures *f)
{
    const lrfa_problem *P = s->P;
    int64_t n = s->n, m = s->m, L = s->L, *d = s->d, l, k, i;
    int gd = s->rule == LRFA_ALGO_GD;
    double *fb = NULL, *prod = NULL, *h = NULL, *h2 = NULL, *hl;
    int ok = 1;
    memset(f, 0, sizeof *f);
    f->iteration = iter;
    f->seconds = seconds;
    f->error = error;
    f->exact = exact;
    f->opt = lrfa_problem_opt(P, s->dmin);
    f->gap = error - f->opt;
    f->rel_gap = P->fro > 0 ? f->gap / P->fro : 0.0;
    for (l = 0; l < MAXL; l++) layer_nan(&f->layer[l]);
    /* sign's feedback (its top one d_{L-1} x n), and the deeper h_l: only
     * where they are needed (at n = m = 10^6 and r = 16 each is 128 MB) */
    if (s->rule == LRFA_ALGO_SIGN) fb = lrfa_alloc_array(s->dmax * (n > s->dmax ? n : s->dmax), sizeof(double));
    prod = lrfa_alloc_array(s->dmax * s->dmax, sizeof(double));
    if (L > 2) {
        h = lrfa_alloc_array(s->dmax * m, sizeof(double));
        h2 = lrfa_alloc_array(s->dmax * m, sizeof(double));
    }
    if ((s->rule == LRFA_ALGO_SIGN && !fb) || !prod || (L > 2 && (!h || !h2))) {
        ok = 0;
        goto done;
    }
    for (k = 1; k <= L; k++) {
        lrfa_layer_figures *y = &f->layer[k - 1];
        double *F;
        const lrfa_comm *c = k == L ? s->comm : NULL; /* the top's rows are split */
        y->norm = lrfa_pnorm(c, s->W[k], d[k] * d[k - 1]);
        if (k == 1 || gd) continue;
        if ((F = feedback_of(s, k, fb)) != NULL) {
            /* F (d_{k-1} x d_k) against W_k^T */
            lrfa_dense Fd = {d[k - 1], d[k], F}, Wd = {d[k], d[k - 1], s->W[k]};
            lrfa_dense FW = {d[k - 1], d[k - 1], prod};
            mul(0, 0, d[k - 1], d[k - 1], d[k], 1.0, F, s->W[k], 0.0, prod);
            lrfa_psum(c, prod, d[k - 1] * d[k - 1]);
            if (lrfa_comm_shared(c)) {
                /* lrfa_align_zb's trace(F W) / (||F|| ||W||) over the processes */
                double tr = 0.0, nf = lrfa_pnorm(c, F, d[k - 1] * d[k]);
                for (i = 0; i < d[k - 1]; i++) tr += prod[i + i * d[k - 1]];
                y->align = nf > 0 && y->norm > 0 ? tr / (nf * y->norm) : NAN;
            } else {
                y->align = lrfa_align_zb(&Fd, &Wd);
            }
            y->align_min_eig = lrfa_align_min_eig(&FW);
            if (s->rule == LRFA_ALGO_KP || s->rule == LRFA_ALGO_SIGN)
                y->feedback_ratio = lrfa_pnorm(c, F, d[k - 1] * d[k]) / lrfa_pnorm(c, s->W[k], d[k] * d[k - 1]);
        } else if (s->rule == LRFA_ALGO_DFA && k < L) {
            /* cos(W_k, B_k B_{k-1}^T) */
            mul(0, 1, d[k], d[k - 1], n, 1.0, s->B[k], s->B[k - 1], 0.0, prod);
            lrfa_psum(s->comm, prod, d[k] * d[k - 1]);
            y->align = lrfa_cosine(s->W[k], prod, d[k] * d[k - 1]);
        }
    }
    /* the rule's update of a middle layer against the true gradient (no pass over Y) */
    if (!gd)
        for (l = 2; l < L; l++) {
            error_times_h(s, l, s->F);
            middle_update_dir(s, l, s->F, s->G);
            mul(1, 0, d[l], d[l - 1], n, 1.0, s->T[l + 1], s->F, 0.0, prod);
            lrfa_psum(s->comm, prod, d[l] * d[l - 1]);
            f->layer[l - 1].grad_align = lrfa_cosine(s->G, prod, d[l] * d[l - 1]);
        }
    if (!gd && want_grad && !signal_alignment(s, f)) ok = 0;
    if (s->rule == LRFA_ALGO_DFA && !dfa_structure(s, f)) ok = 0;
    for (l = 1; l < L; l++) {
        double terms;
        int64_t c = s->rule == LRFA_ALGO_KP ? d[l] * d[l + 1] : d[l] * d[l];
        if (!s->law[l]) continue;
        conserved(s, l, s->Cs, &terms);
        if (s->rule == LRFA_ALGO_KP) {
            double p = pow(1.0 - s->eta * s->lam, (double)s->t);
            for (i = 0; i < c; i++) s->Cs[i] -= p * s->C0[l][i];
        } else {
            for (i = 0; i < c; i++) s->Cs[i] -= s->C0[l][i];
        }
        f->layer[l - 1].drift =
            terms > 0 ? lrfa_pnorm(s->rule == LRFA_ALGO_KP && l + 1 == L ? s->comm : NULL, s->Cs, c) / terms : 0.0;
        f->layer[l - 1].conservation_terms = terms;
    }
    /* representations: row(h_l) against V_k, col(T_{l+1}) against U_k */
    for (l = 1, hl = s->W[1]; l < L; l++) {
        int64_t kh = d[1], kt = d[l], j;
        for (j = 2; j <= l; j++) kh = d[j] < kh ? d[j] : kh;
        for (j = l + 1; j < L; j++) kt = d[j] < kt ? d[j] : kt;
        if (l >= 2) {
            double *out = hl == h ? h2 : h;
            mul(0, 0, d[l], m, d[l - 1], 1.0, s->W[l], hl, 0.0, out);
            hl = out;
        }
        if (P->kvec >= kh && kh <= m) {
            lrfa_dense H = {d[l], m, hl}, Vk = {m, kh, P->V ? P->V->data : NULL};
            f->layer[l - 1].overlap_h = P->V ? lrfa_span_overlap_k(&H, 1, kh, &Vk) : derived_overlap(s, hl, d[l], kh);
        }
        if (P->kvec >= kt && kt <= s->N) {
            lrfa_dense Tn = {n, d[l], s->T[l + 1]}, Uk = {n, kt, P->U ? P->U->data : NULL};
            f->layer[l - 1].overlap_top =
                P->U ? lrfa_span_overlap_rows(s->comm, &Tn, kt, &Uk) : derived_overlap(s, s->T[l + 1], d[l], kt);
        }
    }
done:
    /* the two-layer names */
    f->align_zb = f->align_min_eig = f->grad_align = f->drift = f->conservation_terms = NAN;
    f->overlap_w_top = f->overlap_z_top = NAN;
    if (L == 2) {
        f->align_zb = f->layer[1].align;
        f->align_min_eig = f->layer[1].align_min_eig;
        f->grad_align = f->layer[0].grad_align;
        f->drift = f->layer[0].drift;
        f->conservation_terms = f->layer[0].conservation_terms;
        f->overlap_w_top = f->layer[0].overlap_h;
        f->overlap_z_top = f->layer[0].overlap_top;
    }
    lrfa_dealloc(fb);
    lrfa_dealloc(prod);
    lrfa_dealloc(h);
    lrfa_dealloc(h2);
    return ok;
}

static int append_trace(lrfa_result *res, const lrfa_figures *f)
{
    if (res->trace_len == res->trace_cap) {
        int64_t cap = res->trace_cap ? 2 * res->trace_cap : 64;
        lrfa_figures *t = lrfa_realloc_array(res->trace, cap, sizeof *t);
        if (!t) return 0;
        res->trace = t;
        res->trace_cap = cap;
    }
    res->trace[res->trace_len++] = *f;
    return 1;
}

/* The exact error when it is affordable, else the Gram identity's. */
static double exact_error(const fit_state *s, double gram_e2, int *exact)
{
    if (lrfa_y_exact_affordable(s->P->Y, s->N, s->d[1])) {
        double e = lrfa_y_residual_norm(s->P->Y, s->T[2], s->W[1], s->d[1]);
        if (lrfa_comm_shared(s->comm)) e = sqrt(lrfa_psum1(s->comm, e * e));
        if (!isnan(e)) {
            *exact = 1;
            return e;
        }
    }
    *exact = 0;
    return sqrt(fmax(gram_e2, 0.0));
}

static lrfa_dense *wrap(double **data, int64_t rows, int64_t cols)
{
    lrfa_dense *A = lrfa_alloc(sizeof *A);
    if (!A) return NULL;
    A->rows = rows;
    A->cols = cols;
    A->data = *data;
    *data = NULL;
    return A;
}

/* Moves the current weights and feedback into res (sign: its final S_l). */
static int state_handover(fit_state *s, lrfa_result *res)
{
    int64_t L = s->L, *d = s->d, l;
    for (l = 1; l <= L; l++)
        if (!(res->weights[l - 1] = wrap(&s->W[l], d[l], d[l - 1]))) return 0;
    for (l = 1; l < L; l++) {
        int64_t cols = s->rule == LRFA_ALGO_DFA ? s->n : d[l + 1];
        if (s->rule == LRFA_ALGO_SIGN) {
            if (!(s->B[l] = lrfa_alloc_array(d[l] * cols, sizeof(double)))) return 0;
            sign_feedback(l + 1 == L ? s->comm : NULL, res->weights[l]->data, d[l + 1], d[l], 1, s->B[l]);
        }
        if (s->B[l] && !(res->feedback[l - 1] = wrap(&s->B[l], d[l], cols))) return 0;
    }
    res->W = res->weights[0];
    res->Z = res->weights[L - 1];
    res->B = res->feedback[0];
    return 1;
}

/* The fit proper, on a problem whose norm is in a safe range. lr_unit
 * converts its step size to the caller's units for messages. */
static lrfa_status fit_run(const lrfa_problem *P, const lrfa_options *opt, double lr_unit, lrfa_result **out,
                           lrfa_error *err)
{
    fit_state s;
    lrfa_result *res = NULL;
    lrfa_dense *W0[MAXL], *B0[MAXL];
    lrfa_status st = LRFA_OK;
    const char *bad;
    double t0, t_iter0, e2, e, e_start = 0.0, e_check = -1.0, e_bad = 0.0;
    int64_t t, n, m, L, l, logged = 0;
    int exact;
    uint64_t fails0;

    *out = NULL;
    memset(&s, 0, sizeof s);
    /* the figures' helpers give NaN when out of memory: a refused
     * allocation anywhere in the run fails it */
    fails0 = lrfa_alloc_failures();
    if ((bad = lrfa_options_check(opt, lrfa_comm_rows(P->comm, P->n), P->m)) != NULL)
        return lrfa_fail(err, LRFA_EINPUT, 0, "%s", bad);
    t0 = now_seconds();
    n = P->n;
    m = P->m;
    s.P = P;
    s.opt = opt;
    s.rule = opt->algo;
    s.n = n;
    s.m = m;
    s.comm = lrfa_comm_shared(P->comm) ? P->comm : NULL;
    s.N = lrfa_comm_rows(P->comm, n);
    s.L = L = lrfa_options_layers(opt, n, m, s.d);
    s.dmin = narrowest(s.d, L);
    for (l = 1, s.dmax = 1; l < L; l++) s.dmax = s.d[l] > s.dmax ? s.d[l] : s.dmax;
    s.eta = lrfa_resolve_lr(P, opt);
    s.lam = s.rule == LRFA_ALGO_KP ? opt->decay * step_unit(P, L) : 0.0;
    if ((st = lrfa_init_layers(P, opt, W0, B0, err)) != LRFA_OK) return st;
    for (l = 1; l <= L; l++) {
        s.W[l] = W0[l - 1]->data;
        W0[l - 1]->data = NULL;
        lrfa_dense_free(W0[l - 1]);
    }
    for (l = 1; l < L; l++)
        if (B0[l - 1]) {
            s.B[l] = B0[l - 1]->data;
            B0[l - 1]->data = NULL;
            lrfa_dense_free(B0[l - 1]);
        }
    res = lrfa_alloc(sizeof *res);
    if (!res) goto nomem;
    memset(res, 0, sizeof *res);
    res->algo = opt->algo;
    res->n = s.N;
    res->m = m;
    res->r = s.dmin;
    res->depth = L;
    memcpy(res->widths, s.d, sizeof(int64_t) * (size_t)(L + 1));
    res->widths[L] = s.N; /* the whole's rows (s.d[L]: this process's) */
    res->fro = P->fro;
    res->lr = s.eta;
    res->lambda = s.lam;
    res->diverged_at = -1;
    res->fa_pred = NAN;
    res->pred_rank = -1;
    /* dense GD (and kp, sign) at small widths: one fused pass; measured on
     * 8000 x 8000: 82 ms against 152 ms for two BLAS products at r = 16,
     * breaking even by r = 128 */
    s.fused = fused_pass(P, s.rule, s.d, L);
    /* fixed feedback: the backward maps and C_1 Y (one pass over Y, kept),
     * then the predicted limit, whose workspace is freed before the rest of
     * the iteration state exists, so the two never add up in the peak */
    if (s.rule == LRFA_ALGO_DFA)
        for (l = 1; l < L; l++) s.C[l] = s.B[l];
    if (s.rule == LRFA_ALGO_FA) {
        s.C[L - 1] = s.B[L - 1];
        for (l = L - 2; l >= 1; l--) {
            if (!(s.C[l] = lrfa_alloc_array(s.d[l] * n, sizeof(double)))) goto nomem;
            mul(0, 0, s.d[l], n, s.d[l + 1], 1.0, s.B[l], s.C[l + 1], 0.0, s.C[l]);
        }
    }
    if (!per_iteration_cy(s.rule)) {
        lrfa_dense CY = {s.d[1], m, NULL};
        if (!(s.CYfix = lrfa_alloc_array(s.d[1] * m, sizeof(double)))) goto nomem;
        lrfa_y_left_mul(P->Y, s.C[1], s.d[1], s.CYfix);
        lrfa_psum(s.comm, s.CYfix, s.d[1] * m);
        CY.data = s.CYfix;
        /* the prediction's basis is formed over C_1 Y, which is then formed again */
        if ((st = lrfa_fa_prediction_over(P, &CY, NULL, &res->fa_pred, &res->pred_rank, err)) != LRFA_OK) goto fail;
        lrfa_y_left_mul(P->Y, s.C[1], s.d[1], s.CYfix);
        lrfa_psum(s.comm, s.CYfix, s.d[1] * m);
        if (s.rule == LRFA_ALGO_DFA && res->pred_rank > s.dmin) {
            res->no_fixed_point = 1;
            res->fa_pred = NAN;
        }
    }
    if (!state_alloc(&s)) goto nomem;

    t_iter0 = now_seconds();
    for (t = 0;; t++) {
        int log_now, check_now;
        e2 = products(&s);
        if (t == 0) conserved_start(&s);
        e = isfinite(e2) ? sqrt(fmax(e2, 0.0)) : HUGE_VAL;
        if (t == 0) e_start = e;
        if (!isfinite(e) || e > opt->diverge_factor * fmax(e_start, DBL_MIN)) {
            res->stop = LRFA_STOP_DIVERGED;
            res->diverged_at = t;
            e_bad = e;
            if (t > 0) {
                /* back to the last state that passed this test */
                t--;
                if ((st = replay(&s, t, err)) != LRFA_OK) goto fail;
                e2 = products(&s);
            }
            break;
        }
        check_now = opt->tol > 0 && t > 0 && t % opt->window == 0;
        log_now = opt->log_every > 0 && t % opt->log_every == 0;
        if (log_now || check_now) {
            exact = 0;
            if (check_now || (opt->exact_every > 0 && logged % opt->exact_every == 0))
                e = exact_error(&s, e2, &exact);
            if (log_now) {
                lrfa_figures f;
                if (!figures(&s, t, now_seconds() - t_iter0, e, exact, exact, &f) || !append_trace(res, &f) ||
                    lrfa_alloc_failures() != fails0)
                    goto nomem;
                logged++;
            }
            if (lrfa_alloc_failures() != fails0) goto nomem;
            if (check_now) {
                /* relative to ||Y||_F; an all-zero Y is measured in the
                 * unit its step size and start assume (s_1 = 1) */
                double unit = P->fro > 0 ? P->fro : 1.0;
                if (e <= 1e-13 * unit || (e_check >= 0 && fabs(e_check - e) <= opt->tol * unit)) {
                    res->stop = LRFA_STOP_CONVERGED;
                    break;
                }
                e_check = e;
            }
        }
        if (opt->progress && t % opt->progress_every == 0) {
            lrfa_progress p;
            p.iteration = t;
            p.max_iters = opt->max_iters;
            p.error = e;
            p.gap = e - lrfa_problem_opt(P, s.dmin);
            p.seconds = now_seconds() - t_iter0;
            if (opt->progress(&p, opt->progress_data)) {
                res->stop = LRFA_STOP_INTERRUPTED;
                break;
            }
        }
        if (t == opt->max_iters) {
            res->stop = LRFA_STOP_MAX_ITERS;
            break;
        }
        if (s.q_spent) {
            (void)products(&s);
            s.q_spent = 0;
        }
        update(&s);
    }
    res->iterations = t;
    res->converged = res->stop == LRFA_STOP_CONVERGED;
    res->iter_seconds = now_seconds() - t_iter0;

    /* final figures with the exact error; after divergence, of the last
     * finite state (the iteration before it diverged) */
    e = exact_error(&s, e2, &exact);
    if (!figures(&s, t, res->iter_seconds, e, exact, 1, &res->final)) goto nomem;
    /* the guard: below opt(r) by more than the spectrum's accuracy allows
     * means the spectrum missed a value (design fact 1 cannot fail) */
    res->opt_tolerance = lrfa_spectrum_opt_tolerance(P->spectrum, s.dmin);
    res->opt_suspect = isfinite(res->final.gap) && isfinite(res->opt_tolerance) &&
                       res->final.gap < -res->opt_tolerance;
    if (lrfa_alloc_failures() != fails0) goto nomem;
    /* the trace ends with the final figures (exact error) */
    if (opt->log_every > 0) {
        if (res->trace_len > 0 && res->trace[res->trace_len - 1].iteration == t)
            res->trace[res->trace_len - 1] = res->final;
        else if (!append_trace(res, &res->final))
            goto nomem;
    }
    if (!state_handover(&s, res)) goto nomem;
    res->seconds = now_seconds() - t0;
    state_free(&s);
    *out = res;
    if (res->stop == LRFA_STOP_DIVERGED && res->no_fixed_point)
        return lrfa_fail(err, LRFA_EDIVERGED, 0,
                         "diverged at iteration %lld: dfa has no fixed point here (rank(B_1 Y) = %lld exceeds the "
                         "narrowest width %lld), so the weights grow without bound; a smaller --lr only delays it",
                         (long long)res->diverged_at, (long long)res->pred_rank, (long long)res->r);
    if (res->stop == LRFA_STOP_DIVERGED)
        return lrfa_fail(err, LRFA_EDIVERGED, 0,
                         "diverged at iteration %lld (error %s) with step size %.3g: try a smaller --lr",
                         (long long)res->diverged_at,
                         isfinite(e_bad) ? "above 1e3 times its start" : "not finite", res->lr * lr_unit);
    if (res->stop == LRFA_STOP_INTERRUPTED)
        return lrfa_fail(err, LRFA_EINTERRUPT, 0, "stopped at iteration %lld", (long long)t);
    return LRFA_OK;
nomem:
    st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for a %s fit of depth %lld (narrowest width %lld) of a %lld x %lld matrix",
                   lrfa_algo_name(opt->algo), (long long)L, (long long)s.dmin, (long long)n, (long long)m);
fail:
    state_free(&s);
    lrfa_result_free(res);
    return st;
}

/* ||Y||_F beyond 2^(+-400) would overflow or underflow inside an iteration
 * (Y W^T grows like ||Y||^(3/2), the Gram identity squares ||Y||): such a Y
 * is fitted as c Y, with c the power of 4 that brings ||Y||_F into [1/4, 4).
 * Multiplying by a power of two is exact, and every relative figure is
 * unchanged by the scale (design fact 5); the result is scaled back. */
static double fit_scale(const lrfa_problem *P)
{
    int e;
    if (!(P->fro > 0.0) || (P->fro < 0x1p400 && P->fro > 0x1p-400)) return 1.0;
    (void)frexp(P->fro, &e);
    return ldexp(1.0, -2 * (e / 2));
}

/* The figures of a fit of c Y, brought back to Y's units: errors scale like
 * c, every weight like w = c^(1/L), the laws' terms like w^2 (kp's like w). */
static void figures_unscale(lrfa_figures *f, double c, double w, lrfa_algo rule, int64_t L)
{
    int64_t l;
    f->error /= c;
    f->opt /= c;
    f->gap /= c;
    f->conservation_terms /= rule == LRFA_ALGO_KP ? w : w * w;
    for (l = 0; l < L; l++) {
        f->layer[l].norm /= w;
        f->layer[l].conservation_terms /= rule == LRFA_ALGO_KP ? w : w * w;
    }
}

static void dense_scale(lrfa_dense *A, double c)
{
    int64_t i;
    if (!A) return;
    for (i = 0; i < A->rows * A->cols; i++) A->data[i] *= c;
}

/* how B_l scales when every W_l scales like w: like W_{l+1}^T (fa, kp, sign),
 * or like W_L ... W_{l+1} (dfa) */
static double feedback_power(lrfa_algo rule, int64_t L, int64_t l)
{
    return rule == LRFA_ALGO_DFA ? (double)(L - l) / (double)L : 1.0 / (double)L;
}

/* fit_run with OpenBLAS held to one thread where every product with Y that
 * the iterations make runs on lrfa's kernels (fa and dfa: Y W_1^T only; gd,
 * kp and sign where their pair goes in one fused pass):
 * OpenBLAS's idle workers spin after each call and would take the cores
 * from the kernel's threads, and what is left for BLAS is O((n + m) r^2). */
static lrfa_status fit_run_held(const lrfa_problem *P, const lrfa_options *opt, double u, lrfa_result **out,
                                lrfa_error *err)
{
    int64_t d[MAXL + 1], L = lrfa_options_layers(opt, P->n, P->m, d);
    int hold = L >= 2 && lrfa_y_kernel_serves(P->Y, d[1]) &&
               (!per_iteration_cy(opt->algo) || fused_pass(P, opt->algo, d, L));
    lrfa_status st;
    if (hold) {
        int64_t l, w = 1;
        for (l = 1; l < L; l++) w = d[l] > w ? d[l] : w;
        /* the products of the thin factors in halves (see product()); without
         * the memory for them, whole */
        if ((split_work = lrfa_alloc_array(w * w, sizeof(double))) != NULL) split_cap = w * w;
        lrfa_blas_serial_begin();
    }
    st = fit_run(P, opt, u, out, err);
    if (hold) {
        lrfa_blas_serial_end();
        lrfa_dealloc(split_work);
        split_work = NULL;
        split_cap = 0;
    }
    return st;
}

lrfa_status lrfa_fit(const lrfa_problem *P, const lrfa_options *opt, lrfa_result **out, lrfa_error *err)
{
    double c = fit_scale(P), u, w;
    const char *bad;
    lrfa_problem *Q;
    lrfa_options o;
    lrfa_status st = LRFA_OK;
    lrfa_result *res;
    lrfa_dense *SW[MAXL] = {0}, *SB[MAXL] = {0};
    int64_t i, l, L, d[MAXL + 1];
    if (c == 1.0) return fit_run_held(P, opt, 1.0, out, err);
    *out = NULL;
    if ((bad = lrfa_options_check(opt, lrfa_comm_rows(P->comm, P->n), P->m)) != NULL)
        return lrfa_fail(err, LRFA_EINPUT, 0, "%s", bad);
    L = lrfa_options_layers(opt, P->n, P->m, d);
    u = L == 2 ? c : pow(c, 2.0 * (double)(L - 1) / (double)L); /* the step's unit */
    w = L == 2 ? sqrt(c) : pow(c, 1.0 / (double)L);
    Q = lrfa_problem_scaled(P, c, err);
    if (!Q) return err ? err->status : LRFA_ENOMEM;
    o = *opt;
    if (o.lr > 0.0) o.lr /= u; /* a step size scales like 1 / s_1^(2 (L-1) / L) */
    /* a given start is brought to c Y's scale too */
    for (l = 0; l < L && opt->start_weights; l++) {
        if (!(SW[l] = copy_start(opt->start_weights[l], d[l + 1], d[l], "W", l + 1, err))) goto done;
        dense_scale(SW[l], w);
    }
    for (l = 0; l + 1 < L && opt->start_feedback && has_feedback(opt->algo); l++) {
        if (!(SB[l] = copy_start(opt->start_feedback[l], d[l + 1], feedback_cols(opt->algo, d, L, l + 1), "B", l + 1,
                                 err)))
            goto done;
        dense_scale(SB[l], pow(c, feedback_power(opt->algo, L, l + 1)));
    }
    if (opt->start_weights) o.start_weights = (const lrfa_dense *const *)SW;
    if (opt->start_feedback) o.start_feedback = (const lrfa_dense *const *)SB;
    st = fit_run_held(Q, &o, u, out, err);
    res = *out;
    if (!res) goto done;
    for (l = 0; l < L; l++) dense_scale(res->weights[l], 1.0 / w);
    for (l = 0; l + 1 < L; l++) dense_scale(res->feedback[l], 1.0 / pow(c, feedback_power(res->algo, L, l + 1)));
    figures_unscale(&res->final, c, w, res->algo, L);
    for (i = 0; i < res->trace_len; i++) figures_unscale(&res->trace[i], c, w, res->algo, L);
    res->fa_pred /= c;
    res->opt_tolerance /= c;
    res->fro = P->fro;
    res->lr *= u;
    res->lambda /= u; /* lam = decay s_1^(2 (L-1) / L) grew like u */
done:
    if (!*out && st == LRFA_OK) st = err ? err->status : LRFA_ENOMEM;
    for (l = 0; l < MAXL; l++) {
        lrfa_dense_free(SW[l]);
        lrfa_dense_free(SB[l]);
    }
    lrfa_problem_free(Q);
    return st;
}

lrfa_dense *lrfa_result_product(const lrfa_result *res, int64_t hi, int64_t lo, lrfa_error *err)
{
    lrfa_dense *A, *B;
    int64_t l;
    if (lo < 1 || hi < lo || hi > res->depth) {
        lrfa_fail(err, LRFA_EINPUT, 0, "layer product W_%lld ... W_%lld: expected 1 <= lo <= hi <= L = %lld",
                  (long long)hi, (long long)lo, (long long)res->depth);
        return NULL;
    }
    A = lrfa_dense_copy(res->weights[lo - 1], err);
    for (l = lo + 1; A && l <= hi; l++) {
        const lrfa_dense *Wl = res->weights[l - 1];
        B = lrfa_dense_alloc(Wl->rows, A->cols, err);
        if (B) mul(0, 0, Wl->rows, A->cols, Wl->cols, 1.0, Wl->data, A->data, 0.0, B->data);
        lrfa_dense_free(A);
        A = B;
    }
    return A;
}
