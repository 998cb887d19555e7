/* dense.c: dense column-major matrices. */
#include <string.h>
#include "lrfa/matrix.h"
#include "internal.h"

lrfa_dense *lrfa_dense_alloc(int64_t rows, int64_t cols, lrfa_error *err)
{
    lrfa_dense *A;
    if (rows < 0 || cols < 0) {
        lrfa_fail(err, LRFA_EINPUT, 0, "negative matrix size %lld x %lld",
                  (long long)rows, (long long)cols);
        return NULL;
    }
    if (!lrfa_fits_in_memory(rows, cols, 0)) {
        lrfa_fail(err, LRFA_ENOMEM, 0,
                  "a dense %lld x %lld matrix does not fit in this machine's memory",
                  (long long)rows, (long long)cols);
        return NULL;
    }
    A = lrfa_alloc(sizeof *A);
    if (!A) goto nomem;
    A->rows = rows;
    A->cols = cols;
    A->data = NULL;
    if (rows > 0 && cols > 0) {
        A->data = lrfa_calloc_array(rows * cols, sizeof(double));
        if (!A->data) {
            lrfa_dealloc(A);
            goto nomem;
        }
    }
    return A;
nomem:
    lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for a %lld x %lld matrix",
              (long long)rows, (long long)cols);
    return NULL;
}

void lrfa_dense_free(lrfa_dense *A)
{
    if (!A) return;
    lrfa_dealloc(A->data);
    lrfa_dealloc(A);
}

lrfa_dense *lrfa_dense_copy(const lrfa_dense *A, lrfa_error *err)
{
    lrfa_dense *C = lrfa_dense_alloc(A->rows, A->cols, err);
    if (C && C->data) memcpy(C->data, A->data, (size_t)(A->rows * A->cols) * sizeof(double));
    return C;
}

/* C = A^T, blocked so both matrices are walked in cache-sized tiles. */
lrfa_dense *lrfa_dense_transpose(const lrfa_dense *A, lrfa_error *err)
{
    const int64_t nb = 32;
    int64_t m = A->rows, n = A->cols, i0, j0, i, j;
    lrfa_dense *C = lrfa_dense_alloc(n, m, err);
    if (!C) return NULL;
    for (j0 = 0; j0 < n; j0 += nb)
        for (i0 = 0; i0 < m; i0 += nb) {
            int64_t j1 = j0 + nb < n ? j0 + nb : n, i1 = i0 + nb < m ? i0 + nb : m;
            for (j = j0; j < j1; j++)
                for (i = i0; i < i1; i++) C->data[j + i * n] = A->data[i + j * m];
        }
    return C;
}
