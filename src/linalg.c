/* linalg.c: LAPACK routines, each wrapped once (sizes checked against
 * lapack_int, workspace queried and allocated, info mapped to a status). */
#include <limits.h>
#include <math.h>
#include <lapacke.h>
#include "lrfa/linalg.h"
#include "internal.h"

static int fits_lapack_int(int64_t v)
{
    return v >= 0 && v <= (int64_t)INT_MAX;
}

/* Whether A's sizes fit lapack_int; fills err when they do not. */
static int shape_fits(const lrfa_dense *A, lrfa_error *err)
{
    if (fits_lapack_int(A->rows) && fits_lapack_int(A->cols)) return 1;
    lrfa_fail(err, LRFA_ERANGE, 0, "a %lld x %lld matrix is too large for LAPACK's 32-bit sizes", (long long)A->rows,
              (long long)A->cols);
    return 0;
}

/* s = singular values of A (dgesdd, jobz = 'N'); A is destroyed. */
lrfa_status lrfa_svd_values(lrfa_dense *A, double *s, lrfa_error *err)
{
    lapack_int m, n, k, info, lwork;
    double wq = 0.0, *work = NULL;
    lapack_int *iwork = NULL;
    lrfa_status st = LRFA_OK;
    if (!shape_fits(A, err)) return LRFA_ERANGE;
    m = (lapack_int)A->rows;
    n = (lapack_int)A->cols;
    k = m < n ? m : n;
    if (k == 0) return LRFA_OK;
    info = LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, 'N', m, n, A->data, m, s, NULL, 1, NULL, 1,
                               &wq, -1, NULL);
    if (info != 0) return lrfa_fail(err, LRFA_ENUMERIC, 0, "dgesdd workspace query failed (info %d)", (int)info);
    if (!(wq < (double)INT_MAX)) return lrfa_fail(err, LRFA_ERANGE, 0, "dgesdd workspace exceeds 32-bit sizes");
    lwork = (lapack_int)wq;
    work = lrfa_alloc_array(lwork > 1 ? lwork : 1, sizeof(double));
    iwork = lrfa_alloc_array(8 * (int64_t)k, sizeof(lapack_int));
    if (!work || !iwork) {
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the SVD workspace of a %d x %d matrix",
                       (int)m, (int)n);
        goto done;
    }
    info = LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, 'N', m, n, A->data, m, s, NULL, 1, NULL, 1,
                               work, lwork, iwork);
    if (info < 0) st = lrfa_fail(err, LRFA_ENUMERIC, 0, "dgesdd: argument %d was illegal", (int)-info);
    else if (info > 0) st = lrfa_fail(err, LRFA_ENUMERIC, 0, "dgesdd did not converge (info %d)", (int)info);
done:
    lrfa_dealloc(work);
    lrfa_dealloc(iwork);
    return st;
}

/* dgeqrf on A (rows >= cols) with its workspace, also big enough for
 * dorgqr when orgqr: tau (cols) and work (*lwork) are the caller's to free. */
static lrfa_status geqrf(lrfa_dense *A, int orgqr, double **tau, double **work, lapack_int *lwork, lrfa_error *err)
{
    lapack_int m, n, info;
    double wq1 = 0.0, wq2 = 0.0;
    *tau = *work = NULL;
    if (!shape_fits(A, err)) return LRFA_ERANGE;
    if (A->cols > A->rows)
        return lrfa_fail(err, LRFA_EINPUT, 0, "QR of a %lld x %lld matrix: needs rows >= columns",
                         (long long)A->rows, (long long)A->cols);
    m = (lapack_int)A->rows;
    n = (lapack_int)A->cols;
    if (n == 0) return LRFA_OK;
    info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, A->data, m, NULL, &wq1, -1);
    if (info == 0 && orgqr) info = LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, m, n, n, A->data, m, NULL, &wq2, -1);
    if (info != 0) return lrfa_fail(err, LRFA_ENUMERIC, 0, "QR workspace query failed (info %d)", (int)info);
    if (wq2 > wq1) wq1 = wq2;
    if (!(wq1 < (double)INT_MAX)) return lrfa_fail(err, LRFA_ERANGE, 0, "QR workspace exceeds 32-bit sizes");
    *lwork = wq1 > 1 ? (lapack_int)wq1 : 1;
    *tau = lrfa_alloc_array(n, sizeof(double));
    *work = lrfa_alloc_array(*lwork, sizeof(double));
    if (!*tau || !*work)
        return lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the QR of a %d x %d matrix", (int)m, (int)n);
    info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, A->data, m, *tau, *work, *lwork);
    if (info != 0) return lrfa_fail(err, LRFA_ENUMERIC, 0, "dgeqrf failed (info %d)", (int)info);
    return LRFA_OK;
}

/* A = Q R (dgeqrf), keeping R. */
lrfa_status lrfa_qr_r(lrfa_dense *A, lrfa_error *err)
{
    double *tau, *work;
    lapack_int lwork;
    int64_t i, j, m = A->rows;
    lrfa_status st = geqrf(A, 0, &tau, &work, &lwork, err);
    if (st == LRFA_OK)
        for (j = 0; j < A->cols; j++)
            for (i = j + 1; i < m; i++) A->data[i + j * m] = 0.0;
    lrfa_dealloc(tau);
    lrfa_dealloc(work);
    return st;
}

/* A = Q R (dgeqrf), A <- Q (dorgqr), then flip the columns j with R_jj < 0. */
lrfa_status lrfa_qr_orthonormal(lrfa_dense *A, lrfa_error *err)
{
    double *tau, *work, *sign = NULL;
    lapack_int lwork, info;
    int64_t i, j, m = A->rows, n = A->cols;
    lrfa_status st = geqrf(A, 1, &tau, &work, &lwork, err);
    if (st != LRFA_OK || n == 0) goto done;
    if (!(sign = lrfa_alloc_array(n, sizeof(double)))) {
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the QR of a %lld x %lld matrix", (long long)m,
                       (long long)n);
        goto done;
    }
    for (j = 0; j < n; j++) sign[j] = A->data[j + j * m] < 0 ? -1.0 : 1.0;
    info = LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)n, (lapack_int)n, A->data,
                               (lapack_int)m, tau, work, lwork);
    if (info != 0) {
        st = lrfa_fail(err, LRFA_ENUMERIC, 0, "dorgqr failed (info %d)", (int)info);
        goto done;
    }
    for (j = 0; j < n; j++)
        if (sign[j] < 0)
            for (i = 0; i < m; i++) A->data[i + j * m] = -A->data[i + j * m];
done:
    lrfa_dealloc(tau);
    lrfa_dealloc(sign);
    lrfa_dealloc(work);
    return st;
}

/* dgesdd (jobz 'S' or 'O') on A, m x n, k = min(m, n): the workspace
 * query, its allocation and the call, with info mapped to a status; u
 * (ldu), vt (ldvt) and iwork (8 k) are the caller's. */
static lrfa_status gesdd(char jobz, lrfa_dense *A, double *s, double *u, lapack_int ldu, double *vt, lapack_int ldvt,
                         lapack_int *iwork, lrfa_error *err)
{
    lapack_int m = (lapack_int)A->rows, n = (lapack_int)A->cols, info, lwork;
    double wq = 0.0, *work;
    lrfa_status st = LRFA_OK;
    info = LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, A->data, m, s, u, ldu, vt, ldvt, &wq, -1, iwork);
    if (info != 0) return lrfa_fail(err, LRFA_ENUMERIC, 0, "dgesdd workspace query failed (info %d)", (int)info);
    if (!(wq < (double)INT_MAX)) return lrfa_fail(err, LRFA_ERANGE, 0, "dgesdd workspace exceeds 32-bit sizes");
    lwork = (lapack_int)wq;
    if (!(work = lrfa_alloc_array(lwork > 1 ? lwork : 1, sizeof(double))))
        return lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the SVD workspace");
    info = LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, jobz, m, n, A->data, m, s, u, ldu, vt, ldvt, work, lwork, iwork);
    if (info != 0) st = lrfa_fail(err, LRFA_ENUMERIC, 0, "dgesdd failed (info %d)", (int)info);
    lrfa_dealloc(work);
    return st;
}

/* dgesdd with jobz = 'O' on A (rows < cols): the right vectors written over A */
lrfa_status lrfa_svd_rows(lrfa_dense *A, double *s, lrfa_error *err)
{
    lapack_int m, n;
    double *u = NULL, vt = 0.0;
    lapack_int *iwork = NULL;
    lrfa_status st;
    if (!shape_fits(A, err)) return LRFA_ERANGE;
    m = (lapack_int)A->rows;
    n = (lapack_int)A->cols;
    /* (with rows >= cols, jobz = 'O' writes U over A instead) */
    if (m >= n && m > 0)
        return lrfa_fail(err, LRFA_EINPUT, 0, "lrfa_svd_rows: %d rows, not fewer than the %d columns", (int)m, (int)n);
    if (m == 0) return LRFA_OK;
    u = lrfa_alloc_array((int64_t)m * m, sizeof(double));
    iwork = lrfa_alloc_array(8 * (int64_t)m, sizeof(lapack_int));
    if (!u || !iwork) st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the SVD of a %d x %d matrix", (int)m, (int)n);
    else st = gesdd('O', A, s, u, m, &vt, 1, iwork, err);
    lrfa_dealloc(u);
    lrfa_dealloc(iwork);
    return st;
}

/* A = U diag(s) V^T (dgesdd, jobz = 'S'); copies the leading columns of U
 * and rows of V^T out of LAPACK's thin factors. */
lrfa_status lrfa_svd(lrfa_dense *A, double *s, lrfa_dense *U, lrfa_dense *V, lrfa_error *err)
{
    lapack_int m, n, k;
    double *u = NULL, *vt = NULL;
    lapack_int *iwork = NULL;
    lrfa_status st = LRFA_OK;
    int64_t i, j, kv;
    if (!U || !V) return lrfa_svd_values(A, s, err);
    if (!shape_fits(A, err)) return LRFA_ERANGE;
    m = (lapack_int)A->rows;
    n = (lapack_int)A->cols;
    k = m < n ? m : n;
    kv = U->cols;
    if (U->rows != m || V->rows != n || V->cols != kv || kv > k)
        return lrfa_fail(err, LRFA_EINPUT, 0, "lrfa_svd: U and V have the wrong shape");
    if (k == 0) return LRFA_OK;
    u = lrfa_alloc_array((int64_t)m * k, sizeof(double));
    vt = lrfa_alloc_array((int64_t)k * n, sizeof(double));
    iwork = lrfa_alloc_array(8 * (int64_t)k, sizeof(lapack_int));
    if (!u || !vt || !iwork) {
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the SVD of a %d x %d matrix", (int)m, (int)n);
        goto done;
    }
    if ((st = gesdd('S', A, s, u, m, vt, k, iwork, err)) != LRFA_OK) goto done;
    for (j = 0; j < kv; j++) {
        for (i = 0; i < m; i++) U->data[i + j * m] = u[i + j * (int64_t)m];
        for (i = 0; i < n; i++) V->data[i + j * n] = vt[j + i * (int64_t)k];
    }
done:
    lrfa_dealloc(u);
    lrfa_dealloc(vt);
    lrfa_dealloc(iwork);
    return st;
}

lrfa_status lrfa_sym_eigvals(lrfa_dense *A, double *w, lrfa_error *err)
{
    lapack_int n, info, lwork;
    double wq = 0.0, *work = NULL;
    lrfa_status st = LRFA_OK;
    if (!fits_lapack_int(A->rows) || A->rows != A->cols)
        return lrfa_fail(err, LRFA_ERANGE, 0, "dsyev needs a square matrix within 32-bit sizes");
    n = (lapack_int)A->rows;
    if (n == 0) return LRFA_OK;
    info = LAPACKE_dsyev_work(LAPACK_COL_MAJOR, 'N', 'L', n, A->data, n, w, &wq, -1);
    if (info != 0) return lrfa_fail(err, LRFA_ENUMERIC, 0, "dsyev workspace query failed (info %d)", (int)info);
    lwork = (lapack_int)wq;
    work = lrfa_alloc_array(lwork > 1 ? lwork : 1, sizeof(double));
    if (!work) return lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for dsyev");
    info = LAPACKE_dsyev_work(LAPACK_COL_MAJOR, 'N', 'L', n, A->data, n, w, work, lwork);
    if (info != 0) st = lrfa_fail(err, LRFA_ENUMERIC, 0, "dsyev failed (info %d)", (int)info);
    lrfa_dealloc(work);
    return st;
}

lrfa_status lrfa_solve(lrfa_dense *A, lrfa_dense *B, lrfa_error *err)
{
    lapack_int n, nrhs, info;
    lapack_int *ipiv;
    if (!fits_lapack_int(A->rows) || !fits_lapack_int(B->cols) || A->rows != A->cols || B->rows != A->rows)
        return lrfa_fail(err, LRFA_ERANGE, 0, "dgesv: shapes do not fit");
    n = (lapack_int)A->rows;
    nrhs = (lapack_int)B->cols;
    if (n == 0) return LRFA_OK;
    ipiv = lrfa_alloc_array(n, sizeof(lapack_int));
    if (!ipiv) return lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for dgesv");
    info = LAPACKE_dgesv_work(LAPACK_COL_MAJOR, n, nrhs, A->data, n, ipiv, B->data, n);
    lrfa_dealloc(ipiv);
    if (info > 0) return lrfa_fail(err, LRFA_ENUMERIC, 0, "dgesv: the matrix is singular");
    if (info < 0) return lrfa_fail(err, LRFA_ENUMERIC, 0, "dgesv: argument %d was illegal", (int)-info);
    return LRFA_OK;
}
