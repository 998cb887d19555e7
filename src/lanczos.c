/* lanczos.c: the leading singular triplets of a dense or sparse matrix by
 * Golub-Kahan-Lanczos bidiagonalization with full reorthogonalization.
 *
 * With v_1 a random unit vector, the recurrence
 *     alpha_j u_j = A v_j - beta_{j-1} u_{j-1},
 *     beta_j v_{j+1} = A^T u_j - alpha_j v_j
 * (u_j and v_{j+1} reorthogonalized against all earlier vectors, twice, by
 * classical Gram-Schmidt) gives A V_d = U_d B_d with B_d upper bidiagonal.
 * A new vector shorter than 1e3 eps ||A||_F is rounding noise: the space so
 * far is invariant, and the recurrence goes on from a fresh random direction
 * orthogonal to it (with a zero in B), which also finds repeated values.
 * If B_d = P diag(theta) Q^T, the Ritz triplets (theta_i, U_d P e_i, V_d Q e_i)
 * satisfy ||A^T u_i - theta_i v_i|| = beta_d |P_{d,i}|, so a value is taken
 * as converged when beta_d |P_{d,i}| <= tol * theta_1. The process is
 * extended (never restarted) until the k leading values converge, the
 * Krylov space is exhausted, or the memory budget is reached. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include "lrfa/linalg.h"
#include "lrfa/rng.h"
#include "internal.h"
#include "yops.h"

/* x -= Q (Q^T x) by classical Gram-Schmidt, repeated once when the first
 * pass removed most of x (the DGKS criterion: ||x'|| < ||x|| / sqrt(2)),
 * which keeps x orthogonal to working accuracy; Q is len x cnt with
 * orthonormal columns. When c is non-NULL it receives the coefficients
 * Q^T x of the original x (summed over the passes). */
static void reorth(const double *Q, int64_t len, int64_t cnt, double *x, double *h, double *c)
{
    int pass;
    int64_t i;
    double before, after;
    if (c)
        for (i = 0; i < cnt; i++) c[i] = 0.0;
    if (cnt == 0) return;
    before = lrfa_vec_norm(x, len);
    for (pass = 0; pass < 2; pass++) {
        cblas_dgemv(CblasColMajor, CblasTrans, (int)len, (int)cnt, 1.0, Q, (int)len, x, 1, 0.0, h, 1);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)len, (int)cnt, -1.0, Q, (int)len, h, 1, 1.0, x, 1);
        if (c)
            for (i = 0; i < cnt; i++) c[i] += h[i];
        after = lrfa_vec_norm(x, len);
        if (after > 0.7071067811865476 * before) break;
        before = after;
    }
}

/* Replaces x by a random unit vector orthogonal to Q's columns (used when the
 * recurrence breaks down: an invariant subspace was found). Returns 0 when
 * no such vector exists (cnt == len). */
static int fresh_direction(lrfa_rng *rng, const double *Q, int64_t len, int64_t cnt, double *x, double *h)
{
    double nx;
    if (cnt >= len) return 0;
    lrfa_rng_fill_gaussian(rng, x, len, 1.0);
    reorth(Q, len, cnt, x, h, NULL);
    nx = lrfa_vec_norm(x, len);
    if (!(nx > 0.0)) return 0;
    cblas_dscal((int)len, 1.0 / nx, x, 1);
    return 1;
}

/* X[:, :keep] <- X[:, :d] R[:, :keep] in place, for X len x d (leading
 * dimension len) and R d x d, a block of rows at a time through tmp
 * (RESTART_ROWS x keep): rows of the product depend only on the same rows
 * of X, so no copy of the whole basis is needed. */
#define RESTART_ROWS 512

/* the basis a side may pass 3k + 40 vectors' worth only up to this size */
#define BASIS_BYTES 268435456.0 /* 256 MiB */
static void restart_basis(double *X, int64_t len, int64_t d, int64_t keep, const double *R, double *tmp)
{
    int64_t i0, c;
    for (i0 = 0; i0 < len; i0 += RESTART_ROWS) {
        int64_t b = len - i0 < RESTART_ROWS ? len - i0 : RESTART_ROWS;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)keep, (int)d, 1.0, X + i0, (int)len, R,
                    (int)d, 0.0, tmp, (int)b);
        for (c = 0; c < keep; c++) memcpy(X + i0 + c * len, tmp + c * b, sizeof(double) * (size_t)b);
    }
}

lrfa_status lrfa_svd_lanczos(const lrfa_matrix *A, int64_t k, double tol, uint64_t seed, double *s, lrfa_dense *U,
                             lrfa_dense *V, lrfa_lanczos_info *info, lrfa_error *err)
{
    /* run on A^T when it has more columns than rows: the start vector v_1
     * must live in the smaller space, so that space is exhausted after
     * min(rows, cols) steps and the last beta then vanishes */
    int sw = A->cols > A->rows;
    int64_t n = sw ? A->cols : A->rows, m = sw ? A->rows : A->cols, kmax = n < m ? n : m;
    int64_t dcap, keep, d = 0, j, i, t, converged = 0, total = 0, restarts = 0;
    double *Ub = NULL, *Vb = NULL, *Bm = NULL, *h = NULL, *theta = NULL, *tmp = NULL, *work = NULL;
    lrfa_dense *Bd = NULL, *P = NULL, *Q = NULL;
    lrfa_status st = LRFA_OK;
    lrfa_rng rng;
    uint64_t mem = lrfa_memory_budget();
    double budget, resid = 0.0, brk, beta = 0.0;
    int restarted = 0, threads = lrfa_threads();

    if (k < 1 || k > kmax)
        return lrfa_fail(err, LRFA_EINPUT, 0, "Lanczos: %lld singular values of a %lld x %lld matrix", (long long)k,
                         (long long)n, (long long)m);
    if (tol <= 0) tol = 1e-12;
    /* the Krylov space holds at most dcap vectors on each side: 3k + 40, or,
     * when that basis would pass 256 MiB, as many as fit there but no fewer
     * than 2k + 20 (thick restarts then cost a few more products, not
     * accuracy); never more than a quarter of the memory */
    budget = mem ? 0.25 * (double)mem : 4e9;
    dcap = 3 * k + 40;
    if (8.0 * (double)(n + m + 2) * (double)dcap > BASIS_BYTES) {
        int64_t fit = (int64_t)(BASIS_BYTES / (8.0 * (double)(n + m + 2)));
        dcap = fit > 2 * k + 20 ? fit : 2 * k + 20;
    }
    if ((double)dcap > budget / (8.0 * (double)(n + m + 2))) dcap = (int64_t)(budget / (8.0 * (double)(n + m + 2)));
    if (dcap > kmax) dcap = kmax;
    if (dcap < k + 1) dcap = k + 1 <= kmax ? k + 1 : kmax;
    /* keep k + 10 + k/2 Ritz vectors at a restart, but leave at least half
     * of the room above k for new ones */
    keep = k + 10 + k / 2;
    if (keep > (k + dcap) / 2) keep = (k + dcap) / 2;
    if (keep > dcap - 1) keep = dcap - 1;
    if (keep < k) keep = k;

    Ub = lrfa_alloc_array(n * dcap, sizeof(double));
    Vb = lrfa_alloc_array(m * (dcap + 1), sizeof(double));
    Bm = lrfa_calloc_array(dcap * dcap, sizeof(double));
    h = lrfa_alloc_array(dcap + 1, sizeof(double));
    theta = lrfa_alloc_array(dcap, sizeof(double));
    tmp = lrfa_alloc_array(RESTART_ROWS * (keep > 0 ? keep : 1), sizeof(double));
    /* the other threads' partial sums of the sparse product A x */
    if (A->storage == LRFA_STORAGE_SPARSE && threads > 1)
        work = lrfa_alloc_array((int64_t)(threads - 1) * A->rows, sizeof(double));
    if (!Ub || !Vb || !Bm || !h || !theta || !tmp || (A->storage == LRFA_STORAGE_SPARSE && threads > 1 && !work)) {
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for Lanczos on a %lld x %lld matrix", (long long)n,
                       (long long)m);
        goto done;
    }
    /* below this a new vector is rounding noise: the recurrence broke down */
    brk = 1e3 * DBL_EPSILON * lrfa_matrix_fro_norm(A);
    lrfa_rng_seed(&rng, seed, 20);
    if (!fresh_direction(&rng, Vb, m, 0, Vb, h)) {
        st = lrfa_fail(err, LRFA_EINPUT, 0, "Lanczos: empty matrix");
        goto done;
    }
    for (;;) {
        /* extend to dcap steps, checking every few steps (B = U^T A V is
         * upper triangular; column j holds u_i^T A v_j, i <= j) */
        int64_t next_check = d + (k + 10 > 10 ? 10 : k + 10);
        int stop = 0;
        if (next_check < k) next_check = k;
        for (j = d; j < dcap; j++) {
            double *u = Ub + j * n, *v = Vb + j * m, *vnext = Vb + (j + 1) * m, alpha;
            lrfa_y_mul_vec(A, sw, v, u, work);
            total++;
            /* the recurrence's own term first: u_{j-1}^T A v_j = beta_{j-1}
             * (except on the step after a restart, where v_j couples to
             * every kept vector), so that reorthogonalization only removes
             * rounding errors and one pass mostly suffices */
            if (j > 0 && !restarted) cblas_daxpy((int)n, -beta, Ub + (j - 1) * n, 1, u, 1);
            reorth(Ub, n, j, u, h, Bm + j * dcap);
            if (j > 0 && !restarted) Bm[(j - 1) + j * dcap] += beta;
            restarted = 0;
            alpha = lrfa_vec_norm(u, n);
            if (alpha > brk) {
                cblas_dscal((int)n, 1.0 / alpha, u, 1);
            } else {
                alpha = 0.0;
                if (!fresh_direction(&rng, Ub, n, j, u, h)) {
                    d = j; /* the whole column space is spanned */
                    stop = 1;
                    break;
                }
            }
            Bm[j + j * dcap] = alpha;
            lrfa_y_mul_vec(A, !sw, u, vnext, work);
            cblas_daxpy((int)m, -alpha, v, 1, vnext, 1); /* v_j^T A^T u_j = alpha_j */
            reorth(Vb, m, j + 1, vnext, h, NULL);
            beta = lrfa_vec_norm(vnext, m);
            if (beta > brk) {
                cblas_dscal((int)m, 1.0 / beta, vnext, 1);
            } else {
                /* an invariant subspace: continue from a new direction */
                beta = 0.0;
                if (!(j + 1 < m && fresh_direction(&rng, Vb, m, j + 1, vnext, h)))
                    memset(vnext, 0, sizeof(double) * (size_t)m);
            }
            if (j + 1 >= next_check || j + 1 == dcap) {
                d = j + 1;
                break;
            }
        }
        if (j == dcap) d = dcap;
        if (d == 0) {
            st = lrfa_fail(err, LRFA_ENUMERIC, 0, "Lanczos: the matrix is zero");
            goto done;
        }
        /* SVD of the d x d projection B */
        lrfa_dense_free(Bd);
        lrfa_dense_free(P);
        lrfa_dense_free(Q);
        Bd = lrfa_dense_alloc(d, d, err);
        P = lrfa_dense_alloc(d, d, err);
        Q = lrfa_dense_alloc(d, d, err);
        if (!Bd || !P || !Q) {
            st = err ? err->status : LRFA_ENOMEM;
            goto done;
        }
        for (t = 0; t < d; t++)
            for (i = 0; i <= t; i++) Bd->data[i + t * d] = Bm[i + t * dcap];
        if ((st = lrfa_svd(Bd, theta, P, Q, err)) != LRFA_OK) goto done;
        /* residuals ||A^T u_i - theta_i v_i|| = beta |P_{d,i}| */
        converged = 0;
        resid = 0.0;
        for (i = 0; i < k && i < d; i++) {
            double ri = fabs(beta) * fabs(P->data[(d - 1) + i * d]), s1 = theta[0] > 0 ? theta[0] : 1.0;
            if (ri <= tol * s1) converged++;
            if (ri / s1 > resid) resid = ri / s1;
        }
        if (converged >= k || stop || d >= kmax || total > 20 * kmax + 1000) break;
        if (d < dcap) continue; /* more room: keep extending */
        /* thick restart: keep the `keep` leading Ritz vectors,
         * U <- U P[:, :keep], V <- V Q[:, :keep], v_{keep+1} <- v_{d+1},
         * B <- diag(theta); the next column of B picks up beta P_{d,i} */
        restart_basis(Ub, n, d, keep, P->data, tmp);
        restart_basis(Vb, m, d, keep, Q->data, tmp);
        memmove(Vb + keep * m, Vb + d * m, sizeof(double) * (size_t)m);
        memset(Bm, 0, sizeof(double) * (size_t)(dcap * dcap));
        for (i = 0; i < keep; i++) Bm[i + i * dcap] = theta[i];
        d = keep;
        restarts++;
        restarted = 1;
    }
    for (i = 0; i < k; i++) s[i] = i < d ? theta[i] : 0.0;
    if (U && V) {
        int64_t kv = U->cols;
        lrfa_dense *Uo = sw ? V : U, *Vo = sw ? U : V; /* the u side is A's column side unless swapped */
        if (kv > d) kv = d;
        /* left = U_d P[:, :k], right = V_d Q[:, :k] */
        memset(U->data, 0, sizeof(double) * (size_t)(U->rows * U->cols));
        memset(V->data, 0, sizeof(double) * (size_t)(V->rows * V->cols));
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)kv, (int)d, 1.0, Ub, (int)n, P->data,
                    (int)d, 0.0, Uo->data, (int)n);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)kv, (int)d, 1.0, Vb, (int)m, Q->data,
                    (int)d, 0.0, Vo->data, (int)m);
    }
    if (info) {
        info->steps = d;
        info->products = total;
        info->restarts = restarts;
        info->converged = converged;
        info->residual = resid;
    }
done:
    lrfa_dealloc(Ub);
    lrfa_dealloc(Vb);
    lrfa_dealloc(Bm);
    lrfa_dealloc(h);
    lrfa_dealloc(theta);
    lrfa_dealloc(tmp);
    lrfa_dealloc(work);
    lrfa_dense_free(Bd);
    lrfa_dense_free(P);
    lrfa_dense_free(Q);
    return st;
}
