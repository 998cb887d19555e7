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

/* Replaces A (rows >= cols) by R of its QR factorization A = Q R: R in
 * the upper triangle of the first cols rows, zeros elsewhere (dgeqrf; the
 * signs of R's rows are LAPACK's). */
lrfa_status lrfa_qr_r(lrfa_dense *A, lrfa_error *err);

/* Thin SVD A = U diag(s) V^T: s (size k = min(rows, cols)) descending, and,
 * when U and V are non-NULL, the leading kv <= k singular vectors into U
 * (rows x kv) and V (cols x kv). A is overwritten (dgesdd, jobz = 'S'). */
lrfa_status lrfa_svd(lrfa_dense *A, double *s, lrfa_dense *U, lrfa_dense *V, lrfa_error *err);

/* Thin SVD of A (rows < cols) = U diag(s) V^T keeping only V: s (size
 * rows) descending, and A overwritten by V^T (rows x cols), its row i the
 * i-th right singular vector (dgesdd, jobz = 'O'): no second rows x cols
 * array. */
lrfa_status lrfa_svd_rows(lrfa_dense *A, double *s, lrfa_error *err);

/* Eigenvalues of the symmetric n x n matrix A (ascending) into w (size n),
 * from its lower triangle. A is overwritten (dsyev, jobz = 'N'). */
lrfa_status lrfa_sym_eigvals(lrfa_dense *A, double *w, lrfa_error *err);

/* Solves A X = B for X (A n x n, B n x k) by LU with partial pivoting; A and
 * B are overwritten (B by X). LRFA_ENUMERIC when A is exactly singular. */
lrfa_status lrfa_solve(lrfa_dense *A, lrfa_dense *B, lrfa_error *err);

/* How the last round of a Lanczos run settled that the k values returned
 * are the k leading ones (no copy of a repeated value missed). */
typedef enum lrfa_lanczos_check {
    LRFA_CHECK_NONE = 0,      /* not settled: the product budget ran out */
    LRFA_CHECK_EXACT = 1,     /* the basis spans the whole space: every value is known */
    LRFA_CHECK_BOUND = 2,     /* a value above s_k that the k miss has probability below
                                 1e-10 (Kuczynski and Wozniakowski's bound) */
    LRFA_CHECK_CONVERGED = 3  /* the leading value of the deflated matrix converged
                                 (residual <= tol s_1) at or below s_k */
} lrfa_lanczos_check;

/* What a Lanczos run did. */
typedef struct lrfa_lanczos_info {
    int64_t steps;       /* vectors in the basis at the end (locked and active) */
    int64_t products;    /* products of A or A^T with a vector */
    int64_t restarts;    /* thick restarts */
    int64_t converged;   /* k when every value met the tolerance, else 0 */
    double residual;     /* largest explicit residual of the k triplets,
                            sqrt((||A v - s u||^2 + ||A^T u - s v||^2) / 2), over s_1 */
    double error_bound;  /* ||R||_F over s_1 for the k triplets: A has k singular
                            values within error_bound * s_1 of the k returned
                            (Kahan's theorem); with check set, the k leading ones */
    lrfa_lanczos_check check; /* how the k were shown to be the leading ones */
    double next_value;   /* the largest value the last round found outside the k
                            (about s_{k+1}; 0 when the space was exhausted first) */
    int64_t missed;      /* values found by the later rounds that the first missed */
    int64_t block;       /* the block size at the end */
    int64_t rounds;      /* rounds: the first, then one per search for missed values */
} lrfa_lanczos_info;

/* "none", "exact", "bound", "converged" */
const char *lrfa_lanczos_check_name(lrfa_lanczos_check c);

/* How a Lanczos run goes; lrfa_lanczos_options_default fills the defaults. */
typedef struct lrfa_lanczos_options {
    double tol;           /* a value is converged when its residual is <= tol * s_1 (1e-12) */
    uint64_t seed;        /* the start block comes from stream 20 of this seed (1) */
    int64_t block;        /* vectors per block at the start, 0: 2 */
    int64_t max_products; /* stop after this many products, settled or not,
                             0: the smaller of 20 min(rows, cols) + 1000 and
                             1000 (k + 20) */
} lrfa_lanczos_options;

void lrfa_lanczos_options_default(lrfa_lanczos_options *opt);

/* The k leading singular values of A (dense or sparse; never densified)
 * into s (size k, descending), and the leading kv <= k singular vectors
 * into U (rows x kv) and V (cols x kv), either of which may be NULL:
 * block Golub-Kahan-Lanczos with full reorthogonalization, thick restarts,
 * locking, and rounds from fresh random blocks that look for copies of
 * repeated values the earlier rounds missed (lanczos.c says how each
 * stopping rule bounds the error). info (may be NULL) says how it went,
 * including whether it converged within opt->max_products. */
lrfa_status lrfa_svd_lanczos_with(const lrfa_matrix *A, int64_t k, const lrfa_lanczos_options *opt, double *s,
                                  lrfa_dense *U, lrfa_dense *V, lrfa_lanczos_info *info, lrfa_error *err);

/* lrfa_svd_lanczos_with with the default options but tol (<= 0: 1e-12) and seed. */
lrfa_status lrfa_svd_lanczos(const lrfa_matrix *A, int64_t k, double tol, uint64_t seed, double *s, lrfa_dense *U,
                             lrfa_dense *V, lrfa_lanczos_info *info, lrfa_error *err);

#ifdef __cplusplus
}
#endif
#endif
