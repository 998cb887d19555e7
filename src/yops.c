/* yops.c: products with the target Y (dense through BLAS, sparse by
 * compressed columns). */
#include <cblas.h>
#include <math.h>
#include <string.h>
#include "yops.h"
#include "internal.h"

/* out (r x cols) = A S for a compressed-column S and A (r x rows):
 * out[:, j] = sum_i s_ij A[:, i], the columns split between the threads.
 * With S = Y it gives A Y; with S = Yt (Y by rows) and A = W it gives
 * (Y W^T)^T. */
typedef struct cols_ctx {
    const lrfa_sparse *S;
    const double *A;
    int64_t r;
    double *out;
    int64_t j0; /* the range's first column: column j goes to out + (j - j0) r */
} cols_ctx;

static void cols_chunk(int64_t j0, int64_t j1, int worker, void *arg)
{
    const cols_ctx *c = arg;
    const lrfa_sparse *S = c->S;
    int64_t j, p, k, r = c->r;
    (void)worker;
    for (j = j0; j < j1; j++) {
        double *oj = c->out + (j - c->j0) * r;
        for (k = 0; k < r; k++) oj[k] = 0.0;
        for (p = S->colptr[j]; p < S->colptr[j + 1]; p++) {
            double y = S->values[p];
            const double *a = c->A + S->rowidx[p] * r;
            for (k = 0; k < r; k++) oj[k] += y * a[k];
        }
    }
}

/* out (n x r) = in^T for in (r x n), rows of out split between the threads */
typedef struct transpose_ctx {
    const double *in;
    double *out;
    int64_t r, n;
} transpose_ctx;

static void transpose_chunk(int64_t i0, int64_t i1, int worker, void *arg)
{
    const transpose_ctx *c = arg;
    int64_t i, k;
    (void)worker;
    for (k = 0; k < c->r; k++)
        for (i = i0; i < i1; i++) c->out[i + k * c->n] = c->in[k + i * c->r];
}

static void to_column_major(const double *in, int64_t r, int64_t n, double *out)
{
    transpose_ctx c;
    c.in = in;
    c.out = out;
    c.r = r;
    c.n = n;
    lrfa_parallel_range(n, 4096, transpose_chunk, &c);
}

/* out (n x r, column-major) = Y W^T by the rows of Y (Yt = Y by rows):
 * out[i, k] = sum_j y_ij W[k, j], each row's sums in ROW_LANES registers
 * at a time, then stored down the columns of out, so no r x n scratch is
 * needed; rows split between the threads. */
enum { ROW_LANES = 32 };

typedef struct rows_ctx {
    const lrfa_sparse *Yt;
    const double *W;
    int64_t r;
    double *out;
} rows_ctx;

static void rows_chunk(int64_t i0, int64_t i1, int worker, void *arg)
{
    const rows_ctx *c = arg;
    const lrfa_sparse *S = c->Yt;
    int64_t i, p, k, k0, r = c->r, n = S->cols;
    double acc[ROW_LANES];
    (void)worker;
    for (k0 = 0; k0 < r; k0 += ROW_LANES) {
        int64_t kw = r - k0 < ROW_LANES ? r - k0 : ROW_LANES;
        for (i = i0; i < i1; i++) {
            for (k = 0; k < kw; k++) acc[k] = 0.0;
            for (p = S->colptr[i]; p < S->colptr[i + 1]; p++) {
                double y = S->values[p];
                const double *w = c->W + S->rowidx[p] * r + k0;
                for (k = 0; k < kw; k++) acc[k] += y * w[k];
            }
            for (k = 0; k < kw; k++) c->out[i + (k0 + k) * n] = acc[k];
        }
    }
}

/* out (r x n) = in^T for in (n x r) */
typedef struct untranspose_ctx {
    const double *in;
    double *out;
    int64_t r, n;
} untranspose_ctx;

static void untranspose_chunk(int64_t i0, int64_t i1, int worker, void *arg)
{
    const untranspose_ctx *c = arg;
    int64_t i, k;
    (void)worker;
    for (i = i0; i < i1; i++)
        for (k = 0; k < c->r; k++) c->out[k + i * c->r] = c->in[i + k * c->n];
}

static void to_row_major(const double *in, int64_t n, int64_t r, double *out)
{
    untranspose_ctx c;
    c.in = in;
    c.out = out;
    c.r = r;
    c.n = n;
    lrfa_parallel_range(n, 4096, untranspose_chunk, &c);
}


/* out (r x m) = op(A) Y for a dense Y, op(A) = A (A r x n) or Z^T (Z n x r) */
static void dense_left(const lrfa_matrix *Y, int trans, const double *A, int64_t r, double *out)
{
    int64_t n = Y->rows, m = Y->cols;
    if (m == 0 || r == 0) return;
    if (n == 0) {
        memset(out, 0, sizeof(double) * (size_t)(r * m));
        return;
    }
    cblas_dgemm(CblasColMajor, trans ? CblasTrans : CblasNoTrans, CblasNoTrans, (int)r, (int)m, (int)n, 1.0, A,
                (int)(trans ? n : r), Y->dense->data, (int)n, 0.0, out, (int)r);
}

/* out (r x cols) = A S for a compressed-column S, in parallel */
static void sparse_left(const lrfa_sparse *S, const double *A, int64_t r, double *out)
{
    cols_ctx c;
    c.S = S;
    c.A = A;
    c.r = r;
    c.out = out;
    c.j0 = 0;
    lrfa_parallel_range(S->cols, 1024, cols_chunk, &c);
}

/* Dense: out = A Y with one dgemm. Sparse: by columns, in parallel. */
void lrfa_y_left_mul(const lrfa_matrix *Y, const double *A, int64_t r, double *out)
{
    if (Y->storage == LRFA_STORAGE_DENSE) dense_left(Y, 0, A, r, out);
    else sparse_left(Y->sparse, A, r, out);
}

/* columns [j0 + a, j0 + b) of a range */
static void cols_range_chunk(int64_t a, int64_t b, int worker, void *arg)
{
    const cols_ctx *c = arg;
    cols_chunk(c->j0 + a, c->j0 + b, worker, arg);
}

void lrfa_y_left_mul_cols(const lrfa_matrix *Y, const double *A, int64_t r, int64_t j0, int64_t j1, double *out)
{
    int64_t n = Y->rows;
    if (j1 <= j0 || r == 0) return;
    if (Y->storage == LRFA_STORAGE_DENSE) {
        if (n == 0) {
            memset(out, 0, sizeof(double) * (size_t)(r * (j1 - j0)));
            return;
        }
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)(j1 - j0), (int)n, 1.0, A, (int)r,
                    Y->dense->data + j0 * n, (int)n, 0.0, out, (int)r);
    } else {
        cols_ctx c;
        c.S = Y->sparse;
        c.A = A;
        c.r = r;
        c.out = out;
        c.j0 = j0;
        lrfa_parallel_range(j1 - j0, 1024, cols_range_chunk, &c);
    }
}

/* Dense: out = Z^T Y with one dgemm. Sparse: Z^T into work (r x n), then
 * work Y by columns. */
void lrfa_y_zt_mul(const lrfa_matrix *Y, const double *Z, int64_t r, double *out, double *work)
{
    if (Y->storage == LRFA_STORAGE_DENSE) {
        dense_left(Y, 1, Z, r, out);
        return;
    }
    to_row_major(Z, Y->rows, r, work);
    sparse_left(Y->sparse, work, r, out);
}

/* Dense: out = Y W^T by lrfa's kernel where asked (kernel), where it has its
 * AVX-512 path and r is at most KERNEL_MAX_R, or its AVX2 path and r is at
 * most AVX2_MAX_R (where each was measured faster than OpenBLAS on a
 * 4000 x 4000 Y: AVX-512 2.8x at r = 16, 2.2x at 64, 1.7x at 128; AVX2
 * 1.9x at r = 8, 1.5x at 16 but 0.88x at 32 and 0.84x at 128, against
 * OpenBLAS's AVX2 kernels; docs/benchmarks.md), else with one dgemm.
 * Sparse: by the rows of Y (rows_chunk). */
enum { KERNEL_MAX_R = 128, AVX2_MAX_R = 16 };

int lrfa_y_kernel_serves(const lrfa_matrix *Y, int64_t r)
{
    int isa = lrfa_kern_isa();
    return Y->storage == LRFA_STORAGE_DENSE &&
           ((isa == LRFA_ISA_AVX512 && r <= KERNEL_MAX_R) || (isa == LRFA_ISA_AVX2 && r <= AVX2_MAX_R));
}

void lrfa_y_mul_wt(const lrfa_matrix *Y, const lrfa_sparse *Yt, const double *W, int64_t r, double *out, int kernel)
{
    int64_t n = Y->rows, m = Y->cols;
    rows_ctx c;
    if (Y->storage == LRFA_STORAGE_DENSE) {
        if (n == 0 || r == 0) return;
        if (m == 0) {
            memset(out, 0, sizeof(double) * (size_t)(n * r));
            return;
        }
        if (kernel && lrfa_y_kernel_serves(Y, r)) {
            lrfa_blas_serial_begin(); /* OpenBLAS's spinning threads would take the cores */
            lrfa_kern_y_wt(Y->dense->data, n, m, W, r, out);
            lrfa_blas_serial_end();
            return;
        }
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)r, (int)m, 1.0, Y->dense->data,
                    (int)n, W, (int)r, 0.0, out, (int)n);
        return;
    }
    c.Yt = Yt;
    c.W = W;
    c.r = r;
    c.out = out;
    lrfa_parallel_range(n, 1024, rows_chunk, &c);
}

/* ---- products with a block of vectors (the spectrum's Lanczos) ---- */

int64_t lrfa_y_block_work(const lrfa_matrix *Y, int64_t w)
{
    if (Y->storage == LRFA_STORAGE_DENSE) return 0;
    return w * (Y->cols + Y->rows);
}

/* acc (w x rows, by rows) = S X over this worker's rows [i0, i1) (Xt = X^T,
 * w x cols): each column's entries in the range, found by bisection (the
 * row indices are sorted), are scattered into those rows of acc, so the
 * workers share one acc and never write the same memory; every row is
 * summed over the columns in order, the same bits for any thread count */
typedef struct scatter_ctx {
    const lrfa_sparse *S;
    const double *Xt;
    int64_t w;
    double *acc;
} scatter_ctx;

static int64_t first_row_at(const lrfa_sparse *S, int64_t lo, int64_t hi, int64_t row)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (S->rowidx[mid] < row) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void scatter_chunk(int64_t i0, int64_t i1, int worker, void *arg)
{
    const scatter_ctx *c = arg;
    const lrfa_sparse *S = c->S;
    int64_t w = c->w, j, p, q, end;
    (void)worker;
    memset(c->acc + i0 * w, 0, sizeof(double) * (size_t)(w * (i1 - i0)));
    for (j = 0; j < S->cols; j++) {
        const double *x = c->Xt + j * w;
        p = i0 == 0 ? S->colptr[j] : first_row_at(S, S->colptr[j], S->colptr[j + 1], i0);
        end = S->colptr[j + 1];
        for (; p < end && S->rowidx[p] < i1; p++) {
            double y = S->values[p];
            double *a = c->acc + S->rowidx[p] * w;
            for (q = 0; q < w; q++) a[q] += y * x[q];
        }
    }
}

/* Dense: one dgemm. Sparse, trans 1: Y^T X = (X^T Y)^T by the columns of Y
 * (a gather, in parallel); trans 0: Y X by scattering the columns of Y,
 * each worker into its own rows of one sum (scatter_chunk), then
 * transposed. */
void lrfa_y_mul_block(const lrfa_matrix *Y, int trans, const double *X, int64_t w, double *out, double *work)
{
    int64_t n = Y->rows, m = Y->cols, lo = trans ? m : n, li = trans ? n : m;
    if (w == 0 || lo == 0) return;
    if (li == 0) {
        memset(out, 0, sizeof(double) * (size_t)(lo * w));
        return;
    }
    if (Y->storage == LRFA_STORAGE_DENSE) {
        if (w == 1) /* OpenBLAS's dgemv is faster than its dgemm with one column */
            cblas_dgemv(CblasColMajor, trans ? CblasTrans : CblasNoTrans, (int)n, (int)m, 1.0, Y->dense->data,
                        (int)n, X, 1, 0.0, out, 1);
        else
            cblas_dgemm(CblasColMajor, trans ? CblasTrans : CblasNoTrans, CblasNoTrans, (int)lo, (int)w, (int)li,
                        1.0, Y->dense->data, (int)n, X, (int)li, 0.0, out, (int)lo);
        return;
    }
    if (trans) {
        double *Xt = work, *outT = work + w * n;
        to_row_major(X, n, w, Xt);
        sparse_left(Y->sparse, Xt, w, outT);
        to_column_major(outT, w, m, out);
    } else {
        double *Xt = work, *acc = work + w * m;
        scatter_ctx sc;
        to_row_major(X, m, w, Xt);
        sc.S = Y->sparse;
        sc.Xt = Xt;
        sc.w = w;
        sc.acc = acc;
        lrfa_parallel_range(n, 4096, scatter_chunk, &sc);
        to_column_major(acc, w, n, out);
    }
}

/* out (a x c) = A^T Y X^T by blocks of Y's rows: for a sparse Y each
 * worker sums its rows' A[i, :]^T (Y X^T)[i, :] into its own a x c,
 * the row (Y X^T)[i, :] = sum_p y_ip X[:, j_p] formed where it is used;
 * for a dense Y a block of CROSS_ROWS rows at a time through two dgemm. */
enum { CROSS_ROWS = 1024 };

typedef struct cross_ctx {
    const lrfa_sparse *Yt;
    const double *A, *Xt;
    int64_t a, c, n;
    double *part; /* per worker: a x c, then c */
} cross_ctx;

static void cross_chunk(int64_t i0, int64_t i1, int worker, void *arg)
{
    const cross_ctx *x = arg;
    const lrfa_sparse *S = x->Yt;
    int64_t a = x->a, c = x->c, i, p, k, q;
    double *out = x->part + (int64_t)worker * (a * c + c), *t = out + a * c;
    for (k = 0; k < a * c; k++) out[k] = 0.0;
    for (i = i0; i < i1; i++) {
        for (k = 0; k < c; k++) t[k] = 0.0;
        for (p = S->colptr[i]; p < S->colptr[i + 1]; p++) {
            double y = S->values[p];
            const double *xj = x->Xt + S->rowidx[p] * c;
            for (k = 0; k < c; k++) t[k] += y * xj[k];
        }
        for (k = 0; k < c; k++)
            for (q = 0; q < a; q++) out[q + k * a] += x->A[i + q * x->n] * t[k];
    }
}

int lrfa_y_cross(const lrfa_matrix *Y, const lrfa_sparse *Yt, const double *A, int64_t a, const double *Xt,
                 int64_t c, double *out)
{
    int64_t n = Y->rows, m = Y->cols, i0, k;
    memset(out, 0, sizeof(double) * (size_t)(a * c));
    if (n == 0 || m == 0 || a == 0 || c == 0) return 1;
    if (Y->storage == LRFA_STORAGE_DENSE) {
        int64_t b = n < CROSS_ROWS ? n : CROSS_ROWS;
        double *t = lrfa_alloc_array(b * c, sizeof(double));
        if (!t) return 0;
        for (i0 = 0; i0 < n; i0 += b) {
            int64_t h = n - i0 < b ? n - i0 : b;
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)h, (int)c, (int)m, 1.0, Y->dense->data + i0,
                        (int)n, Xt, (int)c, 0.0, t, (int)h);
            cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)a, (int)c, (int)h, 1.0, A + i0, (int)n, t,
                        (int)h, 1.0, out, (int)a);
        }
        lrfa_dealloc(t);
    } else {
        cross_ctx x;
        int w, workers;
        x.Yt = Yt;
        x.A = A;
        x.Xt = Xt;
        x.a = a;
        x.c = c;
        x.n = n;
        if (!(x.part = lrfa_alloc_array((int64_t)lrfa_threads() * (a * c + c), sizeof(double)))) return 0;
        workers = lrfa_parallel_range(n, 4096, cross_chunk, &x);
        for (w = 0; w < workers; w++)
            for (k = 0; k < a * c; k++) out[k] += x.part[(int64_t)w * (a * c + c) + k];
        lrfa_dealloc(x.part);
    }
    return 1;
}

int lrfa_y_exact_affordable(const lrfa_matrix *Y, int64_t rows, int64_t r)
{
    if (Y->storage == LRFA_STORAGE_DENSE) return 1;
    return (double)rows * (double)Y->cols * (double)(r > 0 ? r : 1) <= 4e10;
}

typedef struct residual_ctx {
    const lrfa_matrix *Y;
    const double *Z, *W;
    int64_t r;
} residual_ctx;

/* R = Z W[:, J] - Y[:, J] for the columns J = j0 .. j0 + jb - 1 */
static void residual_block(double *R, int64_t j0, int64_t jb, void *arg)
{
    const residual_ctx *c = arg;
    const lrfa_matrix *Y = c->Y;
    int64_t n = Y->rows, r = c->r, j, p;
    if (Y->storage == LRFA_STORAGE_DENSE) {
        memcpy(R, Y->dense->data + j0 * n, sizeof(double) * (size_t)(n * jb));
    } else {
        const lrfa_sparse *S = Y->sparse;
        memset(R, 0, sizeof(double) * (size_t)(n * jb));
        for (j = 0; j < jb; j++)
            for (p = S->colptr[j0 + j]; p < S->colptr[j0 + j + 1]; p++) R[S->rowidx[p] + j * n] = S->values[p];
    }
    if (r > 0)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)jb, (int)r, 1.0, c->Z, (int)n,
                    c->W + j0 * r, (int)r, -1.0, R, (int)n);
    else
        for (j = 0; j < n * jb; j++) R[j] = -R[j];
}

double lrfa_y_residual_norm(const lrfa_matrix *Y, const double *Z, const double *W, int64_t r)
{
    residual_ctx c;
    c.Y = Y;
    c.Z = Z;
    c.W = W;
    c.r = r;
    return lrfa_blocked_norm(Y->rows, Y->cols, residual_block, &c);
}
/* ---- GD's two products in one pass over a dense Y ---- */

typedef struct fused_ctx {
    const double *Y, *Z, *W;
    int64_t n, m, r, panel;
    double *YWt;      /* n x r result */
    double *ZtY;      /* r x m result */
    double *partial;  /* (workers - 1) x (n x r): the other workers' Y W^T */
} fused_ctx;

/* For each panel J of columns in [j0, j1): ZtY[:, J] = Z^T Y_J and
 * acc += Y_J W_J^T, while Y_J is in cache. */
static void fused_chunk(int64_t p0, int64_t p1, int worker, void *arg)
{
    const fused_ctx *c = arg;
    int64_t n = c->n, r = c->r, p;
    double *acc = worker == 0 ? c->YWt : c->partial + (int64_t)(worker - 1) * n * r;
    memset(acc, 0, sizeof(double) * (size_t)(n * r));
    for (p = p0; p < p1; p++) {
        int64_t j0 = p * c->panel, jb = j0 + c->panel <= c->m ? c->panel : c->m - j0;
        const double *Yj = c->Y + j0 * n;
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)r, (int)jb, (int)n, 1.0, c->Z, (int)n, Yj, (int)n,
                    0.0, c->ZtY + j0 * r, (int)r);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)r, (int)jb, 1.0, Yj, (int)n,
                    c->W + j0 * r, (int)r, 1.0, acc, (int)n);
    }
}

int64_t lrfa_y_fused_work(const lrfa_matrix *Y, int64_t r)
{
    int64_t parts = lrfa_threads() > 1 ? lrfa_threads() - 1 : 1, need = parts * Y->rows * r;
    if (lrfa_y_kernel_serves(Y, r) && lrfa_kern_fused_work(Y->rows, Y->cols, r) > need)
        need = lrfa_kern_fused_work(Y->rows, Y->cols, r);
    return need;
}

int lrfa_y_fused_gd(const lrfa_matrix *Y, const double *Z, const double *W, int64_t r, double *YWt, double *ZtY,
                    double *partial, int64_t panel)
{
    fused_ctx c;
    int64_t npanels, i, w, workers;
    if (Y->storage != LRFA_STORAGE_DENSE || Y->rows == 0 || Y->cols == 0 || r == 0) return 0;
    if (lrfa_y_kernel_serves(Y, r) &&
        lrfa_kern_fused_gd(Y->dense->data, Y->rows, Y->cols, Z, W, r, YWt, ZtY, partial))
        return 1;
    c.Y = Y->dense->data;
    c.Z = Z;
    c.W = W;
    c.n = Y->rows;
    c.m = Y->cols;
    c.r = r;
    c.panel = panel > 0 ? panel : 64;
    c.YWt = YWt;
    c.ZtY = ZtY;
    c.partial = partial;
    npanels = (c.m + c.panel - 1) / c.panel;
    workers = lrfa_parallel_range(npanels, 1, fused_chunk, &c);
    for (w = 1; w < workers; w++) {
        const double *pw = partial + (w - 1) * c.n * r;
        for (i = 0; i < c.n * r; i++) YWt[i] += pw[i];
    }
    return 1;
}
