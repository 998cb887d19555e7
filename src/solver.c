/* solver.c: the one-pass GD and FA iterations and the figures they report
 * (the mathematics is in include/lrfa/solver.h). */
#include <cblas.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include "lrfa/metrics.h"
#include "lrfa/rng.h"
#include "lrfa/solver.h"
#include "internal.h"
#include "yops.h"

const char *lrfa_algo_name(lrfa_algo a)
{
    return a == LRFA_ALGO_FA ? "fa" : "gd";
}

int lrfa_algo_parse(const char *name)
{
    if (!strcmp(name, "gd")) return LRFA_ALGO_GD;
    if (!strcmp(name, "fa")) return LRFA_ALGO_FA;
    return -1;
}

void lrfa_options_default(lrfa_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->algo = LRFA_ALGO_GD;
    opt->rank = 0;
    opt->lr = 0.0;
    opt->lr_scale = 0.2;
    opt->max_iters = 20000;
    opt->tol = 1e-10;
    opt->window = 100;
    opt->init_scale = 1e-4;
    opt->feedback_scale = 1.0;
    opt->seed = 1;
    opt->log_every = 0;
    opt->exact_every = 0;
    opt->transpose = 0;
    opt->diverge_factor = 1e3;
    opt->progress = NULL;
    opt->progress_data = NULL;
    opt->progress_every = 10;
}

const char *lrfa_options_check(const lrfa_options *opt, int64_t n, int64_t m)
{
    static char msg[160];
    int64_t k = n < m ? n : m;
    if (opt->algo != LRFA_ALGO_GD && opt->algo != LRFA_ALGO_FA) return "algorithm: expected gd or fa";
    if (k < 1) return "the matrix is empty: nothing to factor";
    if (opt->rank < 1 || opt->rank > k) {
        snprintf(msg, sizeof msg, "rank r = %lld is out of range: expected 1 <= r <= min(n, m) = %lld",
                 (long long)opt->rank, (long long)k);
        return msg;
    }
    if ((double)opt->rank * (double)(n > m ? n : m) > (double)INT_MAX) {
        snprintf(msg, sizeof msg, "rank r = %lld: r x max(n, m) exceeds the 32-bit sizes of this BLAS",
                 (long long)opt->rank);
        return msg;
    }
    if (!(opt->lr >= 0.0) || !isfinite(opt->lr)) return "step size: expected a positive number (or auto)";
    if (!(opt->lr_scale > 0.0) || !isfinite(opt->lr_scale)) return "step-size scale: expected a positive number";
    if (opt->max_iters < 0) return "iterations: expected a non-negative number";
    if (!(opt->tol >= 0.0) || !isfinite(opt->tol)) return "tolerance: expected a non-negative number";
    if (opt->window < 1) return "convergence window: expected at least 1 iteration";
    if (!(opt->init_scale > 0.0) || !isfinite(opt->init_scale)) return "initial scale: expected a positive number";
    if (!(opt->feedback_scale > 0.0) || !isfinite(opt->feedback_scale))
        return "feedback scale: expected a positive number";
    if (opt->log_every < 0) return "logging interval: expected a non-negative number";
    if (opt->exact_every < 0) return "exact-error interval: expected a non-negative number";
    if (!(opt->diverge_factor > 1.0)) return "divergence factor: expected a number above 1";
    if (opt->progress_every < 1) return "progress interval: expected at least 1";
    return NULL;
}

double lrfa_resolve_lr(const lrfa_problem *P, const lrfa_options *opt)
{
    if (opt->lr > 0.0) return opt->lr;
    return P->s1 > 0.0 ? opt->lr_scale / P->s1 : opt->lr_scale;
}

/* Z_ij ~ N(0, init^2 s_1 / n), W_ij ~ N(0, init^2 s_1 / m) from stream 0;
 * B_ij ~ N(0, fb^2 s_1 / n) from stream 1. */
lrfa_status lrfa_init_factors(const lrfa_problem *P, const lrfa_options *opt, lrfa_dense **Z,
                              lrfa_dense **W, lrfa_dense **B, lrfa_error *err)
{
    int64_t n = P->n, m = P->m, r = opt->rank;
    double s1 = P->s1 > 0.0 ? P->s1 : 1.0;
    lrfa_rng rng;
    *Z = lrfa_dense_alloc(n, r, err);
    *W = lrfa_dense_alloc(r, m, err);
    *B = NULL;
    if (!*Z || !*W) goto fail;
    lrfa_rng_seed(&rng, opt->seed, 0);
    lrfa_rng_fill_gaussian(&rng, (*Z)->data, n * r, opt->init_scale * sqrt(s1 / (double)n));
    lrfa_rng_fill_gaussian(&rng, (*W)->data, r * m, opt->init_scale * sqrt(s1 / (double)m));
    if (opt->algo == LRFA_ALGO_FA) {
        *B = lrfa_dense_alloc(r, n, err);
        if (!*B) goto fail;
        lrfa_rng_seed(&rng, opt->seed, 1);
        lrfa_rng_fill_gaussian(&rng, (*B)->data, r * n, opt->feedback_scale * sqrt(s1 / (double)n));
    }
    return LRFA_OK;
fail:
    lrfa_dense_free(*Z);
    lrfa_dense_free(*W);
    *Z = *W = NULL;
    return err ? err->status : LRFA_ENOMEM;
}

void lrfa_result_free(lrfa_result *res)
{
    if (!res) return;
    lrfa_dense_free(res->Z);
    lrfa_dense_free(res->W);
    lrfa_dense_free(res->B);
    lrfa_dealloc(res->trace);
    lrfa_dealloc(res);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the iteration's state and workspace ---- */

typedef struct fit_state {
    const lrfa_problem *P;
    const lrfa_options *opt;
    int64_t n, m, r;
    int fa;
    double *Z, *W, *B;     /* n x r, r x m, r x n (B: FA only) */
    double *YWt;           /* n x r: Y W^T */
    double *WWt, *ZtZ;     /* r x r Gram matrices */
    double *BZ;            /* r x r: B Z (FA) */
    double *BY;            /* r x m: B Y, computed once (FA) */
    double *ZtY;           /* r x m: Z^T Y (GD every iteration; FA for grad_align) */
    double *GW;            /* r x m: scratch, then the next W */
    double *M;             /* r x r: I - eta (W W^T), then I - eta (B Z or Z^T Z) */
    double *work;          /* r x n scratch for sparse products */
    double *C0;            /* r x r: the conserved quantity at the start */
    double *C;             /* r x r scratch */
    double *Zprev, *Wprev; /* the state before the last update (finite) */
    int fused;             /* GD on a dense Y at small r: Y W^T and Z^T Y in one pass */
    double *partial;       /* the fused pass's per-worker sums, (threads - 1) x n x r */
} fit_state;

static void state_free(fit_state *s)
{
    lrfa_dealloc(s->YWt);
    lrfa_dealloc(s->WWt);
    lrfa_dealloc(s->ZtZ);
    lrfa_dealloc(s->BZ);
    lrfa_dealloc(s->BY);
    lrfa_dealloc(s->ZtY);
    lrfa_dealloc(s->M);
    lrfa_dealloc(s->GW);
    lrfa_dealloc(s->work);
    lrfa_dealloc(s->C0);
    lrfa_dealloc(s->C);
    lrfa_dealloc(s->Zprev);
    lrfa_dealloc(s->Wprev);
    lrfa_dealloc(s->partial);
}

/* Makes res own the buffers holding the current Z and W; whichever
 * buffers are left over stay with the state to be freed. */
static void state_handover(fit_state *s, lrfa_result *res)
{
    double **slots[3];
    int i;
    slots[0] = &s->YWt;
    slots[1] = &s->Zprev;
    slots[2] = &s->Z;
    for (i = 0; i < 2; i++)
        if (*slots[i] == res->Z->data) *slots[i] = NULL;
    if (s->Z != res->Z->data) {
        /* res's old buffer is one of the others: swap it in for freeing */
        if (s->YWt == NULL) s->YWt = res->Z->data;
        else if (s->Zprev == NULL) s->Zprev = res->Z->data;
        else lrfa_dealloc(res->Z->data);
        res->Z->data = s->Z;
    }
    s->Z = NULL;
    slots[0] = &s->GW;
    slots[1] = &s->Wprev;
    for (i = 0; i < 2; i++)
        if (*slots[i] == res->W->data) *slots[i] = NULL;
    if (s->W != res->W->data) {
        if (s->GW == NULL) s->GW = res->W->data;
        else if (s->Wprev == NULL) s->Wprev = res->W->data;
        else lrfa_dealloc(res->W->data);
        res->W->data = s->W;
    }
    s->W = NULL;
}

static int state_alloc(fit_state *s)
{
    int64_t n = s->n, m = s->m, r = s->r;
    s->YWt = lrfa_alloc_array(n * r, sizeof(double));
    s->WWt = lrfa_alloc_array(r * r, sizeof(double));
    s->ZtZ = lrfa_alloc_array(r * r, sizeof(double));
    s->BZ = lrfa_alloc_array(r * r, sizeof(double));
    s->ZtY = lrfa_alloc_array(r * m, sizeof(double));
    s->M = lrfa_alloc_array(r * r, sizeof(double));
    s->GW = lrfa_alloc_array(r * m, sizeof(double));
    s->work = lrfa_alloc_array(r * n, sizeof(double));
    s->C0 = lrfa_alloc_array(r * r, sizeof(double));
    s->C = lrfa_alloc_array(r * r, sizeof(double));
    s->Zprev = lrfa_alloc_array(n * r, sizeof(double));
    s->Wprev = lrfa_alloc_array(r * m, sizeof(double));
    if (s->fused) {
        s->partial = lrfa_alloc_array((int64_t)(lrfa_threads() > 1 ? lrfa_threads() - 1 : 1) * n * r, sizeof(double));
        if (!s->partial) return 0;
    }
    return s->Zprev && s->Wprev && s->YWt && s->WWt && s->ZtZ && s->BZ && (s->BY || !s->fa) && s->ZtY && s->M && s->GW && s->work &&
           s->C0 && s->C;
}

/* G = A^T A (k x k) for A d x k, full (both triangles). */
static void gram(const double *A, int64_t d, int64_t k, double *G)
{
    int64_t i, j;
    cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, (int)k, (int)d, 1.0, A, (int)d, 0.0, G, (int)k);
    for (j = 0; j < k; j++)
        for (i = 0; i < j; i++) G[i + j * k] = G[j + i * k];
}

/* G = A A^T (k x k) for A k x d. */
static void gram_rows(const double *A, int64_t k, int64_t d, double *G)
{
    int64_t i, j;
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, (int)k, (int)d, 1.0, A, (int)k, 0.0, G, (int)k);
    for (j = 0; j < k; j++)
        for (i = 0; i < j; i++) G[i + j * k] = G[j + i * k];
}

/* M = I - eta A (r x r) */
static void identity_minus(double *M, int64_t r, double eta, const double *A)
{
    int64_t i;
    for (i = 0; i < r * r; i++) M[i] = -eta * A[i];
    for (i = 0; i < r; i++) M[i + i * r] += 1.0;
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

/* The products every iteration needs, for the current Z and W:
 * YWt = Y W^T, WWt = W W^T, ZtZ = Z^T Z, and (FA) BZ = B Z.
 * Returns ||E||^2 by the Gram identity. */
static double products(fit_state *s)
{
    const lrfa_problem *P = s->P;
    int64_t n = s->n, m = s->m, r = s->r;
    if (s->fused) {
        /* Y W^T and (into GW, where the update wants it) Z^T Y in one pass */
        lrfa_blas_serial_begin();
        lrfa_y_fused_gd(P->Y, s->Z, s->W, r, s->YWt, s->GW, s->partial, 64);
        lrfa_blas_serial_end();
    } else {
        lrfa_y_mul_wt(P->Y, P->Yt, s->W, r, s->YWt, s->work);
    }
    gram_rows(s->W, r, m, s->WWt);
    gram(s->Z, n, r, s->ZtZ);
    if (s->fa)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)r, (int)n, 1.0, s->B, (int)r, s->Z,
                    (int)n, 0.0, s->BZ, (int)r);
    return P->fro * P->fro - 2.0 * dot(s->Z, s->YWt, n * r) + dot(s->ZtZ, s->WWt, r * r);
}

/* The conserved quantity, from the Gram matrices of the current state:
 * GD: C = Z^T Z - W W^T; FA: C = W W^T - B Z - Z^T B^T. Also returns the
 * size of its terms (the sum of their Frobenius norms) in *terms. */
static void conserved(const fit_state *s, double *C, double *terms)
{
    int64_t r = s->r, i, j;
    if (!s->fa) {
        for (i = 0; i < r * r; i++) C[i] = s->ZtZ[i] - s->WWt[i];
        *terms = lrfa_vec_norm(s->ZtZ, r * r) + lrfa_vec_norm(s->WWt, r * r);
    } else {
        for (j = 0; j < r; j++)
            for (i = 0; i < r; i++) C[i + j * r] = s->WWt[i + j * r] - s->BZ[i + j * r] - s->BZ[j + i * r];
        *terms = lrfa_vec_norm(s->WWt, r * r) + 2.0 * lrfa_vec_norm(s->BZ, r * r);
    }
}

/* The figures for the current state, whose products() are up to date. */
static void figures(fit_state *s, int64_t iter, double seconds, double error, int exact, int want_grad,
                    lrfa_figures *f)
{
    const lrfa_problem *P = s->P;
    int64_t n = s->n, m = s->m, r = s->r, i;
    double terms;
    memset(f, 0, sizeof *f);
    f->iteration = iter;
    f->seconds = seconds;
    f->error = error;
    f->exact = exact;
    f->opt = lrfa_problem_opt(P, r);
    f->gap = error - f->opt;
    f->rel_gap = P->fro > 0 ? f->gap / P->fro : 0.0;
    f->align_zb = f->align_min_eig = f->grad_align = NAN;
    if (s->fa) {
        lrfa_dense B = {r, n, s->B}, Z = {n, r, s->Z}, BZ = {r, r, s->BZ};
        f->align_zb = lrfa_align_zb(&B, &Z);
        f->align_min_eig = lrfa_align_min_eig(&BZ);
    }
    if (s->fa && want_grad) {
        /* grad_align: B E = BZ W - BY against Z^T E = ZtZ W - Z^T Y. Z^T Y
         * costs one more pass over Y, so it comes only with the rows that
         * pay for a pass anyway (an exact error) */
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)m, (int)r, 1.0, s->BZ, (int)r, s->W,
                    (int)r, 0.0, s->GW, (int)r);
        for (i = 0; i < r * m; i++) s->GW[i] -= s->BY[i];
        lrfa_y_zt_mul(P->Y, s->Z, r, s->ZtY, s->work);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)m, (int)r, 1.0, s->ZtZ, (int)r, s->W,
                    (int)r, -1.0, s->ZtY, (int)r);
        f->grad_align = lrfa_cosine(s->GW, s->ZtY, r * m);
    }
    conserved(s, s->C, &terms);
    for (i = 0; i < r * r; i++) s->C[i] -= s->C0[i];
    f->drift = terms > 0 ? lrfa_vec_norm(s->C, r * r) / terms : 0.0;
    f->conservation_terms = terms;
    f->overlap_w_top = f->overlap_z_top = NAN;
    if (P->kvec >= r) {
        lrfa_dense W = {r, m, s->W}, Z = {n, r, s->Z}, Vr = {m, r, P->V->data}, Ur = {n, r, P->U->data};
        f->overlap_w_top = lrfa_span_overlap(&W, 1, &Vr, 0, NULL);
        f->overlap_z_top = lrfa_span_overlap(&Z, 0, &Ur, 0, NULL);
    }
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
    if (lrfa_y_exact_affordable(s->P->Y, s->r)) {
        double e = lrfa_y_residual_norm(s->P->Y, s->Z, s->W, s->r);
        if (!isnan(e)) {
            *exact = 1;
            return e;
        }
    }
    *exact = 0;
    return sqrt(fmax(gram_e2, 0.0));
}

/* The fit proper, on a problem whose norm is in a safe range. lr_unit
 * converts its step size to the caller's units for messages. */
static lrfa_status fit_run(const lrfa_problem *P, const lrfa_options *opt, double lr_unit, lrfa_result **out,
                           lrfa_error *err)
{
    fit_state s;
    lrfa_result *res = NULL;
    lrfa_dense *Z = NULL, *W = NULL, *B = NULL;
    lrfa_status st = LRFA_OK;
    const char *bad;
    double eta, t0, t_iter0, e2, e, e_start = 0.0, e_check = -1.0, terms, e_bad = 0.0;
    int64_t t, n, m, r, logged = 0;
    int exact;
    uint64_t fails0;

    *out = NULL;
    memset(&s, 0, sizeof s);
    /* the figures' helpers give NaN when out of memory: a refused
     * allocation anywhere in the run fails it */
    fails0 = lrfa_alloc_failures();
    if ((bad = lrfa_options_check(opt, P->n, P->m)) != NULL)
        return lrfa_fail(err, LRFA_EINPUT, 0, "%s", bad);
    t0 = now_seconds();
    n = P->n;
    m = P->m;
    r = opt->rank;
    eta = lrfa_resolve_lr(P, opt);
    if ((st = lrfa_init_factors(P, opt, &Z, &W, &B, err)) != LRFA_OK) return st;
    res = lrfa_alloc(sizeof *res);
    if (!res) goto nomem;
    memset(res, 0, sizeof *res);
    res->algo = opt->algo;
    res->n = n;
    res->m = m;
    res->r = r;
    res->Z = Z;
    res->W = W;
    res->B = B;
    Z = W = B = NULL;
    res->fro = P->fro;
    res->lr = eta;
    res->diverged_at = -1;
    res->fa_pred = NAN;

    s.P = P;
    s.opt = opt;
    s.n = n;
    s.m = m;
    s.r = r;
    s.fa = opt->algo == LRFA_ALGO_FA;
    s.Z = res->Z->data;
    s.W = res->W->data;
    s.B = s.fa ? res->B->data : NULL;
    /* measured on 8000 x 8000: one fused pass takes 82 ms against 152 ms for
     * two BLAS products at r = 16, and breaks even by r = 128 */
    s.fused = !s.fa && P->Y->storage == LRFA_STORAGE_DENSE && r <= 64 && lrfa_threads() > 1;
    /* FA: B Y (one pass over Y, kept for the iterations), then the
     * predicted limit, whose workspace is freed before the rest of the
     * iteration state exists, so the two never add up in the peak */
    if (s.fa) {
        lrfa_dense BY = {r, m, NULL};
        if (!(s.BY = lrfa_alloc_array(r * m, sizeof(double)))) goto nomem;
        lrfa_y_left_mul(P->Y, s.B, r, s.BY);
        BY.data = s.BY;
        if ((st = lrfa_fa_prediction_from(P, &BY, &res->fa_pred, err)) != LRFA_OK) goto fail;
    }
    if (!state_alloc(&s)) goto nomem;

    t_iter0 = now_seconds();
    for (t = 0;; t++) {
        int log_now, check_now;
        e2 = products(&s);
        if (t == 0) conserved(&s, s.C0, &terms);
        e = isfinite(e2) ? sqrt(fmax(e2, 0.0)) : HUGE_VAL;
        if (t == 0) e_start = e;
        if (!isfinite(e) || e > opt->diverge_factor * fmax(e_start, DBL_MIN)) {
            res->stop = LRFA_STOP_DIVERGED;
            res->diverged_at = t;
            e_bad = e;
            if (t > 0) {
                /* go back to the last state that passed this test */
                double *tz = s.Z, *tw = s.W;
                s.Z = s.Zprev;
                s.Zprev = tz;
                s.W = s.Wprev;
                s.Wprev = tw;
                t--;
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
                figures(&s, t, now_seconds() - t_iter0, e, exact, exact, &f);
                if (!append_trace(res, &f) || lrfa_alloc_failures() != fails0) goto nomem;
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
            p.gap = e - lrfa_problem_opt(P, r);
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
        /* Z - eta (Z W W^T - Y W^T) = Z (I - eta W W^T) + eta Y W^T: one
         * product written over Y W^T, whose buffer then holds the new Z */
        identity_minus(s.M, r, eta, s.WWt);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)r, (int)r, 1.0, s.Z, (int)n, s.M,
                    (int)r, eta, s.YWt, (int)n);
        if (s.fa) {
            /* W - eta (B Z W - B Y) = (I - eta B Z) W + eta B Y */
            memcpy(s.GW, s.BY, sizeof(double) * (size_t)(r * m));
            identity_minus(s.M, r, eta, s.BZ);
        } else {
            /* W - eta (Z^T Z W - Z^T Y) = (I - eta Z^T Z) W + eta Z^T Y */
            if (!s.fused) lrfa_y_zt_mul(P->Y, s.Z, r, s.GW, s.work); /* else products() made it */
            identity_minus(s.M, r, eta, s.ZtZ);
        }
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)m, (int)r, 1.0, s.M, (int)r, s.W,
                    (int)r, eta, s.GW, (int)r);
        /* rotate: the old state becomes the previous one */
        {
            double *oz = s.Zprev, *ow = s.Wprev;
            s.Zprev = s.Z;
            s.Z = s.YWt;
            s.YWt = oz;
            s.Wprev = s.W;
            s.W = s.GW;
            s.GW = ow;
        }
    }
    res->iterations = t;
    res->converged = res->stop == LRFA_STOP_CONVERGED;
    res->iter_seconds = now_seconds() - t_iter0;

    /* final figures with the exact error; after divergence, of the last
     * finite state (the iteration before it diverged) */
    e = exact_error(&s, e2, &exact);
    figures(&s, t, res->iter_seconds, e, exact, 1, &res->final);
    /* the guard: below opt(r) by more than the spectrum's accuracy allows
     * means the spectrum missed a value (design fact 1 cannot fail) */
    res->opt_tolerance = lrfa_spectrum_opt_tolerance(P->spectrum, r);
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
    res->seconds = now_seconds() - t0;
    /* the current Z and W may sit in any of the rotating buffers */
    state_handover(&s, res);
    state_free(&s);
    *out = res;
    if (res->stop == LRFA_STOP_DIVERGED)
        return lrfa_fail(err, LRFA_EDIVERGED, 0,
                         "diverged at iteration %lld (error %s) with step size %.3g: try a smaller --lr",
                         (long long)res->diverged_at,
                         isfinite(e_bad) ? "above 1e3 times its start" : "not finite", eta * lr_unit);
    if (res->stop == LRFA_STOP_INTERRUPTED)
        return lrfa_fail(err, LRFA_EINTERRUPT, 0, "stopped at iteration %lld", (long long)t);
    return LRFA_OK;
nomem:
    st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for a rank-%lld fit of a %lld x %lld matrix",
                   (long long)r, (long long)n, (long long)m);
fail:
    if (res && s.Z) state_handover(&s, res);
    state_free(&s);
    lrfa_dense_free(Z);
    lrfa_dense_free(W);
    lrfa_dense_free(B);
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

static void figures_unscale(lrfa_figures *f, double c)
{
    f->error /= c;
    f->opt /= c;
    f->gap /= c;
    f->conservation_terms /= c; /* Z^T Z, W W^T and B Z all scale like c */
}

static void dense_scale(lrfa_dense *A, double c)
{
    int64_t i;
    if (!A) return;
    for (i = 0; i < A->rows * A->cols; i++) A->data[i] *= c;
}

lrfa_status lrfa_fit(const lrfa_problem *P, const lrfa_options *opt, lrfa_result **out, lrfa_error *err)
{
    double c = fit_scale(P), h;
    const char *bad;
    lrfa_problem *Q;
    lrfa_options o;
    lrfa_status st;
    lrfa_result *res;
    int64_t i;
    if (c == 1.0) return fit_run(P, opt, 1.0, out, err);
    *out = NULL;
    if ((bad = lrfa_options_check(opt, P->n, P->m)) != NULL) return lrfa_fail(err, LRFA_EINPUT, 0, "%s", bad);
    Q = lrfa_problem_scaled(P, c, err);
    if (!Q) return err ? err->status : LRFA_ENOMEM;
    o = *opt;
    if (o.lr > 0.0) o.lr /= c; /* a step size scales like 1 / s_1 */
    st = fit_run(Q, &o, c, out, err);
    lrfa_problem_free(Q);
    res = *out;
    if (!res) return st;
    /* Z W = c Y: each factor (and B, which scales like Z^T) by 1 / sqrt(c) */
    h = 1.0 / sqrt(c);
    dense_scale(res->Z, h);
    dense_scale(res->W, h);
    dense_scale(res->B, h);
    figures_unscale(&res->final, c);
    for (i = 0; i < res->trace_len; i++) figures_unscale(&res->trace[i], c);
    res->fa_pred /= c;
    res->opt_tolerance /= c;
    res->fro = P->fro;
    res->lr *= c;
    return st;
}
