/* reference.c: the naive iteration (forming E) and the FA prediction. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "lrfa/linalg.h"
#include "lrfa/metrics.h"
#include "lrfa/solver.h"
#include "internal.h"
#include "yops.h"

/* The two-layer step is the layered one at L = 2 (W_1 = W, W_2 = Z, B_1 = B). */
lrfa_status lrfa_step_naive(const lrfa_dense *Y, lrfa_dense *Z, lrfa_dense *W, const lrfa_dense *B,
                            double eta, lrfa_algo algo, lrfa_error *err)
{
    lrfa_dense *Ws[2], *Bs[1];
    if (algo != LRFA_ALGO_GD && !B) return lrfa_fail(err, LRFA_EINPUT, 0, "FA needs a feedback matrix B");
    Ws[0] = W;
    Ws[1] = Z;
    Bs[0] = (lrfa_dense *)(uintptr_t)B; /* read only: no rule but kp writes it */
    if (algo == LRFA_ALGO_KP) return lrfa_fail(err, LRFA_EINPUT, 0, "lrfa_step_naive: kp needs lrfa_layers_step_naive");
    return lrfa_layers_step_naive(Y, 2, Ws, Bs, algo, eta, 0.0, err);
}

/* C (p x q) = op(A) op(B), op(X) = X or X^T, A stored ar x ac and B br x bc
 * column-major: plain loops. */
static void naive_mul(const double *A, int64_t ar, int64_t ac, int ta, const double *B, int64_t br, int64_t bc,
                      int tb, double *C)
{
    int64_t p = ta ? ac : ar, q = tb ? br : bc, inner = ta ? ar : ac, i, j, k;
    (void)bc;
    for (j = 0; j < q; j++)
        for (i = 0; i < p; i++) {
            double v = 0.0;
            for (k = 0; k < inner; k++)
                v += (ta ? A[k + i * ar] : A[i + k * ar]) * (tb ? B[j + k * br] : B[k + j * br]);
            C[i + j * p] = v;
        }
}

/* h_0 = I, h_l = W_l h_{l-1}, E = h_L - Y; delta_L = E and delta_l by the
 * rule (sign: S_l = s_l sign(W_{l+1})^T, s_l = ||W_{l+1}||_F / ||sign W_{l+1}||_F);
 * G_l = delta_l h_{l-1}^T; W_l -= eta G_l, and under kp W_l (l >= 2) -=
 * eta lam W_l, B_l <- (1 - eta lam) B_l - eta G_{l+1}^T. Every matrix explicit. */
lrfa_status lrfa_layers_step_naive(const lrfa_dense *Y, int64_t L, lrfa_dense **W, lrfa_dense **B, lrfa_algo rule,
                                   double eta, double lam, lrfa_error *err)
{
    int64_t n = Y->rows, m = Y->cols, d[LRFA_MAX_LAYERS + 1], l, i;
    double *h[LRFA_MAX_LAYERS + 1] = {0}, *delta[LRFA_MAX_LAYERS + 1] = {0}, *G[LRFA_MAX_LAYERS + 1] = {0};
    double *S = NULL;
    lrfa_status st = LRFA_OK;
    int ok = 1;
    if (L < 2 || L > LRFA_MAX_LAYERS) return lrfa_fail(err, LRFA_EINPUT, 0, "naive step: L = %lld", (long long)L);
    d[0] = m;
    for (l = 1; l <= L; l++) d[l] = W[l - 1]->rows;
    if (d[L] != n) return lrfa_fail(err, LRFA_EINPUT, 0, "naive step: the top layer has %lld rows, Y %lld",
                                    (long long)d[L], (long long)n);
    for (l = 0; l <= L && ok; l++) {
        h[l] = lrfa_calloc_array(d[l] * m, sizeof(double));
        delta[l] = lrfa_calloc_array(d[l] * m, sizeof(double));
        if (l > 0) G[l] = lrfa_calloc_array(d[l] * d[l - 1], sizeof(double));
        ok = h[l] && delta[l] && (l == 0 || G[l]);
    }
    {
        int64_t smax = 1;
        for (l = 1; l < L; l++) smax = d[l] * d[l + 1] > smax ? d[l] * d[l + 1] : smax;
        S = lrfa_alloc_array(smax, sizeof(double));
    }
    if (!ok || !S) {
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the naive step");
        goto done;
    }
    for (i = 0; i < m; i++) h[0][i + i * m] = 1.0;
    for (l = 1; l <= L; l++) naive_mul(W[l - 1]->data, d[l], d[l - 1], 0, h[l - 1], d[l - 1], m, 0, h[l]);
    for (i = 0; i < n * m; i++) delta[L][i] = h[L][i] - Y->data[i];
    for (l = L - 1; l >= 1; l--) {
        const double *Wn = W[l]->data; /* W_{l+1}, d_{l+1} x d_l */
        if (rule == LRFA_ALGO_GD) {
            naive_mul(Wn, d[l + 1], d[l], 1, delta[l + 1], d[l + 1], m, 0, delta[l]);
        } else if (rule == LRFA_ALGO_DFA) {
            naive_mul(B[l - 1]->data, d[l], n, 0, delta[L], n, m, 0, delta[l]);
        } else if (rule == LRFA_ALGO_SIGN) {
            double nw = lrfa_vec_norm(Wn, d[l + 1] * d[l]), cnt = 0.0, sc;
            for (i = 0; i < d[l + 1] * d[l]; i++) cnt += Wn[i] != 0.0;
            sc = cnt > 0 ? nw / sqrt(cnt) : 0.0;
            /* S = sc sign(W_{l+1})^T, d_l x d_{l+1} */
            {
                int64_t a, b;
                for (b = 0; b < d[l + 1]; b++)
                    for (a = 0; a < d[l]; a++) {
                        double w = Wn[b + a * d[l + 1]];
                        S[a + b * d[l]] = w > 0 ? sc : w < 0 ? -sc : 0.0;
                    }
            }
            naive_mul(S, d[l], d[l + 1], 0, delta[l + 1], d[l + 1], m, 0, delta[l]);
        } else {
            naive_mul(B[l - 1]->data, d[l], d[l + 1], 0, delta[l + 1], d[l + 1], m, 0, delta[l]);
        }
    }
    for (l = 1; l <= L; l++) naive_mul(delta[l], d[l], m, 0, h[l - 1], d[l - 1], m, 1, G[l]);
    if (rule == LRFA_ALGO_KP)
        for (l = 1; l < L; l++) {
            /* B_l (d_l x d_{l+1}) <- (1 - eta lam) B_l - eta G_{l+1}^T */
            int64_t a, b;
            double *Bl = B[l - 1]->data;
            for (b = 0; b < d[l + 1]; b++)
                for (a = 0; a < d[l]; a++)
                    Bl[a + b * d[l]] = (1.0 - eta * lam) * Bl[a + b * d[l]] - eta * G[l + 1][b + a * d[l + 1]];
        }
    for (l = 1; l <= L; l++) {
        double *Wl = W[l - 1]->data, shrink = rule == LRFA_ALGO_KP && l >= 2 ? eta * lam : 0.0;
        for (i = 0; i < d[l] * d[l - 1]; i++) Wl[i] = Wl[i] - eta * G[l][i] - shrink * Wl[i];
    }
done:
    for (l = 0; l <= L; l++) {
        lrfa_dealloc(h[l]);
        lrfa_dealloc(delta[l]);
        lrfa_dealloc(G[l]);
    }
    lrfa_dealloc(S);
    return st;
}

/* The limit at a fixed point: pred = ||Y - (Y Q) Q^T||_F, Q (m x k) an
 * orthonormal basis of row(BY) from its singular vectors, k its numerical
 * rank (singular values above max(rows, m) eps s_max), so a rank-deficient
 * BY (a product through a narrower layer) gets the right subspace. Streamed
 * exactly when affordable, else sqrt(||Y||^2 - ||Y Q||^2). BY is destroyed
 * (Q^T is formed over it); yq holds n x min(d, m) doubles, or is NULL to
 * have them allocated. At n = m = 10^6 and d = 16 each of these arrays is
 * 128 MB, and this runs beside a fit's weights: nothing else that size. */
lrfa_status lrfa_fa_prediction_over(const lrfa_problem *P, lrfa_dense *BY, double *yq, double *pred, int64_t *rank,
                                    lrfa_error *err)
{
    int64_t n = P->n, m = P->m, d = BY->rows, kmax = d < m ? d : m, k, i, j;
    lrfa_dense *U = NULL, *V = NULL;
    double *s = NULL, *Qt = BY->data, *own = NULL, tol;
    lrfa_status st = LRFA_OK;
    *pred = NAN;
    if (rank) *rank = 0;
    if (!(s = lrfa_alloc_array(kmax > 0 ? kmax : 1, sizeof(double)))) goto nomem;
    if (d < m) {
        /* V^T over BY (d x m, leading dimension d) */
        if ((st = lrfa_svd_rows(BY, s, err)) != LRFA_OK) goto done;
    } else {
        /* at least as many rows as columns (a small m): V from the thin SVD, V^T
         * written over BY with leading dimension m */
        U = lrfa_dense_alloc(d, m, err);
        V = lrfa_dense_alloc(m, m, err);
        if (!U || !V) goto nomem;
        if ((st = lrfa_svd(BY, s, U, V, err)) != LRFA_OK) goto done;
        for (j = 0; j < m; j++)
            for (i = 0; i < m; i++) Qt[i + j * d] = V->data[j + i * m];
    }
    tol = (double)(d > m ? d : m) * DBL_EPSILON * (kmax ? s[0] : 0.0);
    for (k = 0; k < kmax && s[k] > tol; k++) {
    }
    if (rank) *rank = k;
    if (k == m) {
        *pred = 0.0;
        goto done;
    }
    if (k == 0) {
        *pred = P->fro;
        goto done;
    }
    /* Q^T: the leading k rows, packed in place (leading dimension k) */
    for (j = 0; j < m; j++)
        for (i = 0; i < k; i++) Qt[i + j * k] = Qt[i + j * d];
    if (!yq && !(yq = own = lrfa_alloc_array(n * k, sizeof(double)))) goto nomem;
    lrfa_y_mul_wt(P->Y, P->Yt, Qt, k, yq, 0);
    if (lrfa_y_exact_affordable(P->Y, lrfa_comm_rows(P->comm, n), k)) {
        double e = lrfa_y_residual_norm(P->Y, yq, Qt, k);
        *pred = lrfa_comm_shared(P->comm) ? sqrt(lrfa_psum1(P->comm, e * e)) : e;
    } else {
        double a = lrfa_pnorm(P->comm, yq, n * k);
        *pred = sqrt(fmax((P->fro - a) * (P->fro + a), 0.0));
    }
    if (isnan(*pred)) goto nomem;
    goto done;
nomem:
    st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the FA prediction");
done:
    lrfa_dense_free(U);
    lrfa_dense_free(V);
    lrfa_dealloc(s);
    lrfa_dealloc(own);
    return st;
}

lrfa_status lrfa_fa_prediction_from(const lrfa_problem *P, const lrfa_dense *BY, double *pred, int64_t *rank,
                                    lrfa_error *err)
{
    lrfa_dense *X = lrfa_dense_copy(BY, err);
    lrfa_status st;
    *pred = NAN;
    if (rank) *rank = 0;
    if (!X) return lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the FA prediction");
    st = lrfa_fa_prediction_over(P, X, NULL, pred, rank, err);
    lrfa_dense_free(X);
    return st;
}

lrfa_status lrfa_fa_prediction(const lrfa_problem *P, const lrfa_dense *B, double *pred, lrfa_error *err)
{
    lrfa_dense *BY = lrfa_dense_alloc(B->rows, P->m, err);
    lrfa_status st;
    *pred = NAN;
    if (!BY) return lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the FA prediction");
    lrfa_y_left_mul(P->Y, B->data, B->rows, BY->data);
    st = lrfa_fa_prediction_from(P, BY, pred, NULL, err);
    lrfa_dense_free(BY);
    return st;
}
