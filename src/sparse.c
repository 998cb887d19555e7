/* sparse.c: compressed-column sparse matrices. */
#include <string.h>
#include "lrfa/matrix.h"
#include "internal.h"

lrfa_sparse *lrfa_sparse_alloc(int64_t rows, int64_t cols, int64_t nzmax,
                               lrfa_error *err)
{
    lrfa_sparse *A;
    if (rows < 0 || cols < 0 || nzmax < 0) {
        lrfa_fail(err, LRFA_EINPUT, 0, "negative sparse matrix size");
        return NULL;
    }
    A = lrfa_alloc(sizeof *A);
    if (!A) goto nomem;
    A->rows = rows;
    A->cols = cols;
    A->nnz = 0;
    A->colptr = lrfa_calloc_array(cols + 1, sizeof(int64_t));
    A->rowidx = lrfa_alloc_array(nzmax, sizeof(int64_t));
    A->values = lrfa_alloc_array(nzmax, sizeof(double));
    if (!A->colptr || !A->rowidx || !A->values) {
        lrfa_sparse_free(A);
        goto nomem;
    }
    return A;
nomem:
    lrfa_fail(err, LRFA_ENOMEM, 0,
              "out of memory for a %lld x %lld sparse matrix with %lld entries",
              (long long)rows, (long long)cols, (long long)nzmax);
    return NULL;
}

void lrfa_sparse_free(lrfa_sparse *A)
{
    if (!A) return;
    lrfa_dealloc(A->colptr);
    lrfa_dealloc(A->rowidx);
    lrfa_dealloc(A->values);
    lrfa_dealloc(A);
}

/* Triplets -> compressed columns with sorted, summed duplicates.
 * Two counting-sort passes: first by row into a row-major scratch (stable in
 * input order), then by column, which leaves each column's rows ascending;
 * equal (i, j) are then adjacent and are summed in place. O(nz + rows + cols). */
lrfa_sparse *lrfa_sparse_from_triplets(int64_t rows, int64_t cols, int64_t nz,
                                       const int64_t *ti, const int64_t *tj,
                                       const double *tx, lrfa_error *err)
{
    lrfa_sparse *A = NULL;
    int64_t *rowptr = NULL, *rj = NULL, *w = NULL;
    double *rx = NULL;
    int64_t k, i, j, p, q, out;

    for (k = 0; k < nz; k++)
        if (ti[k] < 0 || ti[k] >= rows || tj[k] < 0 || tj[k] >= cols) {
            lrfa_fail(err, LRFA_EINPUT, 0, "triplet %lld: index (%lld, %lld) outside %lld x %lld",
                      (long long)k, (long long)ti[k], (long long)tj[k],
                      (long long)rows, (long long)cols);
            return NULL;
        }
    A = lrfa_sparse_alloc(rows, cols, nz, err);
    rowptr = lrfa_calloc_array(rows + 1, sizeof(int64_t));
    w = lrfa_alloc_array((rows > cols ? rows : cols) + 1, sizeof(int64_t));
    rj = lrfa_alloc_array(nz, sizeof(int64_t));
    rx = lrfa_alloc_array(nz, sizeof(double));
    if (!A || !rowptr || !w || !rj || !rx) {
        if (A) lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory building a sparse matrix of %lld entries",
                         (long long)nz);
        lrfa_sparse_free(A);
        A = NULL;
        goto done;
    }
    /* pass 1: bucket by row */
    for (k = 0; k < nz; k++) rowptr[ti[k] + 1]++;
    for (i = 0; i < rows; i++) rowptr[i + 1] += rowptr[i];
    memcpy(w, rowptr, (size_t)rows * sizeof(int64_t));
    for (k = 0; k < nz; k++) {
        p = w[ti[k]]++;
        rj[p] = tj[k];
        rx[p] = tx[k];
    }
    /* pass 2: bucket by column, visiting rows in order */
    for (p = 0; p < nz; p++) A->colptr[rj[p] + 1]++;
    for (j = 0; j < cols; j++) A->colptr[j + 1] += A->colptr[j];
    memcpy(w, A->colptr, (size_t)cols * sizeof(int64_t));
    for (i = 0; i < rows; i++)
        for (p = rowptr[i]; p < rowptr[i + 1]; p++) {
            q = w[rj[p]]++;
            A->rowidx[q] = i;
            A->values[q] = rx[p];
        }
    /* sum duplicates, compacting in place */
    out = 0;
    for (j = 0; j < cols; j++) {
        int64_t start = out;
        for (p = A->colptr[j]; p < A->colptr[j + 1]; p++) {
            if (out > start && A->rowidx[out - 1] == A->rowidx[p]) {
                A->values[out - 1] += A->values[p];
            } else {
                A->rowidx[out] = A->rowidx[p];
                A->values[out] = A->values[p];
                out++;
            }
        }
        A->colptr[j] = start;
    }
    A->colptr[cols] = out;
    A->nnz = out;
done:
    lrfa_dealloc(rowptr);
    lrfa_dealloc(w);
    lrfa_dealloc(rj);
    lrfa_dealloc(rx);
    return A;
}

double lrfa_sparse_get(const lrfa_sparse *A, int64_t i, int64_t j)
{
    int64_t lo = A->colptr[j], hi = A->colptr[j + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (A->rowidx[mid] < i) lo = mid + 1;
        else hi = mid;
    }
    return (lo < A->colptr[j + 1] && A->rowidx[lo] == i) ? A->values[lo] : 0.0;
}

lrfa_dense *lrfa_sparse_to_dense(const lrfa_sparse *A, lrfa_error *err)
{
    int64_t j, p;
    lrfa_dense *D = lrfa_dense_alloc(A->rows, A->cols, err);
    if (!D) return NULL;
    for (j = 0; j < A->cols; j++)
        for (p = A->colptr[j]; p < A->colptr[j + 1]; p++)
            D->data[A->rowidx[p] + j * A->rows] += A->values[p];
    return D;
}

/* C = A^T: count entries per row of A, then scatter column by column, which
 * keeps row indices of C sorted. */
lrfa_sparse *lrfa_sparse_transpose(const lrfa_sparse *A, lrfa_error *err)
{
    int64_t i, j, p, q;
    int64_t *w;
    lrfa_sparse *C = lrfa_sparse_alloc(A->cols, A->rows, A->nnz, err);
    if (!C) return NULL;
    w = lrfa_alloc_array(A->rows + 1, sizeof(int64_t));
    if (!w) {
        lrfa_sparse_free(C);
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory transposing a sparse matrix");
        return NULL;
    }
    for (p = 0; p < A->nnz; p++) C->colptr[A->rowidx[p] + 1]++;
    for (i = 0; i < A->rows; i++) C->colptr[i + 1] += C->colptr[i];
    memcpy(w, C->colptr, (size_t)A->rows * sizeof(int64_t));
    for (j = 0; j < A->cols; j++)
        for (p = A->colptr[j]; p < A->colptr[j + 1]; p++) {
            q = w[A->rowidx[p]]++;
            C->rowidx[q] = j;
            C->values[q] = A->values[p];
        }
    C->nnz = A->nnz;
    lrfa_dealloc(w);
    return C;
}
