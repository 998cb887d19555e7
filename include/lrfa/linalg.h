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

#ifdef __cplusplus
}
#endif
#endif
