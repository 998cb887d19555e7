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

/* y = A x or y = A^T x. */
static void apply(const lrfa_matrix *A, int trans, const double *x, double *y)
{
    int64_t n = A->rows, m = A->cols, j, p;
    if (A->storage == LRFA_STORAGE_DENSE) {
        cblas_dgemv(CblasColMajor, trans ? CblasTrans : CblasNoTrans, (int)n, (int)m, 1.0, A->dense->data, (int)n,
                    x, 1, 0.0, y, 1);
        return;
    }
    if (!trans) {
        memset(y, 0, sizeof(double) * (size_t)n);
        for (j = 0; j < m; j++) {
            double xj = x[j];
            for (p = A->sparse->colptr[j]; p < A->sparse->colptr[j + 1]; p++)
                y[A->sparse->rowidx[p]] += A->sparse->values[p] * xj;
        }
    } else {
        for (j = 0; j < m; j++) {
            double t = 0.0;
            for (p = A->sparse->colptr[j]; p < A->sparse->colptr[j + 1]; p++)
                t += A->sparse->values[p] * x[A->sparse->rowidx[p]];
            y[j] = t;
        }
    }
}

/* x -= Q (Q^T x), twice; Q is len x cnt with orthonormal columns. */
static void reorth(const double *Q, int64_t len, int64_t cnt, double *x, double *h)
{
    int pass;
    if (cnt == 0) return;
    for (pass = 0; pass < 2; pass++) {
        cblas_dgemv(CblasColMajor, CblasTrans, (int)len, (int)cnt, 1.0, Q, (int)len, x, 1, 0.0, h, 1);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)len, (int)cnt, -1.0, Q, (int)len, h, 1, 1.0, x, 1);
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
    reorth(Q, len, cnt, x, h);
    nx = lrfa_vec_norm(x, len);
    if (!(nx > 0.0)) return 0;
    cblas_dscal((int)len, 1.0 / nx, x, 1);
    return 1;
}

lrfa_status lrfa_svd_lanczos(const lrfa_matrix *A, int64_t k, double tol, uint64_t seed, double *s, lrfa_dense *U,
                             lrfa_dense *V, lrfa_lanczos_info *info, lrfa_error *err)
{
    /* run on A^T when it has fewer columns than rows... the start vector v_1
     * must live in the smaller space, so the right Krylov space is exhausted
     * after min(rows, cols) steps and the last beta then vanishes */
    int sw = A->cols > A->rows;
    int64_t n = sw ? A->cols : A->rows, m = sw ? A->rows : A->cols, kmax = n < m ? n : m, dmax, d, j = 0, i,
            converged = 0;
    double *Ub = NULL, *Vb = NULL, *alpha = NULL, *beta = NULL, *h = NULL, *theta = NULL;
    lrfa_dense *Bd = NULL, *P = NULL, *Q = NULL;
    lrfa_status st = LRFA_OK;
    lrfa_rng rng;
    uint64_t mem = lrfa_physical_memory();
    double budget, resid = 0.0, brk;

    if (k < 1 || k > kmax)
        return lrfa_fail(err, LRFA_EINPUT, 0, "Lanczos: %lld singular values of a %lld x %lld matrix", (long long)k,
                         (long long)n, (long long)m);
    if (tol <= 0) tol = 1e-12;
    /* the Krylov bases may use a quarter of the memory (at least k + 1 steps) */
    budget = mem ? 0.25 * (double)mem : 4e9;
    dmax = (int64_t)(budget / (8.0 * (double)(n + m + 2)));
    if (dmax > kmax) dmax = kmax;
    if (dmax < k) dmax = k;
    d = 2 * k + 20 < dmax ? 2 * k + 20 : dmax;

    Ub = lrfa_alloc_array(n * dmax, sizeof(double));
    Vb = lrfa_alloc_array(m * (dmax + 1), sizeof(double));
    alpha = lrfa_alloc_array(dmax, sizeof(double));
    beta = lrfa_alloc_array(dmax, sizeof(double));
    h = lrfa_alloc_array(dmax + 1, sizeof(double));
    theta = lrfa_alloc_array(dmax, sizeof(double));
    if (!Ub || !Vb || !alpha || !beta || !h || !theta) {
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
        int64_t t;
        /* extend the bidiagonalization to d steps */
        for (; j < d; j++) {
            double *u = Ub + j * n, *v = Vb + j * m, *vnext = Vb + (j + 1) * m;
            apply(A, sw, v, u);
            if (j > 0) cblas_daxpy((int)n, -beta[j - 1], Ub + (j - 1) * n, 1, u, 1);
            reorth(Ub, n, j, u, h);
            alpha[j] = lrfa_vec_norm(u, n);
            if (alpha[j] > brk) cblas_dscal((int)n, 1.0 / alpha[j], u, 1);
            else if ((alpha[j] = 0.0), !fresh_direction(&rng, Ub, n, j, u, h)) {
                d = j; /* the whole column space is spanned */
                break;
            }
            apply(A, !sw, u, vnext);
            cblas_daxpy((int)m, -alpha[j], v, 1, vnext, 1);
            reorth(Vb, m, j + 1, vnext, h);
            beta[j] = lrfa_vec_norm(vnext, m);
            if (beta[j] > brk) {
                cblas_dscal((int)m, 1.0 / beta[j], vnext, 1);
            } else {
                /* an invariant subspace: continue from a new direction */
                beta[j] = 0.0;
                if (!(j + 1 < m && fresh_direction(&rng, Vb, m, j + 1, vnext, h)))
                    memset(vnext, 0, sizeof(double) * (size_t)m);
            }
        }
        if (d == 0) {
            st = lrfa_fail(err, LRFA_ENUMERIC, 0, "Lanczos: the matrix is zero");
            goto done;
        }
        /* SVD of the d x d upper bidiagonal B */
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
        for (t = 0; t < d; t++) {
            Bd->data[t + t * d] = alpha[t];
            if (t + 1 < d) Bd->data[t + (t + 1) * d] = beta[t];
        }
        if ((st = lrfa_svd(Bd, theta, P, Q, err)) != LRFA_OK) goto done;
        /* residuals beta_d |P_{d,i}| of the k leading Ritz values */
        converged = 0;
        resid = 0.0;
        for (i = 0; i < k && i < d; i++) {
            double ri = fabs(beta[d - 1]) * fabs(P->data[(d - 1) + i * d]);
            if (ri <= tol * theta[0]) converged++;
            if (ri / (theta[0] > 0 ? theta[0] : 1.0) > resid) resid = ri / (theta[0] > 0 ? theta[0] : 1.0);
        }
        if (converged >= k || d >= dmax) break;
        d = 2 * d < dmax ? 2 * d : dmax;
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
        info->converged = converged;
        info->residual = resid;
    }
done:
    lrfa_dealloc(Ub);
    lrfa_dealloc(Vb);
    lrfa_dealloc(alpha);
    lrfa_dealloc(beta);
    lrfa_dealloc(h);
    lrfa_dealloc(theta);
    lrfa_dense_free(Bd);
    lrfa_dense_free(P);
    lrfa_dense_free(Q);
    return st;
}
