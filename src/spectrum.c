/* spectrum.c: singular values, numerical rank and opt(r). */
#include <float.h>
#include <math.h>
#include <string.h>
#include "lrfa/linalg.h"
#include "lrfa/spectrum.h"
#include "internal.h"

double lrfa_rank_tol_default(int64_t rows, int64_t cols)
{
    return (double)(rows > cols ? rows : cols) * DBL_EPSILON;
}

int64_t lrfa_rank_count(const double *s, int64_t k, double rel_tol)
{
    int64_t r = 0;
    if (k == 0 || !(s[0] > 0.0)) return 0;
    while (r < k && s[r] > rel_tol * s[0]) r++;
    return r;
}

void lrfa_spectrum_free(lrfa_spectrum *sp)
{
    if (!sp) return;
    lrfa_dealloc(sp->s);
    lrfa_dealloc(sp->opt);
    lrfa_dealloc(sp);
}

/* opt(r)^2 = sum_{i>r} s_i^2, summed from the smallest value up (the
 * accurate order) in units of s_1 so it cannot overflow. */
static void fill_opt(lrfa_spectrum *sp)
{
    int64_t k = sp->k, r;
    double s1 = k ? sp->s[0] : 0.0, acc = 0.0;
    sp->opt[k] = 0.0;
    for (r = k - 1; r >= 1; r--) {
        if (s1 == 0.0) {
            sp->opt[r] = 0.0;
            continue;
        }
        double t = sp->s[r] / s1;
        acc += t * t;
        sp->opt[r] = s1 * sqrt(acc);
    }
    sp->opt[0] = sp->fro;
}

lrfa_spectrum *lrfa_spectrum_compute(const lrfa_matrix *Y, double rank_tol, lrfa_error *err)
{
    lrfa_spectrum *sp = NULL;
    lrfa_dense *A = NULL;
    int64_t k = Y->rows < Y->cols ? Y->rows : Y->cols;
    lrfa_status st;

    /* dgesdd needs the dense copy plus about 4 min^2 + 7 max doubles of work */
    if (k > 0 && (!lrfa_fits_in_memory(Y->rows, Y->cols, 0) || !lrfa_fits_in_memory(k, 4 * k + 8, 0) ||
                  !lrfa_fits_in_memory(Y->rows > Y->cols ? Y->rows : Y->cols, 7, 0))) {
        lrfa_fail(err, LRFA_ENOMEM, 0,
                  "the full SVD of a %lld x %lld matrix needs more memory than this machine has",
                  (long long)Y->rows, (long long)Y->cols);
        return NULL;
    }
    sp = lrfa_alloc(sizeof *sp);
    if (!sp) goto nomem;
    sp->rows = Y->rows;
    sp->cols = Y->cols;
    sp->k = k;
    sp->s = lrfa_calloc_array(k, sizeof(double));
    sp->opt = lrfa_calloc_array(k + 1, sizeof(double));
    sp->method = "dgesdd";
    sp->complete = 1;
    sp->rank_bound = 0;
    sp->steps = 0;
    sp->residual = 0.0;
    if (!sp->s || !sp->opt) goto nomem;
    sp->fro = lrfa_matrix_fro_norm(Y);
    sp->rank_tol = rank_tol >= 0 ? rank_tol : lrfa_rank_tol_default(Y->rows, Y->cols);
    if (k > 0) {
        A = lrfa_matrix_to_dense(Y, err);
        if (!A) goto fail;
        st = lrfa_svd_values(A, sp->s, err);
        lrfa_dense_free(A);
        if (st != LRFA_OK) goto fail;
    }
    sp->rank = lrfa_rank_count(sp->s, k, sp->rank_tol);
    fill_opt(sp);
    return sp;
nomem:
    lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the spectrum");
fail:
    lrfa_spectrum_free(sp);
    return NULL;
}

double lrfa_spectrum_opt(const lrfa_spectrum *sp, int64_t r)
{
    if (r < 0) r = 0;
    if (r <= sp->k && !sp->complete) return sp->opt[r];
    if (r >= sp->k) return sp->complete ? 0.0 : NAN;
    return sp->opt[r];
}

/* opt(r)^2 = ||Y||_F^2 - sum_{i<=r} s_i^2, in units of ||Y||_F. */
static void fill_opt_truncated(lrfa_spectrum *sp)
{
    int64_t r;
    double acc = 0.0, f = sp->fro;
    sp->opt[0] = f;
    for (r = 1; r <= sp->k; r++) {
        double t = f > 0 ? sp->s[r - 1] / f : 0.0;
        acc += t * t;
        sp->opt[r] = f * sqrt(fmax(1.0 - acc, 0.0));
    }
}

lrfa_spectrum *lrfa_spectrum_leading(const lrfa_matrix *Y, int64_t k, lrfa_spectrum_method method, double rank_tol,
                                     lrfa_dense *U, lrfa_dense *V, lrfa_error *err)
{
    int64_t kmax = Y->rows < Y->cols ? Y->rows : Y->cols;
    lrfa_spectrum *sp;
    double *s;
    lrfa_lanczos_info info;
    if (k > kmax) k = kmax;
    if (k < 1) k = kmax < 1 ? 0 : 1;
    if (method == LRFA_SPECTRUM_AUTO)
        method = (Y->storage == LRFA_STORAGE_DENSE && kmax <= LRFA_FULL_SVD_MAX) || kmax == 0 ? LRFA_SPECTRUM_FULL
                                                                                               : LRFA_SPECTRUM_LANCZOS;
    if (method == LRFA_SPECTRUM_FULL) {
        lrfa_dense *A;
        double fro = lrfa_matrix_fro_norm(Y);
        if (!lrfa_fits_in_memory(Y->rows, Y->cols, 0) || !lrfa_fits_in_memory(kmax, 4 * kmax + 8, 0) ||
            !lrfa_fits_in_memory(Y->rows > Y->cols ? Y->rows : Y->cols, 7 + (U ? kmax : 0), 0)) {
            lrfa_fail(err, LRFA_ENOMEM, 0, "the full SVD of a %lld x %lld matrix needs more memory than this machine has",
                      (long long)Y->rows, (long long)Y->cols);
            return NULL;
        }
        s = lrfa_calloc_array(kmax, sizeof(double));
        A = lrfa_matrix_to_dense(Y, err);
        if (!s || !A) {
            lrfa_dealloc(s);
            lrfa_dense_free(A);
            lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the SVD");
            return NULL;
        }
        if (kmax > 0 && lrfa_svd(A, s, U, V, err) != LRFA_OK) {
            lrfa_dealloc(s);
            lrfa_dense_free(A);
            return NULL;
        }
        lrfa_dense_free(A);
        sp = lrfa_spectrum_from_values(Y->rows, Y->cols, s, kmax, fro, rank_tol, "dgesdd", err);
        lrfa_dealloc(s);
        return sp;
    }
    s = lrfa_calloc_array(k, sizeof(double));
    if (!s) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the spectrum");
        return NULL;
    }
    if (lrfa_svd_lanczos(Y, k, 1e-12, 1, s, U, V, &info, err) != LRFA_OK) {
        lrfa_dealloc(s);
        return NULL;
    }
    sp = lrfa_spectrum_from_values(Y->rows, Y->cols, s, k, lrfa_matrix_fro_norm(Y), rank_tol, "lanczos", err);
    lrfa_dealloc(s);
    if (!sp) return NULL;
    sp->steps = info.steps;
    sp->residual = info.residual;
    if (k < kmax) {
        sp->complete = 0;
        sp->rank_bound = sp->rank == k;
        fill_opt_truncated(sp);
    }
    return sp;
}

lrfa_spectrum *lrfa_spectrum_from_values(int64_t rows, int64_t cols, const double *s, int64_t k,
                                         double fro, double rank_tol, const char *method,
                                         lrfa_error *err)
{
    lrfa_spectrum *sp = lrfa_alloc(sizeof *sp);
    if (!sp) goto nomem;
    sp->s = sp->opt = NULL;
    sp->rows = rows;
    sp->cols = cols;
    sp->k = k;
    sp->s = lrfa_alloc_array(k, sizeof(double));
    sp->opt = lrfa_calloc_array(k + 1, sizeof(double));
    sp->method = method;
    if (!sp->s || !sp->opt) goto nomem;
    if (k) memcpy(sp->s, s, sizeof(double) * (size_t)k);
    sp->fro = fro;
    sp->rank_tol = rank_tol >= 0 ? rank_tol : lrfa_rank_tol_default(rows, cols);
    sp->rank = lrfa_rank_count(sp->s, k, sp->rank_tol);
    sp->complete = k == (rows < cols ? rows : cols);
    sp->rank_bound = 0;
    sp->steps = 0;
    sp->residual = 0.0;
    fill_opt(sp);
    return sp;
nomem:
    lrfa_spectrum_free(sp);
    lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the spectrum");
    return NULL;
}
