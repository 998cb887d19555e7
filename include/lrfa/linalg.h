/* lrfa/linalg.h: the LAPACK routines lrfa uses, each wrapped once.
 *
 * Each wrapper checks that sizes fit LAPACK's integer type, queries and
 * allocates workspace, calls the routine and maps its info to a status. */
#ifndef LRFA_LINALG_H
#define LRFA_LINALG_H

#include <stdint.h>
#include "matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Singular values of A (rows x cols, column-major) in descending order, into
 * s (size min(rows, cols)). A is overwritten (dgesdd, jobz = 'N'). */
lrfa_status lrfa_svd_values(lrfa_dense *A, double *s, lrfa_error *err);

/* Replaces A (n x k, n >= k) by the Q factor of its thin QR factorization,
 * with the signs chosen so that R has a non-negative diagonal; this makes Q
 * unique and, for Gaussian A, Haar-distributed (dgeqrf + dorgqr). */
lrfa_status lrfa_qr_orthonormal(lrfa_dense *A, lrfa_error *err);

/* Thin SVD A = U diag(s) V^T: s (size k = min(rows, cols)) descending, and,
 * when U and V are non-NULL, the leading kv <= k singular vectors into U
 * (rows x kv) and V (cols x kv). A is overwritten (dgesdd, jobz = 'S'). */
lrfa_status lrfa_svd(lrfa_dense *A, double *s, lrfa_dense *U, lrfa_dense *V, lrfa_error *err);

/* Eigenvalues of the symmetric n x n matrix A (ascending) into w (size n),
 * from its lower triangle. A is overwritten (dsyev, jobz = 'N'). */
lrfa_status lrfa_sym_eigvals(lrfa_dense *A, double *w, lrfa_error *err);

/* Solves A X = B for X (A n x n, B n x k) by LU with partial pivoting; A and
 * B are overwritten (B by X). LRFA_ENUMERIC when A is exactly singular. */
lrfa_status lrfa_solve(lrfa_dense *A, lrfa_dense *B, lrfa_error *err);

/* What a Lanczos run did. */
typedef struct lrfa_lanczos_info {
    int64_t steps;       /* dimension of the Krylov space at the end */
    int64_t products;    /* products with A (and as many with A^T) */
    int64_t restarts;    /* thick restarts */
    int64_t converged;   /* leading values whose residual met the tolerance */
    double residual;     /* largest residual of the k values, over s_1 */
} lrfa_lanczos_info;

/* The k leading singular values of A (dense or sparse; never densified)
 * into s (size k), and when U, V are non-NULL the leading U->cols singular
 * vectors into U (rows x kv) and V (cols x kv), kv <= k: Golub-Kahan-Lanczos
 * with full reorthogonalization and thick restarts (at most 3k + 40 basis
 * vectors a side, within a quarter of the memory), until each of the k
 * values has residual ||A^T u - s v|| <= tol s_1 (tol <= 0: 1e-12) or the
 * space is exhausted. The start vector comes from stream 20 of seed. info
 * (may be NULL) says how it went. */
lrfa_status lrfa_svd_lanczos(const lrfa_matrix *A, int64_t k, double tol, uint64_t seed, double *s, lrfa_dense *U,
                             lrfa_dense *V, lrfa_lanczos_info *info, lrfa_error *err);

#ifdef __cplusplus
}
#endif
#endif
