/* yops.c: products with the target Y (dense through BLAS, sparse by
 * compressed columns). */
#include <cblas.h>
#include <math.h>
#include <string.h>
#include "yops.h"
#include "internal.h"

/* Dense: out = Y W^T with one dgemm. Sparse: T = W Y^T (r x n) by columns of
 * Y, T[:, i] += y_ij W[:, j], then out = T^T. */
void lrfa_y_mul_wt(const lrfa_matrix *Y, const double *W, int64_t r, double *out, double *work)
{
    int64_t n = Y->rows, m = Y->cols, i, j, p, k;
    if (Y->storage == LRFA_STORAGE_DENSE) {
        if (n == 0 || r == 0) return;
        if (m == 0) {
            memset(out, 0, sizeof(double) * (size_t)(n * r));
            return;
        }
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)r, (int)m, 1.0, Y->dense->data,
                    (int)n, W, (int)r, 0.0, out, (int)n);
        return;
    }
    {
        const lrfa_sparse *S = Y->sparse;
        memset(work, 0, sizeof(double) * (size_t)(n * r));
        for (j = 0; j < m; j++) {
            const double *wj = W + j * r;
            for (p = S->colptr[j]; p < S->colptr[j + 1]; p++) {
                double y = S->values[p];
                double *t = work + S->rowidx[p] * r;
                for (k = 0; k < r; k++) t[k] += y * wj[k];
            }
        }
        for (k = 0; k < r; k++)
            for (i = 0; i < n; i++) out[i + k * n] = work[k + i * r];
    }
}

/* Dense: out = A Y with one dgemm. Sparse: out[:, j] = sum_i y_ij A[:, i]. */
void lrfa_y_left_mul(const lrfa_matrix *Y, const double *A, int64_t r, double *out)
{
    int64_t n = Y->rows, m = Y->cols, j, p, k;
    if (Y->storage == LRFA_STORAGE_DENSE) {
        if (m == 0 || r == 0) return;
        if (n == 0) {
            memset(out, 0, sizeof(double) * (size_t)(r * m));
            return;
        }
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)m, (int)n, 1.0, A, (int)r,
                    Y->dense->data, (int)n, 0.0, out, (int)r);
        return;
    }
    {
        const lrfa_sparse *S = Y->sparse;
        for (j = 0; j < m; j++) {
            double *oj = out + j * r;
            for (k = 0; k < r; k++) oj[k] = 0.0;
            for (p = S->colptr[j]; p < S->colptr[j + 1]; p++) {
                double y = S->values[p];
                const double *a = A + S->rowidx[p] * r;
                for (k = 0; k < r; k++) oj[k] += y * a[k];
            }
        }
    }
}

void lrfa_y_zt_mul(const lrfa_matrix *Y, const double *Z, int64_t r, double *out, double *work)
{
    int64_t n = Y->rows, m = Y->cols, i, k;
    if (Y->storage == LRFA_STORAGE_DENSE) {
        if (m == 0 || r == 0) return;
        if (n == 0) {
            memset(out, 0, sizeof(double) * (size_t)(r * m));
            return;
        }
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)r, (int)m, (int)n, 1.0, Z, (int)n,
                    Y->dense->data, (int)n, 0.0, out, (int)r);
        return;
    }
    for (k = 0; k < r; k++)
        for (i = 0; i < n; i++) work[k + i * r] = Z[i + k * n];
    lrfa_y_left_mul(Y, work, r, out);
}

int lrfa_y_exact_affordable(const lrfa_matrix *Y, int64_t r)
{
    if (Y->storage == LRFA_STORAGE_DENSE) return 1;
    return (double)Y->rows * (double)Y->cols * (double)(r > 0 ? r : 1) <= 4e10;
}

/* For each block of columns J: R = Z W[:, J] - Y[:, J] (n x |J|), then
 * accumulate ||R||_F^2 in scaled form. */
double lrfa_y_residual_norm(const lrfa_matrix *Y, const double *Z, const double *W, int64_t r)
{
    int64_t n = Y->rows, m = Y->cols, j0, jb, j, p;
    int64_t block = n > 0 ? (int64_t)(1 << 20) / n : m;
    double *R, scale = 0.0, ssq = 1.0;
    if (n == 0 || m == 0) return 0.0;
    if (block < 1) block = 1;
    if (block > m) block = m;
    R = lrfa_alloc_array(n * block, sizeof(double));
    if (!R) return NAN;
    for (j0 = 0; j0 < m; j0 += block) {
        jb = j0 + block <= m ? block : m - j0;
        if (Y->storage == LRFA_STORAGE_DENSE) {
            memcpy(R, Y->dense->data + j0 * n, sizeof(double) * (size_t)(n * jb));
        } else {
            const lrfa_sparse *S = Y->sparse;
            memset(R, 0, sizeof(double) * (size_t)(n * jb));
            for (j = 0; j < jb; j++)
                for (p = S->colptr[j0 + j]; p < S->colptr[j0 + j + 1]; p++)
                    R[S->rowidx[p] + j * n] = S->values[p];
        }
        if (r > 0)
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)jb, (int)r, 1.0, Z, (int)n,
                        W + j0 * r, (int)r, -1.0, R, (int)n);
        else
            for (j = 0; j < n * jb; j++) R[j] = -R[j];
        lrfa_norm_merge(&scale, &ssq, lrfa_vec_norm(R, n * jb));
    }
    lrfa_dealloc(R);
    return scale * sqrt(ssq);
}
