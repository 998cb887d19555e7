/* yops.h: every product that reads the target Y, dense or sparse. The
 * solver touches Y only through these, so another storage (or a
 * distributed Y) needs only these functions. Internal. */
#ifndef LRFA_YOPS_H
#define LRFA_YOPS_H

#include "lrfa/matrix.h"

/* out (n x r) = Y W^T, W r x m. For a sparse Y, Yt is Y^T compressed
 * (Y by rows, required) and work holds r * n doubles; both are unused for a
 * dense Y. */
void lrfa_y_mul_wt(const lrfa_matrix *Y, const lrfa_sparse *Yt, const double *W, int64_t r, double *out,
                   double *work);

/* out (r x m) = A Y, A r x n. */
void lrfa_y_left_mul(const lrfa_matrix *Y, const double *A, int64_t r, double *out);

/* out (r x m) = Z^T Y, Z n x r. work: r * n doubles (sparse only). */
void lrfa_y_zt_mul(const lrfa_matrix *Y, const double *Z, int64_t r, double *out, double *work);

/* y = Y x (trans 0; x of length m, y of n) or y = Y^T x (trans 1). For a
 * sparse Y and trans 0, work holds (lrfa_threads() - 1) * n doubles for the
 * other threads' partial sums (NULL: one thread). */
void lrfa_y_mul_vec(const lrfa_matrix *Y, int trans, const double *x, double *y, double *work);

/* GD's products in one pass over a dense Y: YWt (n x r) = Y W^T and
 * ZtY (r x m) = Z^T Y, panel columns of Y at a time so each panel is read
 * from memory once; panels split between lrfa_threads() workers, each
 * calling a single-threaded BLAS (the caller sets that up), with
 * (workers - 1) n x r partial sums in `partial`. Returns 0 (doing nothing)
 * for a sparse Y. */
int lrfa_y_fused_gd(const lrfa_matrix *Y, const double *Z, const double *W, int64_t r, double *YWt, double *ZtY,
                    double *partial, int64_t panel);

/* ||Z W - Y||_F computed exactly (no cancellation), streaming Y by blocks of
 * columns with O(n * block) memory. Z n x r, W r x m. Returns NaN when out of
 * memory. Cost 2 n m r flops, dense or sparse. */
double lrfa_y_residual_norm(const lrfa_matrix *Y, const double *Z, const double *W, int64_t r);

/* Whether the exact residual of a sparse Y is affordable (n m r flops small
 * enough); always 1 for dense. */
int lrfa_y_exact_affordable(const lrfa_matrix *Y, int64_t r);

#endif
