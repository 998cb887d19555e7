/* yops.h: every product that reads the target Y, dense or sparse. The
 * solver touches Y only through these, so another storage (or a
 * distributed Y) needs only these functions. Internal. */
#ifndef LRFA_YOPS_H
#define LRFA_YOPS_H

#include "lrfa/matrix.h"

/* out (n x r) = Y W^T, W r x m. For a sparse Y, Yt is Y^T compressed
 * (Y by rows, required; unused for a dense Y). kernel: 1 lets lrfa's kernel compute it where it serves (a
 * caller whose other products with Y run on OpenBLAS's threads passes 0:
 * those threads spin after each call and would take the kernel's cores). */
void lrfa_y_mul_wt(const lrfa_matrix *Y, const lrfa_sparse *Yt, const double *W, int64_t r, double *out, int kernel);

/* Whether lrfa_y_mul_wt computes Y W^T with lrfa's own kernel (kernels.c)
 * for this Y and r: a dense Y, r <= 128, a processor with AVX-512. */
int lrfa_y_kernel_serves(const lrfa_matrix *Y, int64_t r);

/* out (r x m) = A Y, A r x n. */
void lrfa_y_left_mul(const lrfa_matrix *Y, const double *A, int64_t r, double *out);

/* out (r x (j1 - j0)) = A Y[:, j0:j1], A r x n: the same entries as
 * lrfa_y_left_mul's columns j0 .. j1 - 1 for a sparse Y. */
void lrfa_y_left_mul_cols(const lrfa_matrix *Y, const double *A, int64_t r, int64_t j0, int64_t j1, double *out);

/* out (r x m) = Z^T Y, Z n x r. work: r * n doubles (sparse only). */
void lrfa_y_zt_mul(const lrfa_matrix *Y, const double *Z, int64_t r, double *out, double *work);

/* out = Y X (trans 0; X is cols x w, out rows x w) or out = Y^T X (trans 1;
 * X rows x w, out cols x w), all column-major. For a sparse Y, work holds
 * lrfa_y_block_work(Y, w) doubles (unused for a dense Y, which needs none). */
int64_t lrfa_y_block_work(const lrfa_matrix *Y, int64_t w);
void lrfa_y_mul_block(const lrfa_matrix *Y, int trans, const double *X, int64_t w, double *out, double *work);

/* GD's products in one pass over a dense Y: YWt (n x r) = Y W^T and
 * ZtY (r x m) = Z^T Y. Where lrfa_y_kernel_serves, by lrfa's kernel
 * (kernels.c: the same bits for any thread count); else panel columns of Y
 * at a time so each panel is read from memory once, panels split between
 * lrfa_threads() workers, each calling a single-threaded BLAS (the caller
 * sets that up). `partial` holds lrfa_y_fused_work(Y, r) doubles. Returns 0
 * (doing nothing) for a sparse Y. */
int lrfa_y_fused_gd(const lrfa_matrix *Y, const double *Z, const double *W, int64_t r, double *YWt, double *ZtY,
                    double *partial, int64_t panel);
/* The doubles lrfa_y_fused_gd wants in `partial`: (workers - 1) n x r for
 * the BLAS panels, or the kernel's (chunks - 1) n x r where it serves. */
int64_t lrfa_y_fused_work(const lrfa_matrix *Y, int64_t r);

/* out (a x c) = A^T Y X^T, A n x a (Y's rows), X c x m, so each entry of
 * Y meets a contiguous column of X; for a sparse Y by its rows (Yt), with
 * O(threads a c) memory beside it. Returns 0 when out of memory. */
int lrfa_y_cross(const lrfa_matrix *Y, const lrfa_sparse *Yt, const double *A, int64_t a, const double *Xt,
                 int64_t c, double *out);

/* ||Z W - Y||_F computed exactly (no cancellation), streaming Y by blocks of
 * columns with O(n * block) memory. Z n x r, W r x m. Returns NaN when out of
 * memory. Cost 2 n m r flops, dense or sparse. */
double lrfa_y_residual_norm(const lrfa_matrix *Y, const double *Z, const double *W, int64_t r);

/* Whether the exact residual of a sparse Y is affordable (rows m r flops
 * small enough, rows those of the whole Y when it is split between
 * processes, so that all decide alike); always 1 for dense. */
int lrfa_y_exact_affordable(const lrfa_matrix *Y, int64_t rows, int64_t r);

#endif
