/* reference.c: the naive iteration (forming E) and the FA prediction. */
#include <cblas.h>
#include <math.h>
#include <string.h>
#include "lrfa/metrics.h"
#include "lrfa/solver.h"
#include "internal.h"
#include "yops.h"

/* E = Z W - Y; GZ = E W^T; GW = Z^T E (GD) or B E (FA); Z -= eta GZ;
 * W -= eta GW. Plain loops, no Gram identities. */
lrfa_status lrfa_step_naive(const lrfa_dense *Y, lrfa_dense *Z, lrfa_dense *W, const lrfa_dense *B,
                            double eta, lrfa_algo algo, lrfa_error *err)
{
    int64_t n = Y->rows, m = Y->cols, r = Z->cols, i, j, k;
    double *E = lrfa_alloc_array(n * m, sizeof(double));
    double *GZ = lrfa_calloc_array(n * r, sizeof(double));
    double *GW = lrfa_calloc_array(r * m, sizeof(double));
    lrfa_status st = LRFA_OK;
    if (!E || !GZ || !GW) {
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the naive step");
        goto done;
    }
    if (algo == LRFA_ALGO_FA && !B) {
        st = lrfa_fail(err, LRFA_EINPUT, 0, "FA needs a feedback matrix B");
        goto done;
    }
    for (j = 0; j < m; j++)
        for (i = 0; i < n; i++) {
            double v = -Y->data[i + j * n];
            for (k = 0; k < r; k++) v += Z->data[i + k * n] * W->data[k + j * r];
            E[i + j * n] = v;
        }
    for (k = 0; k < r; k++)
        for (j = 0; j < m; j++)
            for (i = 0; i < n; i++) GZ[i + k * n] += E[i + j * n] * W->data[k + j * r];
    for (j = 0; j < m; j++)
        for (k = 0; k < r; k++) {
            double v = 0.0;
            for (i = 0; i < n; i++)
                v += (algo == LRFA_ALGO_FA ? B->data[k + i * r] : Z->data[i + k * n]) * E[i + j * n];
            GW[k + j * r] = v;
        }
    for (i = 0; i < n * r; i++) Z->data[i] -= eta * GZ[i];
    for (i = 0; i < r * m; i++) W->data[i] -= eta * GW[i];
done:
    lrfa_dealloc(E);
    lrfa_dealloc(GZ);
    lrfa_dealloc(GW);
    return st;
}

/* Q = orthonormal basis of (B Y)^T (m x r); fa_pred = ||Y - (Y Q) Q^T||_F,
 * streamed exactly when affordable, else sqrt(||Y||^2 - ||Y Q||^2). BY is
 * B Y (r x m), already computed by the caller. */
lrfa_status lrfa_fa_prediction_from(const lrfa_problem *P, const lrfa_dense *BY, double *pred, lrfa_error *err)
{
    int64_t n = P->n, m = P->m, r = BY->rows;
    lrfa_dense *Q = NULL, *Qt = NULL, *YQ = NULL;
    double *work = NULL;
    lrfa_status st = LRFA_OK;
    *pred = NAN;
    if (r > m) {
        *pred = 0.0;
        return LRFA_OK;
    }
    Q = lrfa_orth_basis(BY, 1, err);
    if (!Q) return err ? err->status : LRFA_ENOMEM;
    Qt = lrfa_dense_transpose(Q, err);
    YQ = lrfa_dense_alloc(n, r, err);
    work = lrfa_alloc_array(r * n, sizeof(double));
    if (!Qt || !YQ || !work) {
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the FA prediction");
        goto done;
    }
    lrfa_y_mul_wt(P->Y, P->Yt, Qt->data, r, YQ->data, work);
    if (lrfa_y_exact_affordable(P->Y, r)) {
        *pred = lrfa_y_residual_norm(P->Y, YQ->data, Qt->data, r);
    } else {
        double a = lrfa_vec_norm(YQ->data, n * r);
        *pred = sqrt(fmax((P->fro - a) * (P->fro + a), 0.0));
    }
    if (isnan(*pred)) st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the FA prediction");
done:
    lrfa_dense_free(Q);
    lrfa_dense_free(Qt);
    lrfa_dense_free(YQ);
    lrfa_dealloc(work);
    return st;
}

lrfa_status lrfa_fa_prediction(const lrfa_problem *P, const lrfa_dense *B, double *pred, lrfa_error *err)
{
    lrfa_dense *BY = lrfa_dense_alloc(B->rows, P->m, err);
    lrfa_status st;
    *pred = NAN;
    if (!BY) return lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the FA prediction");
    lrfa_y_left_mul(P->Y, B->data, B->rows, BY->data);
    st = lrfa_fa_prediction_from(P, BY, pred, err);
    lrfa_dense_free(BY);
    return st;
}
