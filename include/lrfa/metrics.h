/* lrfa/metrics.h: the figures lrfa reports about factors and subspaces. */
#ifndef LRFA_METRICS_H
#define LRFA_METRICS_H

#include <stdint.h>
#include "matrix.h"
#include "comm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An orthonormal basis (rows x k) of the column space of A (rows x k,
 * rows >= k), by thin QR. When trans is set, of the column space of A^T
 * (the row space of A, A k x cols, giving cols x k). A is not modified.
 * Assumes full rank (generic factors are). */
lrfa_dense *lrfa_orth_basis(const lrfa_dense *A, int trans, lrfa_error *err);

/* Subspace overlap of orthonormal bases Q1 (d x k1) and Q2 (d x k2):
 * ||Q1^T Q2||_F^2 / min(k1, k2), in [0, 1]: 1 when one subspace contains the
 * other, 0 when they are orthogonal. When cosines is non-NULL it receives the
 * min(k1, k2) cosines of the principal angles, descending (the singular
 * values of Q1^T Q2). Returns NaN on failure (allocation or LAPACK). */
double lrfa_subspace_overlap(const lrfa_dense *Q1, const lrfa_dense *Q2, double *cosines);

/* Overlap of two subspaces given by spanning matrices: col(A) with col(C),
 * with trans_a / trans_c selecting row spaces instead. */
double lrfa_span_overlap(const lrfa_dense *A, int trans_a, const lrfa_dense *C, int trans_c,
                         double *cosines);

/* An orthonormal basis of the k-dimensional subspace that best represents
 * col(A) (trans 0: its leading k left singular vectors, rows x k) or row(A)
 * (trans 1: the leading right ones, cols x k), 1 <= k <= min(rows, cols):
 * rank-revealing, so it suits a rank-deficient A. NULL on failure. */
lrfa_dense *lrfa_lead_basis(const lrfa_dense *A, int trans, int64_t k, lrfa_error *err);

/* Overlap of col(A) (trans 0) or row(A) (trans 1), taken as a k-dimensional
 * subspace, with the orthonormal basis Q (dim x k), used as it is. When A
 * has exactly k columns (rows), through the R of its QR formed by blocks
 * of rows, ||R^{-T} A^T Q||_F^2 / k, with no copy of A (NaN when A has
 * rank below k); else through lrfa_lead_basis. NaN on failure. */
double lrfa_span_overlap_k(const lrfa_dense *A, int trans, int64_t k, const lrfa_dense *Q);

/* cos angle between Z^T and B: trace(B Z) / (||B||_F ||Z||_F), B r x n,
 * Z n x r. */
double lrfa_align_zb(const lrfa_dense *B, const lrfa_dense *Z);

/* Smallest eigenvalue of sym(B Z) = (B Z + Z^T B^T) / 2 over its largest
 * absolute eigenvalue: >= 0 exactly when sym(B Z) is positive semidefinite.
 * BZ is the r x r product B Z. NaN on failure. */
double lrfa_align_min_eig(const lrfa_dense *BZ);

/* ||Z1 W1 - Z2 W2||_F (Z n x r1, W r1 x m; the ranks may differ), streamed
 * by blocks of columns: exact, with O(n * block) memory. NaN when out of
 * memory. */
double lrfa_product_diff(const lrfa_dense *Z1, const lrfa_dense *W1, const lrfa_dense *Z2, const lrfa_dense *W2);

/* cos angle between two arrays of n numbers: <a, b> / (||a|| ||b||). */
double lrfa_cosine(const double *a, const double *b, int64_t n);

/* ---- factors whose rows are split between processes (lrfa/comm.h) ---- */

/* The overlap of the leading k-dimensional subspaces of col(A) and col(C)
 * (A n x da, C n x dc, k <= da, dc), each process holding its rows of
 * both (comm NULL: one process, as lrfa_span_overlap / lrfa_lead_basis),
 * with the k cosines of the principal angles into cosines when non-NULL.
 * Across processes through R of each matrix's QR (the stacked R of the
 * blocks): Q_A^T Q_C = S_A^{-1} V_A^T (A^T C) V_C S_C^{-1}. NaN when
 * either has fewer than k directions. */
double lrfa_span_overlap_split(const lrfa_comm *comm, const lrfa_dense *A, const lrfa_dense *C, int64_t k,
                               double *cosines);

/* lrfa_product_diff with Z1 and Z2's rows split between the processes. */
double lrfa_product_diff_split(const lrfa_comm *comm, const lrfa_dense *Z1, const lrfa_dense *W1,
                               const lrfa_dense *Z2, const lrfa_dense *W2);

#ifdef __cplusplus
}
#endif
#endif
