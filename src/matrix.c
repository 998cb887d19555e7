/* matrix.c: the dense-or-sparse matrix wrapper and norms. */
#include <math.h>
#include <stdint.h>
#include "lrfa/matrix.h"
#include "internal.h"

static lrfa_matrix *wrap(lrfa_storage storage, int64_t rows, int64_t cols,
                         lrfa_dense *D, lrfa_sparse *S, lrfa_error *err)
{
    lrfa_matrix *M = lrfa_alloc(sizeof *M);
    if (!M) {
        lrfa_dense_free(D);
        lrfa_sparse_free(S);
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory");
        return NULL;
    }
    M->storage = storage;
    M->rows = rows;
    M->cols = cols;
    M->dense = D;
    M->sparse = S;
    return M;
}

lrfa_matrix *lrfa_matrix_wrap_dense(lrfa_dense *A, lrfa_error *err)
{
    return wrap(LRFA_STORAGE_DENSE, A->rows, A->cols, A, NULL, err);
}

lrfa_matrix *lrfa_matrix_wrap_sparse(lrfa_sparse *A, lrfa_error *err)
{
    return wrap(LRFA_STORAGE_SPARSE, A->rows, A->cols, NULL, A, err);
}

void lrfa_matrix_free(lrfa_matrix *M)
{
    if (!M) return;
    lrfa_dense_free(M->dense);
    lrfa_sparse_free(M->sparse);
    lrfa_dealloc(M);
}

double lrfa_matrix_get(const lrfa_matrix *M, int64_t i, int64_t j)
{
    return M->storage == LRFA_STORAGE_DENSE ? lrfa_dense_get(M->dense, i, j)
                                            : lrfa_sparse_get(M->sparse, i, j);
}

int64_t lrfa_matrix_stored(const lrfa_matrix *M)
{
    return M->storage == LRFA_STORAGE_DENSE ? M->rows * M->cols : M->sparse->nnz;
}

lrfa_dense *lrfa_matrix_to_dense(const lrfa_matrix *M, lrfa_error *err)
{
    return M->storage == LRFA_STORAGE_DENSE ? lrfa_dense_copy(M->dense, err)
                                            : lrfa_sparse_to_dense(M->sparse, err);
}

lrfa_matrix *lrfa_matrix_transpose(const lrfa_matrix *M, lrfa_error *err)
{
    if (M->storage == LRFA_STORAGE_DENSE) {
        lrfa_dense *T = lrfa_dense_transpose(M->dense, err);
        return T ? lrfa_matrix_wrap_dense(T, err) : NULL;
    } else {
        lrfa_sparse *T = lrfa_sparse_transpose(M->sparse, err);
        return T ? lrfa_matrix_wrap_sparse(T, err) : NULL;
    }
}

/* ||x||_2 in two passes: the largest magnitude, then the sum of squares,
 * scaled by it only when a plain sum could overflow or underflow. */
double lrfa_vec_norm(const double *x, int64_t n)
{
    double amax = 0.0, s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int e;
    int64_t i;
    for (i = 0; i < n; i++) {
        double a = fabs(x[i]);
        if (a > amax) amax = a;
    }
    if (amax == 0.0 || !isfinite(amax)) return amax;
    if (amax > 1e-140 && amax < 1e140 && (double)n < 1e20) {
        for (i = 0; i + 4 <= n; i += 4) {
            s0 += x[i] * x[i];
            s1 += x[i + 1] * x[i + 1];
            s2 += x[i + 2] * x[i + 2];
            s3 += x[i + 3] * x[i + 3];
        }
        for (; i < n; i++) s0 += x[i] * x[i];
        return sqrt((s0 + s1) + (s2 + s3));
    }
    /* scale by the power of two nearest amax: exact, and safe for subnormals */
    (void)frexp(amax, &e);
    for (i = 0; i < n; i++) {
        double v = ldexp(x[i], -e);
        s0 += v * v;
    }
    return ldexp(sqrt(s0), e);
}

void lrfa_norm_merge(double *scale, double *ssq, double b)
{
    if (!(b > 0.0)) return;
    if (b > *scale) {
        *ssq = 1.0 + *ssq * (*scale / b) * (*scale / b);
        *scale = b;
    } else {
        *ssq += (b / *scale) * (b / *scale);
    }
}

double lrfa_blocked_norm(int64_t n, int64_t m, lrfa_block_fn fill, void *ctx)
{
    int64_t block = n > 0 ? (int64_t)(1 << 20) / n : m, j0, jb;
    double *R, scale = 0.0, ssq = 1.0;
    if (n == 0 || m == 0) return 0.0;
    if (block < 1) block = 1;
    if (block > m) block = m;
    R = lrfa_alloc_array(n * block, sizeof(double));
    if (!R) return NAN;
    for (j0 = 0; j0 < m; j0 += block) {
        jb = j0 + block <= m ? block : m - j0;
        fill(R, j0, jb, ctx);
        lrfa_norm_merge(&scale, &ssq, lrfa_vec_norm(R, n * jb));
    }
    lrfa_dealloc(R);
    return scale * sqrt(ssq);
}

double lrfa_matrix_fro_norm(const lrfa_matrix *M)
{
    if (M->storage == LRFA_STORAGE_DENSE)
        return lrfa_vec_norm(M->dense->data, M->rows * M->cols);
    return lrfa_vec_norm(M->sparse->values, M->sparse->nnz);
}

int lrfa_fits_in_memory(int64_t rows, int64_t cols, int64_t extra_bytes)
{
    uint64_t mem = lrfa_memory_budget(), bytes;
    if (rows < 0 || cols < 0 || extra_bytes < 0) return 0;
    if (rows == 0 || cols == 0) return 1;
    if ((uint64_t)rows > UINT64_MAX / 8 / (uint64_t)cols) return 0;
    bytes = (uint64_t)rows * (uint64_t)cols * 8;
    if (bytes > UINT64_MAX - (uint64_t)extra_bytes) return 0;
    bytes += (uint64_t)extra_bytes;
    if (mem == 0) mem = (uint64_t)1 << 40;
    return bytes <= mem;
}
