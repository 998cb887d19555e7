/* lrfa/matrix.h: dense column-major and sparse compressed-column matrices.
 *
 * Sizes and indices are 64-bit (int64_t) and 0-based. Every allocating
 * function returns NULL (and fills err) on failure; every _free accepts NULL.
 * The caller owns what an _alloc or _new returns.
 */
#ifndef LRFA_MATRIX_H
#define LRFA_MATRIX_H

#include <stdint.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Dense matrix, column-major: entry (i, j) is data[i + j * rows]. */
typedef struct lrfa_dense {
    int64_t rows;  /* number of rows, >= 0 */
    int64_t cols;  /* number of columns, >= 0 */
    double *data;  /* rows x cols, column-major; NULL when rows * cols == 0 */
} lrfa_dense;

/* Sparse matrix in compressed-column form. Row indices are sorted and
 * unique within each column; explicit zeros are allowed and kept. */
typedef struct lrfa_sparse {
    int64_t rows;     /* number of rows, >= 0 */
    int64_t cols;     /* number of columns, >= 0 */
    int64_t nnz;      /* stored entries, colptr[cols] */
    int64_t *colptr;  /* column pointers (size cols + 1) */
    int64_t *rowidx;  /* row index of each stored entry (size nnz) */
    double *values;   /* value of each stored entry (size nnz) */
} lrfa_sparse;

typedef enum lrfa_storage {
    LRFA_STORAGE_DENSE = 0,
    LRFA_STORAGE_SPARSE = 1
} lrfa_storage;

/* A matrix that is either dense or sparse. Exactly one of dense and sparse is
 * non-NULL, as storage says; the lrfa_matrix owns it. */
typedef struct lrfa_matrix {
    lrfa_storage storage;
    int64_t rows;
    int64_t cols;
    lrfa_dense *dense;    /* when storage == LRFA_STORAGE_DENSE */
    lrfa_sparse *sparse;  /* when storage == LRFA_STORAGE_SPARSE */
} lrfa_matrix;

/* ---- dense ---- */

/* A rows x cols dense matrix of zeros. */
lrfa_dense *lrfa_dense_alloc(int64_t rows, int64_t cols, lrfa_error *err);
void lrfa_dense_free(lrfa_dense *A);
/* A deep copy of A. */
lrfa_dense *lrfa_dense_copy(const lrfa_dense *A, lrfa_error *err);
/* A^T as a new dense matrix. */
lrfa_dense *lrfa_dense_transpose(const lrfa_dense *A, lrfa_error *err);

static inline double lrfa_dense_get(const lrfa_dense *A, int64_t i, int64_t j)
{
    return A->data[i + j * A->rows];
}

static inline void lrfa_dense_set(lrfa_dense *A, int64_t i, int64_t j, double v)
{
    A->data[i + j * A->rows] = v;
}

/* ---- sparse ---- */

/* An empty rows x cols sparse matrix with room for nzmax entries; colptr is
 * all zeros, so it is a valid matrix with no entries. */
lrfa_sparse *lrfa_sparse_alloc(int64_t rows, int64_t cols, int64_t nzmax,
                               lrfa_error *err);
void lrfa_sparse_free(lrfa_sparse *A);

/* Builds a compressed-column matrix from nz triplets (ti[k], tj[k], tx[k]),
 * 0-based. Entries with the same (i, j) are summed; explicit zeros are kept.
 * Indices must already be in range (checked; LRFA_EINPUT otherwise). */
lrfa_sparse *lrfa_sparse_from_triplets(int64_t rows, int64_t cols, int64_t nz,
                                       const int64_t *ti, const int64_t *tj,
                                       const double *tx, lrfa_error *err);

/* Entry (i, j): the stored value, or 0 when (i, j) is not stored.
 * Binary search within column j: O(log(entries in column j)). */
double lrfa_sparse_get(const lrfa_sparse *A, int64_t i, int64_t j);

/* A as a dense matrix. Refuses (LRFA_ENOMEM) when rows * cols doubles would
 * not fit in memory. */
lrfa_dense *lrfa_sparse_to_dense(const lrfa_sparse *A, lrfa_error *err);

/* A^T as a new compressed-column matrix. */
lrfa_sparse *lrfa_sparse_transpose(const lrfa_sparse *A, lrfa_error *err);

/* ---- either ---- */

/* Wraps an existing dense or sparse matrix (takes ownership). Returns NULL
 * only when the small wrapper cannot be allocated; then the argument is
 * freed too, so the caller never leaks it. */
lrfa_matrix *lrfa_matrix_wrap_dense(lrfa_dense *A, lrfa_error *err);
lrfa_matrix *lrfa_matrix_wrap_sparse(lrfa_sparse *A, lrfa_error *err);
void lrfa_matrix_free(lrfa_matrix *M);

/* Entry (i, j) of either storage. */
double lrfa_matrix_get(const lrfa_matrix *M, int64_t i, int64_t j);

/* Stored entries: rows * cols for dense, nnz for sparse. */
int64_t lrfa_matrix_stored(const lrfa_matrix *M);

/* A dense copy of M (a copy even when M is dense). */
lrfa_dense *lrfa_matrix_to_dense(const lrfa_matrix *M, lrfa_error *err);

/* M^T, in the same storage. */
lrfa_matrix *lrfa_matrix_transpose(const lrfa_matrix *M, lrfa_error *err);

/* ||M||_F, computed with scaling so that it neither overflows nor underflows
 * for any finite entries. */
double lrfa_matrix_fro_norm(const lrfa_matrix *M);

/* ||x||_2 of a vector of n doubles, overflow- and underflow-safe. */
double lrfa_vec_norm(const double *x, int64_t n);

/* Whether rows * cols doubles (plus extra bytes) can be held in this
 * machine's physical memory. Overflow-safe. */
int lrfa_fits_in_memory(int64_t rows, int64_t cols, int64_t extra_bytes);

#ifdef __cplusplus
}
#endif
#endif
